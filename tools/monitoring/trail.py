"""The audit trail read back: who changed what, filtered by record, person and time."""

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent
from tools.schemas import normalize_order_id

ORDER_NUMBER = re.compile(r"^#?[Ww]\d{5,9}$")


async def audit_events(
    session: AsyncSession, *, entity: str | None, entity_id: str | None, actor: str | None, action: str | None,
    since: datetime | None, until: datetime | None, limit: int, offset: int,
) -> tuple[list[AuditEvent], int]:
    """A page of audit rows, newest first, with the total count; the actor matches any part of its label."""
    stmt = select(AuditEvent)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if entity_id:
        # Orders are written '#W2611340' in the trail; people also write W2611340 or 2611340.
        ids = {entity_id, normalize_order_id(entity_id)} if ORDER_NUMBER.match(entity_id) else {entity_id}
        stmt = stmt.where(AuditEvent.entity_id.in_(ids))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor).contains(actor.lower(), autoescape=True))
    if since is not None:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.created_at < until)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0
