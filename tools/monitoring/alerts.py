"""System alerts: raised by staff or services, acknowledged and closed through the shared alert table."""

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AlertSeverity, AlertStatus
from db.models import SystemAlert
from tools.alerts import alert_machine
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import NotFound

ALERTS = alert_machine("system_alert")
# An alert stays open until it is resolved or dismissed: acknowledging it says someone is on it.
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
SEVERITY_RANK = {AlertSeverity.CRITICAL: 0, AlertSeverity.WARNING: 1, AlertSeverity.INFO: 2}


def raise_alert(
    ctx: ToolContext, *, source: str, title: str, description: str, severity: AlertSeverity, agent: str | None,
) -> SystemAlert:
    """Open a new alert, with an audit row and a system_alert.raised event (flush to get its id)."""
    alert = SystemAlert(
        source=source, title=title, description=description, severity=severity, agent=agent,
        status=AlertStatus.OPEN, created_at=ctx.now(), updated_at=ctx.now(),
    )
    ctx.session.add(alert)
    return alert


def announce(ctx: ToolContext, alert: SystemAlert) -> None:
    """The audit row and event of a new alert (once it has an id)."""
    facts = {"severity": str(alert.severity), "source": alert.source, "agent": alert.agent}
    audit(ctx, ALERTS.entity, str(alert.id), "raised", to_state=alert.status, data=facts)
    emit(ctx, "system_alert.raised", str(alert.id), facts)


async def get_alert(session: AsyncSession, alert_id: int, *, for_update: bool = False) -> SystemAlert:
    """An alert by id (locked for writing when asked)."""
    stmt = select(SystemAlert).where(SystemAlert.id == alert_id)
    alert = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if alert is None:
        raise NotFound(f"system alert {alert_id} not found")
    return alert


async def list_alerts(
    session: AsyncSession, *, statuses: list[AlertStatus], severity: AlertSeverity | None, agent: str | None,
    limit: int, offset: int,
) -> tuple[list[SystemAlert], int]:
    """A page of alerts in the statuses, most severe then newest first, with the total count."""
    stmt = select(SystemAlert).where(SystemAlert.status.in_(statuses))
    if severity is not None:
        stmt = stmt.where(SystemAlert.severity == severity)
    if agent is not None:
        stmt = stmt.where(SystemAlert.agent == agent)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rank = case(SEVERITY_RANK, value=SystemAlert.severity, else_=len(SEVERITY_RANK))
    page = stmt.order_by(rank, SystemAlert.created_at.desc(), SystemAlert.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0


async def open_by_severity(session: AsyncSession) -> dict[AlertSeverity, int]:
    """How many unresolved alerts there are of each severity."""
    stmt = (select(SystemAlert.severity, func.count()).where(SystemAlert.status.in_(UNRESOLVED))
            .group_by(SystemAlert.severity))
    counts = dict.fromkeys(AlertSeverity, 0)
    for severity, count in await session.execute(stmt):
        counts[AlertSeverity(severity)] = count
    return counts


def acknowledge(ctx: ToolContext, alert: SystemAlert, note: str | None) -> None:
    """open -> acknowledged: someone is on it."""
    ALERTS.move(ctx, alert, AlertStatus.ACKNOWLEDGED, data={"note": note} if note else None)
    alert.acknowledged_at, alert.acknowledged_by = ctx.now(), ctx.actor


def resolve(ctx: ToolContext, alert: SystemAlert, note: str | None, dismissed: bool) -> None:
    """Close the alert: resolved (fixed) or dismissed (a false alarm)."""
    target = AlertStatus.DISMISSED if dismissed else AlertStatus.RESOLVED
    ALERTS.move(ctx, alert, target, data={"note": note} if note else None)
    alert.resolved_at, alert.resolved_by, alert.resolution = ctx.now(), ctx.actor, note
