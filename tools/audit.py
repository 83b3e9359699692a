"""Audit rows and outbox events, written inside the caller's transaction."""

from typing import Any

from db.models import AuditEvent, OutboxEvent
from tools.context import ToolContext


def audit(
    ctx: ToolContext,
    entity: str,
    entity_id: str,
    action: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Record who did what to which record."""
    ctx.session.add(
        AuditEvent(
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=ctx.actor,
            data=data or {},
            created_at=ctx.now(),
        )
    )


def emit(ctx: ToolContext, topic: str, key: str, payload: dict[str, Any]) -> None:
    """Queue a domain event in the outbox; it is published only if the transaction commits."""
    ctx.session.add(OutboxEvent(topic=topic, key=str(key), payload=payload, created_at=ctx.now()))
