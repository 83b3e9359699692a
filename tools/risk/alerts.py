"""Risk alerts: raised once per metric and day, then acknowledged and resolved by the alert state machine."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import AlertSeverity, AlertStatus
from db.models import RiskAlert
from tools.alerts import alert_machine
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import NotFound
from tools.order.service import day_start
from tools.risk.detect import Fences, Point
from tools.risk.metrics import METRICS

RISK_ALERTS = alert_machine("risk_alert")
ACTIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def describe(metric: str, point: Point, limits: Fences) -> str:
    """The alert's sentence, e.g. 'refunds on 2026-12-01: 812.40 EUR, above the upper fence of 310.00'."""
    side = f"above the upper fence of {limits.upper:.2f}" if point.direction == "above" else \
        f"below the lower fence of {limits.lower:.2f}"
    partial = " (so far today)" if point.partial else ""
    return f"{metric} on {point.day}{partial}: {point.value:.2f} {METRICS[metric].unit}, {side}"


async def raise_alert(ctx: ToolContext, metric: str, point: Point, limits: Fences) -> tuple[RiskAlert, bool]:
    """The alert for this metric and day, created unless one exists already; returns it and whether it is new."""
    insert = pg_insert if ctx.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RiskAlert).values(
        metric=metric, period_start=day_start(point.day), severity=point.severity, status=AlertStatus.OPEN,
        value=point.value, lower_fence=limits.lower, upper_fence=limits.upper,
        description=describe(metric, point, limits), detected_at=ctx.now(),
    ).on_conflict_do_nothing(index_elements=["metric", "period_start"]).returning(RiskAlert.id)
    created = (await ctx.session.execute(stmt)).scalar() is not None  # nothing returned: it existed already
    alert = await ctx.session.scalar(select(RiskAlert).where(
        RiskAlert.metric == metric, RiskAlert.period_start == day_start(point.day)))
    if created:
        facts = {"metric": metric, "day": str(point.day), "value": str(point.value), "severity": str(point.severity)}
        audit(ctx, "risk_alert", str(alert.id), "raised", to_state=AlertStatus.OPEN, data=facts)
        emit(ctx, "risk_alert.raised", str(alert.id), facts)
    return alert, created


async def list_alerts(session: AsyncSession, *, status: AlertStatus | None, metric: str | None,
                      severity: AlertSeverity | None, limit: int, offset: int) -> tuple[list[RiskAlert], int]:
    """Risk alerts, newest day first; without a status only the open and acknowledged ones."""
    stmt = select(RiskAlert).where(RiskAlert.status == status if status else RiskAlert.status.in_(ACTIVE))
    if metric:
        stmt = stmt.where(RiskAlert.metric == metric)
    if severity:
        stmt = stmt.where(RiskAlert.severity == severity)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(RiskAlert.period_start.desc(), RiskAlert.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0


async def get_alert(session: AsyncSession, alert_id: int) -> RiskAlert:
    """A risk alert by id, locked for the status change."""
    alert = (await session.execute(select(RiskAlert).where(RiskAlert.id == alert_id).with_for_update())).scalar()
    if alert is None:
        raise NotFound(f"risk alert {alert_id} not found")
    return alert


def acknowledge(ctx: ToolContext, alert: RiskAlert, note: str) -> None:
    """open -> acknowledged: someone is looking at it."""
    data = {"note": note} if note else None
    RISK_ALERTS.move(ctx, alert, AlertStatus.ACKNOWLEDGED, entity_id=str(alert.id), data=data)
    alert.acknowledged_by, alert.acknowledged_at = ctx.actor, ctx.now()


def resolve(ctx: ToolContext, alert: RiskAlert, outcome: AlertStatus, note: str) -> None:
    """open | acknowledged -> resolved (dealt with) or dismissed (a false alarm)."""
    data = {"note": note} if note else None
    RISK_ALERTS.move(ctx, alert, outcome, entity_id=str(alert.id), data=data)
    alert.resolved_by, alert.resolved_at = ctx.actor, ctx.now()

