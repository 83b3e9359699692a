"""Run one tool call inside one transaction: commit on success, roll back on any error."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import unit_of_work
from tools.context import Principal, ToolContext
from tools.registry import REGISTRY


async def execute(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    name: str,
    args: BaseModel | dict[str, Any],
    *,
    idempotency_key: str | None = None,
    client_ip: str | None = None,
) -> BaseModel:
    """Invoke the named tool as the principal in its own unit of work."""
    spec = REGISTRY.get(name)
    async with unit_of_work(sessions) as session:
        ctx = ToolContext(session=session, principal=principal, idempotency_key=idempotency_key, client_ip=client_ip)
        return await spec.invoke(ctx, args)
