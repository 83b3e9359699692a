"""Risk tools: thin registry entries over metric series, IQR detection, assessment and risk alerts.

Merchants and admins only: the series show revenue and refunds, which the payment and order analytics also
keep to them.
"""

from datetime import timedelta
from decimal import Decimal

from db.enums import AlertStatus, Role
from db.models import RiskAlert
from tools.context import ToolContext
from tools.registry import tool
from tools.risk import alerts, metrics, service
from tools.risk import schemas as s
from tools.risk.detect import Point, Verdict

AGENT = "risk"
MANAGERS = {Role.MERCHANT, Role.ADMIN}
ALL_METRICS = list(metrics.METRICS)


def point_out(point: Point, alert: RiskAlert | None) -> s.PointOut:
    """One judged day."""
    return s.PointOut(day=point.day, value=point.value, partial=point.partial, anomalous=point.anomalous,
                      direction=point.direction, severity=point.severity, alert_id=alert.id if alert else None)


def verdict_out(finding: service.Finding) -> s.MetricVerdictOut:
    """A metric's fences, points and offending points."""
    judged: Verdict = finding.verdict
    spec, limits = metrics.METRICS[judged.metric], judged.fences
    points = [point_out(p, finding.alerts.get(p.day)) for p in judged.points]
    figures = {"q1": limits.q1, "q3": limits.q3, "iqr": limits.iqr, "lower_fence": limits.lower,
               "upper_fence": limits.upper} if limits else {}
    return s.MetricVerdictOut(
        metric=judged.metric, description=spec.description, unit=spec.unit, judged=limits is not None,
        reason=judged.reason, history_points=limits.points if limits else 0, points=points,
        anomalies=[p for p in points if p.anomalous], **figures,
    )


def alert_out(alert: RiskAlert) -> s.RiskAlertOut:
    """A risk alert with the day it is about."""
    return s.RiskAlertOut.model_validate(alert, from_attributes=True).model_copy(
        update={"day": alert.period_start.date() if alert.period_start else None})


@tool(agent=AGENT, method="POST", path="/risk/detect", roles=MANAGERS, mutates=True,
      examples=["any anomalies in refunds this week?", "detect anomalies in our orders over the last 7 days",
                "is anything unusual in payment failures lately", "run the anomaly detector on revenue",
                "check the business metrics for spikes", "were there abnormal return rates in the last 14 days"])
async def detect_anomalies(ctx: ToolContext, params: s.DetectIn) -> s.DetectOut:
    """Detect anomalies in daily orders, revenue, refunds, payment failures or return rate (IQR fences)."""
    findings = await service.detect(ctx, [params.metric] if params.metric else ALL_METRICS, params.days,
                                    params.history_days)
    period = findings[0].verdict.points
    return s.DetectOut(
        period_start=period[0].day, period_end=period[-1].day, history_days=params.history_days,
        metrics=[verdict_out(f) for f in findings],
        anomalies_found=sum(len(f.verdict.anomalies) for f in findings),
        alerts_raised=sum(f.new_alerts for f in findings), summary=service.explain(findings, params.days),
    )


@tool(agent=AGENT, method="POST", path="/risk/assess", roles=MANAGERS, mutates=True,
      examples=["risk assessment", "give me a risk assessment of the last week", "how risky is the business right now",
                "assess our risk over the last 14 days", "overall risk level this week?"])
async def assess_risk(ctx: ToolContext, params: s.AssessIn) -> s.AssessOut:
    """Assess business risk over a period: which metrics are anomalous, an overall level and why."""
    findings = await service.detect(ctx, ALL_METRICS, params.days, params.history_days)
    _, active = await alerts.list_alerts(ctx.session, status=None, metric=None, severity=None, limit=1, offset=0)
    period = findings[0].verdict.points
    return s.AssessOut(
        level=service.level_of(findings), explanation=service.explain(findings, params.days),
        anomalous_metrics=[f.verdict.metric for f in findings if f.verdict.anomalies], open_alerts=active,
        alerts_raised=sum(f.new_alerts for f in findings), period_start=period[0].day, period_end=period[-1].day,
        metrics=[verdict_out(f) for f in findings],
    )


