"""Demo system alerts: one open warning, one acknowledged notice, one resolved critical alert."""

from datetime import datetime

from db.enums import AlertSeverity, AlertStatus
from db.models import SystemAlert
from db.seed.base import Rows, ago

# (source, agent, title, severity, status, hours ago, description)
ALERTS = [
    ("transport", "transport", "Carrier tracking updates arrive late", AlertSeverity.WARNING, AlertStatus.OPEN, 3,
     "Tracking events from two carriers arrive up to 6 hours late; customers may see stale parcel status."),
    ("monitoring", "knowledge", "Knowledge index rebuilt overnight", AlertSeverity.INFO, AlertStatus.ACKNOWLEDGED, 20,
     "The policy index was rebuilt after the corpus update; answers may quote the new articles."),
    ("payment", "payment", "Payment gateway timeouts", AlertSeverity.CRITICAL, AlertStatus.RESOLVED, 50,
     "Sales timed out for 12 minutes; the gateway recovered and no payment was lost."),
]
ADMIN = "staff:ada.admin"


def add_system_alerts(rows: Rows, anchor: datetime) -> None:
    """Queue the demo alerts (their ids are 1, 2, 3 in this order)."""
    for source, agent, title, severity, status, hours, description in ALERTS:
        raised = ago(anchor, seconds=hours * 3600)
        handled = ago(anchor, seconds=(hours - 1) * 3600)
        acknowledged = status in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED)
        resolved = status == AlertStatus.RESOLVED
        rows.add(
            SystemAlert, id=rows.next_id(SystemAlert), source=source, title=title, description=description,
            severity=severity, status=status, agent=agent, created_at=raised, updated_at=handled if acknowledged
            else raised, acknowledged_at=handled if acknowledged else None,
            acknowledged_by=ADMIN if acknowledged else None, resolved_at=handled if resolved else None,
            resolved_by=ADMIN if resolved else None,
            resolution="Gateway back to normal after the provider's fix." if resolved else None,
        )
