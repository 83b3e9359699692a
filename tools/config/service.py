"""Read and write typed settings; callers own the transaction."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SystemConfig
from tools.audit import audit, emit
from tools.config.catalogue import CATALOGUE, ConfigKey, lookup
from tools.context import ToolContext


async def value(session: AsyncSession, key: ConfigKey) -> Any:
    """The stored value of the setting, or its declared default."""
    row = await session.get(SystemConfig, key.key)
    return key.default if row is None or row.value is None else row.value


async def set_value(ctx: ToolContext, key_name: str, raw: Any) -> SystemConfig:
    """Validate and store a setting, with an audit row and a config.changed event."""
    key = lookup(key_name)
    checked = key.validate(raw)
    row = await ctx.session.get(SystemConfig, key.key)
    before = None if row is None else row.value
    if row is None:
        row = SystemConfig(key=key.key, description=key.description, created_at=ctx.now())
        ctx.session.add(row)
    row.value, row.updated_by, row.updated_at = checked, ctx.actor, ctx.now()
    audit(ctx, "config", key.key, "config_changed", data={"from": before, "to": checked})
    emit(ctx, "config.changed", key.key, {"from": before, "to": checked})
    return row


async def all_values(session: AsyncSession) -> list[tuple[ConfigKey, Any, SystemConfig | None]]:
    """Every declared setting with its current value and stored row (None while at its default)."""
    rows = {r.key: r for r in (await session.execute(select(SystemConfig))).scalars()}
    out = []
    for name in sorted(CATALOGUE):
        key, row = CATALOGUE[name], rows.get(name)
        out.append((key, key.default if row is None or row.value is None else row.value, row))
    return out
