"""One REST route per registered tool, generated from its input and output models."""

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel, create_model

from api.auth import PrincipalDep
from api.errors import error_responses
from db.enums import CallVia
from tools.registry import ToolRegistry, ToolSpec
from tools.runner import execute
from tools.schemas import FileOut


def body_model(spec: ToolSpec) -> type[BaseModel] | None:
    """The input model without its path parameters, or None when nothing is left for the body."""
    fields = {k: v for k, v in spec.input_model.model_fields.items() if k not in spec.path_params}
    if not fields:
        return None
    if len(fields) == len(spec.input_model.model_fields):
        return spec.input_model
    definitions = {name: (f.annotation, f) for name, f in fields.items()}
    return create_model(f"{spec.input_model.__name__}Body", __config__=spec.input_model.model_config, **definitions)


def endpoint_signature(spec: ToolSpec) -> inspect.Signature:
    """Path, query or body parameters as FastAPI reads them, so OpenAPI shows every field."""
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", kw, annotation=Request),
        inspect.Parameter("principal", kw, annotation=PrincipalDep),
        inspect.Parameter(
            "idempotency_key",
            kw,
            default=None,
            annotation=Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)],
        ),
    ]
    fields = spec.input_model.model_fields
    for name in spec.path_params:
        params.append(
            inspect.Parameter(name, kw, annotation=Annotated[str, Path(description=fields[name].description)])
        )
    if spec.method == "GET":
        for name, f in fields.items():
            if name not in spec.path_params:
                default = inspect.Parameter.empty if f.is_required() else f.default
                query = Query(description=f.description)
                params.append(inspect.Parameter(name, kw, default=default, annotation=Annotated[f.annotation, query]))
    elif (model := body_model(spec)) is not None:
        if any(f.is_required() for f in model.model_fields.values()):
            params.append(inspect.Parameter("body", kw, annotation=Annotated[model, Body()]))
        else:  # nothing required: the body may be left out entirely
            params.append(inspect.Parameter("body", kw, default=None, annotation=Annotated[model | None, Body()]))
    return inspect.Signature(params)


def make_endpoint(spec: ToolSpec):
    """An async endpoint that gathers the arguments and runs the tool in one transaction."""

    async def endpoint(request: Request, principal, idempotency_key=None, body=None, **values: Any):
        args = dict(values)
        if body is not None:
            args.update(body.model_dump(exclude_unset=True))
        client_ip = request.client.host if request.client else None
        result = await execute(
            request.app.state.sessions, principal, spec.name, args, idempotency_key=idempotency_key,
            client_ip=client_ip, via=CallVia.REST,
        )
        return file_response(result) if isinstance(result, FileOut) else result

    endpoint.__signature__ = endpoint_signature(spec)
    endpoint.__name__ = spec.name
    return endpoint


def file_response(result: FileOut) -> Response:
    """A file result as its bytes, media type and download name, with the SHA-256 clients can check."""
    headers = {
        "Content-Disposition": f'attachment; filename="{result.filename}"',
        "X-Content-SHA256": result.sha256,
    }
    return Response(content=result.content, media_type=result.media_type, headers=headers)


def _success_response(spec: ToolSpec) -> dict:
    """OpenAPI of the 200 answer: the output model as JSON, or a file in one of its media types."""
    if not spec.returns_file:
        return {}
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "The file's bytes.", "content": dict.fromkeys(spec.output_model.MEDIA_TYPES, binary)}}


def tool_router(registry: ToolRegistry) -> APIRouter:
    """The /api/v1 router with every tool of the registry."""
    router = APIRouter(prefix="/api/v1")
    for spec in registry.all():
        router.add_api_route(
            spec.path,
            make_endpoint(spec),
            methods=[spec.method],
            response_model=None if spec.returns_file else spec.output_model,
            **({"response_class": Response} if spec.returns_file else {}),
            name=spec.name,
            summary=spec.description,
            description=_route_description(spec),
            tags=[spec.agent],
            responses={**_success_response(spec), **_error_responses(spec)},
            status_code=201 if spec.method == "POST" and spec.mutates and spec.name.startswith("create") else 200,
        )
    return router


def _error_responses(spec: ToolSpec) -> dict:
    """The errors a tool's route may answer: an unreadable body where there is one, a declined charge where
    something is written, and a service the tool needs that this deployment has not set up (the key that stores
    marketplace credentials, the knowledge index)."""
    statuses = [401, 403, 404, 409, 422, 503] + ([400] if spec.method != "GET" else []) + (
        [402] if spec.mutates else [])
    return error_responses(*sorted(statuses))


def _route_description(spec: ToolSpec) -> str:
    roles = ", ".join(sorted(spec.roles))
    notes = [f"Roles: {roles}."]
    if spec.confirm:
        notes.append("In chat this action asks for confirmation first.")
    if spec.examples:
        notes.append("Asked in chat as: " + "; ".join(f"“{e}”" for e in spec.examples[:3]) + ".")
    return " ".join(notes)
