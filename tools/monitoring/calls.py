"""The record of every tool call, written after the tool's own transaction and never in its way.

A call's row goes in its own short transaction once the tool's transaction has committed or rolled
back, so a refused or failed call is recorded too. Recording is best effort: if it fails, the failure
is logged and the tool's own result or error goes back to the caller unchanged.
"""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import CallVia, Role
from db.models import ToolCall
from tools.context import Principal
from tools.errors import DomainError

log = logging.getLogger(__name__)
# What a call that raised something other than a refusal records: a bug, never the caller's fault.
INTERNAL_ERROR = "internal_error"


def error_code(exc: BaseException) -> str:
    """The code a failed call is recorded with (never the message, which may quote the arguments)."""
    return exc.code if isinstance(exc, DomainError) else INTERNAL_ERROR


async def write_call(
    sessions: async_sessionmaker[AsyncSession], *, tool: str, agent: str, principal: Principal, via: CallVia,
    error: str | None, latency_ms: int,
) -> None:
    """Store one call's row in its own transaction; a failure to store it is logged, never raised."""
    try:
        async with unit_of_work(sessions) as session:
            session.add(ToolCall(
                tool=tool, agent=agent, role=principal.role, principal=principal.label, via=via,
                ok=error is None, error_code=error, latency_ms=latency_ms, created_at=utcnow(),
            ))
    except Exception:  # the record must never replace the tool's own result or error
        log.warning("could not record the %s call of %s", tool, principal.label, exc_info=True)


@asynccontextmanager
async def recorded(
    sessions: async_sessionmaker[AsyncSession], *, tool: str, agent: str, principal: Principal, via: CallVia,
) -> AsyncIterator[None]:
    """Record the tool call the block makes, with its outcome and latency, once the block is over."""
    started = time.perf_counter()

    async def write(error: str | None) -> None:
        elapsed = int((time.perf_counter() - started) * 1000)
        await write_call(sessions, tool=tool, agent=agent, principal=principal, via=via, error=error,
                         latency_ms=elapsed)

    # A cancelled call (the client went away) is not an outcome of the tool, so it is not recorded.
    try:
        yield
    except Exception as exc:
        await write(error_code(exc))
        raise
    await write(None)


async def recent_calls(
    session: AsyncSession, *, since: datetime | None, tool: str | None, agent: str | None, role: Role | None,
    ok: bool | None, via: CallVia | None, limit: int, offset: int,
) -> list[ToolCall]:
    """Recorded calls, newest first, filtered by time, tool, agent, role, outcome and face."""
    stmt = select(ToolCall)
    for column, wanted in ((ToolCall.tool, tool), (ToolCall.agent, agent), (ToolCall.role, role),
                           (ToolCall.ok, ok), (ToolCall.via, via)):
        if wanted is not None:
            stmt = stmt.where(column == wanted)
    if since is not None:
        stmt = stmt.where(ToolCall.created_at >= since)
    stmt = stmt.order_by(ToolCall.created_at.desc(), ToolCall.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())
