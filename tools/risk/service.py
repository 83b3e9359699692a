"""Risk detection and assessment over fresh metric series; callers own the transaction."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from db.enums import AlertSeverity
from db.models import RiskAlert
from tools.context import ToolContext
from tools.risk import alerts, metrics
from tools.risk.detect import Fences, Point, Verdict, verdict, window


@dataclass
class Finding:
    """A metric's verdict and the alerts its anomalies raised (or found already raised), by day."""

    verdict: Verdict
    alerts: dict[date, RiskAlert] = field(default_factory=dict)
    new_alerts: int = 0


async def detect(ctx: ToolContext, names: list[str], days: int, history_days: int) -> list[Finding]:
    """Recompute the metrics, judge the last `days` days against the IQR fences, raise an alert per anomaly."""
    now = ctx.now()
    history, period = window(now, days, history_days, await metrics.first_trading_day(ctx.session))
    series = await metrics.refresh(ctx.session, (history or period)[0], now)
    findings = []
    for name in names:
        judged = verdict(name, series[name], history, period, now.date())
        finding = Finding(judged)
        for point in judged.anomalies:
            alert, created = await alerts.raise_alert(ctx, name, point, judged.fences)
            finding.alerts[point.day] = alert
            finding.new_alerts += created
        findings.append(finding)
    return findings


def outside(point: Point, limits: Fences) -> Decimal:
    """How far a point lies beyond the fence it crossed."""
    return point.value - limits.upper if point.direction == "above" else limits.lower - point.value


def level_of(findings: list[Finding]) -> str:
    """unknown (nothing could be judged), else low / medium / high / critical by how much is anomalous."""
    if all(f.verdict.fences is None for f in findings):
        return "unknown"
    anomalous = [f for f in findings if f.verdict.anomalies]
    if len(anomalous) >= 3 or any(p.severity == AlertSeverity.CRITICAL for f in anomalous for p in f.verdict.anomalies):
        return "critical"
    return {0: "low", 1: "medium"}.get(len(anomalous), "high")


def explain(findings: list[Finding], days: int) -> str:
    """The assessment in a few plain sentences."""
    parts = []
    for f in findings:
        spec, judged = metrics.METRICS[f.verdict.metric], f.verdict
        if judged.fences is None:
            parts.append(f"{f.verdict.metric} could not be judged ({judged.reason}).")
        elif judged.anomalies:
            worst = max(judged.anomalies, key=lambda p: outside(p, judged.fences))
            parts.append(f"{f.verdict.metric} left its usual range on {len(judged.anomalies)} day(s), e.g. "
                         f"{worst.day}: {worst.value:.2f} {spec.unit} ({worst.direction} the fence range "
                         f"{judged.fences.lower:.2f} to {judged.fences.upper:.2f}).")
    calm = [f.verdict.metric for f in findings if f.verdict.fences is not None and not f.verdict.anomalies]
    if calm:
        parts.append(f"Within their usual range over the last {days} day(s): {', '.join(calm)}.")
    return " ".join(parts)

