"""One exception handler per error family, all rendering {"error": {code, message, details}}."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from api.call_log import record_refused_request
from tools.errors import DomainError


class ErrorDetail(BaseModel):
    code: str = Field(description="What went wrong, for programs: not_found, invalid_input, forbidden, ...")
    message: str = Field(description="What went wrong, for people.")
    details: Any = Field(None, description="Per-field problems or candidates, when there are any.")


class ErrorOut(BaseModel):
    error: ErrorDetail


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorOut(BaseModel):
    error: OpenAIErrorDetail


# Every status an error answer may carry, with its code and meaning.
ERRORS = {
    400: ("bad_request", "The body is not valid JSON."),
    401: ("unauthorized", "Missing or unknown API key."),
    402: ("payment_declined", "The payment gateway declined the charge."),
    403: ("forbidden", "The caller's role may not use this route."),
    404: ("not_found", "The record does not exist or belongs to someone else."),
    409: ("conflict", "The request conflicts with the record's state."),
    422: ("invalid_input", "A field is missing or invalid."),
    503: ("unavailable", "A service the route needs is not configured here; the message names the setting."),
}


def error_responses(*statuses: int, model: type[BaseModel] = ErrorOut) -> dict:
    """OpenAPI `responses` for these error statuses: the envelope's schema and an example."""
    return {
        status: {
            "model": model,
            "description": ERRORS[status][1],
            "content": {"application/json": {"example": error_body(*ERRORS[status]) if model is ErrorOut
                                             else openai_error_body(status, *ERRORS[status])}},
        }
        for status in statuses
    }


def error_body(code: str, message: str, details=None) -> dict:
    """The error envelope every 4xx answer uses."""
    return {"error": {"code": code, "message": message, "details": details}}


def openai_error_body(status: int, code: str, message: str, details=None) -> dict:
    """The same error in the shape OpenAI's clients parse: {"error": {message, type, param, code}}."""
    param = details[0].get("field") if isinstance(details, list) and details and isinstance(details[0], dict) else None
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error" if status < 500 else "server_error",
            "param": param,
            "code": "invalid_api_key" if status == 401 else code,
        }
    }


def render_error(request: Request, status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    """The error envelope, or OpenAI's for the OpenAI-compatible routes under /v1/."""
    if request.url.path.startswith("/v1/"):
        return JSONResponse(openai_error_body(status, code, message, details), status, headers=headers)
    return JSONResponse(error_body(code, message, details), status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render domain errors, validation errors and HTTP errors in the one envelope."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return render_error(request, exc.http_status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        await record_refused_request(request)
        details = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")) or "body",
                "problem": e["msg"],
            }
            for e in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
        return render_error(request, 422, "invalid_input", message, details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return render_error(request, exc.status_code, code, str(exc.detail), headers=exc.headers)
