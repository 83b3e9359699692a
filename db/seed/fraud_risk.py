"""The demo shop's fraud and risk fixtures: two blocklist entries and two risk alerts on daily orders.

Added after the shop is built, so no other id or figure moves. The alerts are the ones the risk agent's
detector raises on this shop (orders per day, judged over the last 7 days against the 28 days before):
tests/db/test_seed_fraud_risk.py runs the detector on a seeded shop and checks they agree.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import AlertSeverity, AlertStatus, BlockedKind
from db.models import BlockedEntity, RiskAlert
from db.seed.base import Rows, ago

# (kind, value, reason, blocked days ago, expires in days or None, by)
BLOCKS = [
    (BlockedKind.EMAIL, "chargeback.king@example.org", "three chargebacks on stolen cards", 40, None,
     "staff:sam.support"),
    (BlockedKind.IP, "203.0.113.66", "card testing: 40 declined attempts in an hour", 6, 30, "staff:ada.admin"),
]
# (days before seeding, orders that day, severity, status, acknowledged by); fences of the 28 days before.
LOWER, UPPER = Decimal("-2.5"), Decimal("9.5")
ALERTS = [
    (4, Decimal(19), AlertSeverity.CRITICAL, AlertStatus.ACKNOWLEDGED, "staff:mia.merchant"),
    (1, Decimal(11), AlertSeverity.WARNING, AlertStatus.OPEN, None),
]


def add_fraud_and_risk(rows: Rows, anchor: datetime) -> None:
    """Queue the blocklist entries and the risk alerts."""
    for kind, value, reason, age, lasts, by in BLOCKS:
        created = ago(anchor, days=age)
        rows.add(BlockedEntity, id=rows.next_id(BlockedEntity), kind=kind, value=value, reason=reason,
                 blocked_by=by, created_at=created, unblocked_at=None,
                 expires_at=anchor + timedelta(days=lasts) if lasts else None)
    for age, value, severity, status, acknowledged_by in ALERTS:
        day = ago(anchor, days=age)
        side = f"above the upper fence of {UPPER:.2f}"
        rows.add(RiskAlert, id=rows.next_id(RiskAlert), metric="orders", period_start=day, severity=severity,
                 status=status, value=value, lower_fence=LOWER, upper_fence=UPPER,
                 description=f"orders on {day.date()}: {value:.2f} orders, {side}",
                 detected_at=day + timedelta(days=1, hours=2), acknowledged_by=acknowledged_by,
                 acknowledged_at=day + timedelta(days=1, hours=3) if acknowledged_by else None,
                 resolved_at=None, resolved_by=None)


def docs_section(rows: Rows, anchor: datetime) -> str:
    """The 'Fraud and risk' section of docs/demo-data.md."""
    blocks = [f"| {e['kind']} | `{e['value']}` | {e['reason']} | {_expiry(e)} |" for e in rows.of(BlockedEntity)]
    alerts = [f"| {a['id']} | {a['metric']} | {_days(anchor - a['period_start'])} before seeding | "
              f"{a['value']:.0f} | {a['upper_fence']:.2f} | {a['severity']} | {a['status']} |"
              for a in rows.of(RiskAlert)]
    return "\n".join([
        "## Fraud and risk", "",
        "Blocklist entries (an order from a blocked email scores 100 and is refused; a blocked IP adds 40):", "",
        "| kind | value | reason | expires |", "|---|---|---|---|", *blocks, "",
        "Risk alerts on daily orders (the demo's last days are busier than the four weeks before them; "
        "`detect_anomalies` finds the same days and reuses these alerts):", "",
        "| id | metric | day | orders | upper fence | severity | status |", "|---|---|---|---|---|---|---|", *alerts,
    ])


def _expiry(entry: dict[str, Any]) -> str:
    return "never" if entry["expires_at"] is None else "30 days after seeding"


def _days(age: timedelta) -> str:
    return f"{age.days} day{'s' if age.days != 1 else ''}"
