"""Run one tool call inside one transaction: commit on success, roll back on any error."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import unit_of_work
from db.enums import CallVia
from tools.context import Principal, ToolContext
from tools.monitoring.calls import recorded
from tools.registry import REGISTRY


async def execute(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    name: str,
    args: BaseModel | dict[str, Any],
    *,
    idempotency_key: str | None = None,
    client_ip: str | None = None,
    via: CallVia = CallVia.INTERNAL,
) -> BaseModel:
    """Invoke the named tool as the principal in its own unit of work; the call is recorded after it."""
    spec = REGISTRY.get(name)
    # The record is written after unit_of_work has committed or rolled back: never inside the tool's transaction.
    async with (
        recorded(sessions, tool=spec.name, agent=spec.agent, principal=principal, via=via),
        unit_of_work(sessions) as session,
    ):
        ctx = ToolContext(session=session, principal=principal, idempotency_key=idempotency_key, client_ip=client_ip)
        return await spec.invoke(ctx, args)
