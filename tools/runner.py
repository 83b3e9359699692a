"""Run one tool call inside one transaction: commit on success, roll back on any error."""

import logging
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Integer, inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import unit_of_work
from db.enums import CallVia
from tools.context import Principal, ToolContext
from tools.monitoring.calls import recorded
from tools.registry import REGISTRY

log = logging.getLogger(__name__)


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
    async with recorded(sessions, tool=spec.name, agent=spec.agent, principal=principal, via=via):
        ctx = None
        try:
            async with unit_of_work(sessions) as session:
                ctx = ToolContext(session=session, principal=principal, idempotency_key=idempotency_key,
                                  client_ip=client_ip)
                return await spec.invoke(ctx, args)
        except Exception:
            if ctx is not None and ctx.lasting:
                await write_lasting(sessions, ctx.lasting)
            raise


def fresh_copy(row: Any) -> Any:
    """A new, unsaved row with the same column values; a generated (integer) key is left to the database."""
    mapper = inspect(row).mapper
    generated = {c.key for c in mapper.primary_key if isinstance(c.type, Integer)}
    values = {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs if attr.key not in generated}
    return mapper.class_(**values)


async def write_lasting(sessions: async_sessionmaker[AsyncSession], rows: list[Any]) -> None:
    """Write the rows a failed call asked to keep, in their own transaction after its rollback.

    A failure here is logged, never raised: the caller must still see the call's own error.
    """
    try:
        async with unit_of_work(sessions) as session:
            session.add_all([fresh_copy(row) for row in rows])
    except Exception:
        log.exception("could not keep %d row(s) of a failed tool call", len(rows))
