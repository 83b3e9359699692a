"""A principal's own conversations: list them, and fetch one to show or continue it."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.errors import error_responses
from tools.monitoring.threads import threads_of

ThreadId = Annotated[str, Path(max_length=64, pattern=r"^[\w-]+$", description="The conversation's id.")]


class ThreadOut(BaseModel):
    thread_id: str = Field(description="Pass it back to continue the conversation.")
    title: str = Field(description="The message that opened it.")
    started_at: datetime = Field(description="When it opened (UTC).")
    updated_at: datetime = Field(description="When it last moved (UTC).")
    turns: int = Field(description="How many messages the person sent.")
    last_agent: str = Field(description="The specialist who answered last.")


class StepOut(BaseModel):
    id: str = Field(description="The tool call's id.")
    name: str = Field(description="The tool.")
    args: dict[str, Any] = Field(description="The arguments it was called with.")
    ok: bool | None = Field(description="Whether it succeeded; null while it waits for a yes or no.")
    latency_ms: int | None = Field(None, description="How long it ran.")
    result: Any = Field(None, description="Its structured result, when it succeeded.")
    error: str | None = Field(None, description="Why it was not carried out, in words.")


class TurnOut(BaseModel):
    user: str = Field(description="What the person wrote ('' for a history an OpenAI client seeded).")
    agent: str | None = Field(description="The specialist who answered.")
    reply: str = Field(description="The answer.")
    steps: list[StepOut] = Field(description="The tools run for it, in order.")


class ConversationOut(BaseModel):
    thread_id: str = Field(description="The conversation's id.")
    turns: list[TurnOut] = Field(description="Every turn, oldest first.")
    pending_confirmation: dict[str, Any] | None = Field(description="The action waiting for yes or no, if any.")


router = APIRouter(prefix="/api/v1/chat/threads", tags=["chat"])


@router.get("", response_model=list[ThreadOut], summary="Your conversations, most recent first.",
            responses=error_responses(401))
async def list_threads(request: Request, principal: PrincipalDep) -> list:
    async with request.app.state.sessions() as session:
        return await threads_of(session, principal.label)


@router.get("/{thread_id}", response_model=ConversationOut, summary="One of your conversations, turn by turn.",
            responses=error_responses(401, 404, 422))
async def get_thread(request: Request, principal: PrincipalDep, thread_id: ThreadId) -> dict:
    return await request.app.state.crew.conversation(principal, thread_id)