@tool(agent=AGENT, method="GET", path="/risk/metrics/{metric}", roles=MANAGERS,
      examples=["daily orders over the last 30 days", "refund history for the last two weeks",
                "show the payment failures per day this month", "revenue per day last week",
                "return rate trend over 60 days"])
async def get_metric_history(ctx: ToolContext, params: s.HistoryIn) -> s.HistoryOut:
    """A business metric day by day (orders, revenue, refunds, payment failures, return rate), freshly computed."""
    first = ctx.now().date() - timedelta(days=params.days - 1)
    series = (await metrics.refresh(ctx.session, first, ctx.now()))[params.metric]
    values = list(series.values())
    spec = metrics.METRICS[params.metric]
    return s.HistoryOut(
        metric=params.metric, description=spec.description, unit=spec.unit,
        points=[s.DayValue(day=d, value=v) for d, v in series.items()], minimum=min(values), maximum=max(values),
        average=(sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01")), total=sum(values, Decimal(0)),
    )


@tool(agent=AGENT, method="GET", path="/risk/alerts", roles=MANAGERS,
      examples=["show open risk alerts", "list the risk alerts", "any critical risk alerts?",
                "risk alerts about refunds", "which risk alerts were acknowledged"])
async def list_risk_alerts(ctx: ToolContext, params: s.ListAlertsIn) -> s.AlertListOut:
    """List risk alerts raised by anomaly detection (open and acknowledged unless a status is given)."""
    rows, total = await alerts.list_alerts(ctx.session, status=params.status, metric=params.metric,
                                           severity=params.severity, limit=params.limit, offset=params.offset)
    return s.AlertListOut(alerts=[alert_out(a) for a in rows], total=total)


@tool(agent=AGENT, method="POST", path="/risk/alerts/{alert_id}/acknowledge", roles=MANAGERS, mutates=True,
      examples=["acknowledge risk alert 3", "I'm looking into risk alert 2, acknowledge it",
                "ack the risk alert number 1", "mark risk alert 4 as acknowledged"])
async def acknowledge_risk_alert(ctx: ToolContext, params: s.AcknowledgeIn) -> s.RiskAlertOut:
    """Acknowledge an open risk alert (someone is looking into it)."""
    alert = await alerts.get_alert(ctx.session, params.alert_id)
    alerts.acknowledge(ctx, alert, params.note)
    return alert_out(alert)


@tool(agent=AGENT, method="POST", path="/risk/alerts/{alert_id}/resolve", roles=MANAGERS, mutates=True,
      examples=["resolve risk alert 3", "risk alert 2 is dealt with, close it",
                "dismiss risk alert 1, it was a false alarm", "mark risk alert 4 as resolved"])
async def resolve_risk_alert(ctx: ToolContext, params: s.ResolveIn) -> s.RiskAlertOut:
    """Resolve a risk alert (dealt with) or dismiss it (a false alarm)."""
    alert = await alerts.get_alert(ctx.session, params.alert_id)
    alerts.resolve(ctx, alert, AlertStatus(params.outcome), params.note)
    return alert_out(alert)


@tool(agent=AGENT, method="POST", path="/risk/metrics/backfill", roles=MANAGERS, mutates=True,
      examples=["backfill the risk metrics for the last 90 days", "rebuild the metric history for a year",
                "recompute the daily business metrics"])
async def backfill_risk_metrics(ctx: ToolContext, params: s.BackfillIn) -> s.BackfillOut:
    """Compute and store the daily business metrics of the last N days (what `shopcrew risk backfill` runs)."""
    written = await metrics.backfill(ctx.session, ctx.now(), params.days)
    return s.BackfillOut(first_day=ctx.now().date() - timedelta(days=params.days - 1), last_day=ctx.now().date(),
                         metrics=ALL_METRICS, samples_written=written)
