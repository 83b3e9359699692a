"""Chat endpoints: JSON, server-sent events, and the OpenAI-compatible surface."""

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field, field_validator
from sse_starlette.sse import EventSourceResponse

from api.auth import PrincipalDep
from api.errors import OpenAIErrorOut, error_responses
from tools.errors import InvalidInput
from tools.registry import nul_fields

MODEL_ID = "shopcrew"


def refuse_nul(value):
    """Text with a NUL character is refused as input: PostgreSQL cannot store it (run records, checkpoints)."""
    if nul_fields(value):
        raise ValueError("must not contain NUL (\\x00) characters")
    return value


class ChatIn(BaseModel):
    message: str = Field(
        min_length=1,
        max_length=4000,
        description="What the person writes; 'yes'/'no' answers a pending confirmation.",
        examples=["where is my order #W2611340?"],
    )
    thread_id: str | None = Field(None, max_length=64, pattern=r"^[\w-]+$", description="Continue this conversation.")

    @field_validator("message")
    @classmethod
    def _no_nul(cls, message: str) -> str:
        return refuse_nul(message)


class ToolCallOut(BaseModel):
    name: str
    args: dict[str, Any]
    ok: bool


class ChatOut(BaseModel):
    reply: str = Field(description="The specialist's answer, verbatim.")
    agent: str = Field(description="The specialist who answered ('supervisor' when none could).")
    tool_calls: list[ToolCallOut] = Field(description="Tools run this turn and whether each succeeded.")
    pending_confirmation: dict[str, Any] | None = Field(description="The action waiting for yes or no, if any.")
    thread_id: str = Field(description="Pass it back to continue the conversation.")


class OpenAIMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    @field_validator("content")
    @classmethod
    def _no_nul(cls, content):
        return refuse_nul(content)

    def text(self) -> str:
        """The message's text, whether sent as a string or as content parts."""
        if isinstance(self.content, list):
            return "".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class CompletionIn(BaseModel):
    model: str = Field(MODEL_ID, description="Only 'shopcrew' is served.")
    messages: list[OpenAIMessage] = Field(min_length=1, description="The conversation; the last one is the user's.")
    stream: bool = False
    user: str | None = Field(None, max_length=64, description="Ignored: identity comes from the API key.")


router = APIRouter()
# A chat turn refuses in words; the request itself can still be unreadable, unauthenticated or name a thread
# that is not the caller's.
CHAT_ERRORS = error_responses(400, 401, 404, 422)
EVENT_STREAM = {
    200: {"description": "The answer; server-sent events when streamed.",
          "content": {"text/event-stream": {"schema": {
              "type": "object", "required": ["data"],
              "properties": {"event": {"type": "string"}, "data": {"type": "string"}},
          }}}}
}


def client_ip(request: Request) -> str | None:
    """The address the request came from (as REST tool routes take it), for fraud screening."""
    return request.client.host if request.client else None


@router.post("/api/v1/chat", response_model=ChatOut, tags=["chat"], summary="Send one message to the crew.",
             responses=CHAT_ERRORS)
async def chat(request: Request, principal: PrincipalDep, body: ChatIn) -> dict:
    result = await request.app.state.crew.ask(principal, body.message, body.thread_id, client_ip=client_ip(request))
    return result.public()


@router.post("/api/v1/chat/stream", tags=["chat"], summary="Send one message; progress as server-sent events.",
             responses={**EVENT_STREAM, **CHAT_ERRORS})
async def chat_stream(request: Request, principal: PrincipalDep, body: ChatIn) -> EventSourceResponse:
    events = request.app.state.crew.turn(principal, body.message, body.thread_id, client_ip=client_ip(request))
    first = await anext(events)  # raise ownership errors as a normal 4xx before the stream starts

    async def sse() -> AsyncIterator[dict]:
        async for event in _prepend(first, events):
            if event["event"] == "done":
                yield {"event": "done", "data": json.dumps(event["result"].public())}
            else:
                yield {"event": event["event"], "data": json.dumps({k: v for k, v in event.items() if k != "event"})}

    return EventSourceResponse(sse())


@router.get("/v1/models", tags=["openai"], summary="The one model served: the crew.",
            responses=error_responses(401, model=OpenAIErrorOut))
async def models(_: PrincipalDep) -> dict:
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "shopcrew"}]}


@router.post("/v1/chat/completions", tags=["openai"], summary="OpenAI-compatible chat completions over the crew.",
             responses={**EVENT_STREAM, **error_responses(400, 401, 404, 422, model=OpenAIErrorOut)})
async def completions(
    request: Request,
    response: Response,
    principal: PrincipalDep,
    body: CompletionIn,
    thread: Annotated[str | None, Header(alias="X-Thread-Id", max_length=64, pattern=r"^[\w-]+$")] = None,
):
    """Continue a conversation (to answer a confirmation, say) by sending its X-Thread-Id header back."""
    *earlier, last = [m for m in body.messages if m.role in ("user", "assistant")] or [None]
    if last is None or last.role != "user":
        raise InvalidInput("the last message must be the user's", details=[{"field": "messages", "problem": "no user"}])
    history = [HumanMessage(m.text()) if m.role == "user" else AIMessage(m.text()) for m in earlier]
    crew = request.app.state.crew
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    thread = thread or uuid.uuid4().hex
    if not body.stream:
        result = await crew.ask(principal, last.text(), thread, history=history, client_ip=client_ip(request))
        response.headers["X-Thread-Id"] = thread
        return _completion(completion_id, result)
    events = crew.turn(principal, last.text(), thread, history=history, client_ip=client_ip(request))
    first = await anext(events)
    chunks = _completion_chunks(completion_id, _prepend(first, events))
    return EventSourceResponse(chunks, headers={"X-Thread-Id": thread})


async def _prepend(first: dict, rest: AsyncIterator[dict]) -> AsyncIterator[dict]:
    yield first
    async for event in rest:
        yield event


def _completion(completion_id: str, result) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.reply}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "total_tokens": result.prompt_tokens + result.completion_tokens,
        },
        "shopcrew": result.public(),
    }


async def _completion_chunks(completion_id: str, events: AsyncIterator[dict]) -> AsyncIterator[dict]:
    """OpenAI streaming chunks: the reply as it is known, then a finish chunk and [DONE]."""

    def chunk(delta: dict, finish: str | None = None, **extra) -> dict:
        return {
            "data": json.dumps(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": MODEL_ID,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    **extra,
                }
            )
        }

    yield chunk({"role": "assistant"})
    result = None
    async for event in events:
        if event["event"] == "done":
            result = event["result"]
            yield chunk({"content": result.reply})
    # The last chunk carries the turn as `shopcrew` (agent, tools, pending confirmation, thread), as non-streaming does.
    yield chunk({}, "stop", shopcrew=result.public() if result else None)
    yield {"data": "[DONE]"}
