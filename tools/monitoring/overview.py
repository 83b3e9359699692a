"""The system's overall status from open alerts and agent health (DESIGN 6)."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from db.enums import AlertSeverity
from tools.monitoring.figures import percent

# DESIGN 6: degraded when more than 30 % of the agents judged in the window show errors.
DEGRADED_SHARE = Decimal(30)


class SystemStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Verdict:
    """The status, and every condition that holds (the first one decided the status)."""

    status: SystemStatus
    reasons: list[str]


def degraded(judged: int, failing: int) -> bool:
    """More than 30 % of the judged agents show errors (never with no agent judged)."""
    return judged > 0 and Decimal(failing) * 100 > DEGRADED_SHARE * judged


def system_status(open_alerts: dict[AlertSeverity, int], judged: list[str], failing: list[str]) -> Verdict:
    """critical if any open critical alert; else warning if any open alert; else degraded; else healthy."""
    reasons = []
    if open_alerts.get(AlertSeverity.CRITICAL):
        reasons.append(f"{open_alerts[AlertSeverity.CRITICAL]} open critical alert(s)")
    if total := sum(open_alerts.values()):
        reasons.append(f"{total} open alert(s) in all")
    if degraded(len(judged), len(failing)):
        share = percent(len(failing), len(judged))
        reasons.append(f"{len(failing)} of {len(judged)} agents judged show errors ({share} %): {', '.join(failing)}")
    if open_alerts.get(AlertSeverity.CRITICAL):
        status = SystemStatus.CRITICAL
    elif total:
        status = SystemStatus.WARNING
    elif degraded(len(judged), len(failing)):
        status = SystemStatus.DEGRADED
    else:
        status = SystemStatus.HEALTHY
    return Verdict(status, reasons)
