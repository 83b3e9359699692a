"""Operational alerts about the crew itself."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamped
from db.enums import AlertSeverity, AlertStatus


class SystemAlert(Timestamped, Base):
    """An alert about the system or one agent, raised by monitoring or by another service."""

    __tablename__ = "system_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[AlertSeverity] = mapped_column(String(16), index=True)
    status: Mapped[AlertStatus] = mapped_column(String(16), default=AlertStatus.OPEN, index=True)
    agent: Mapped[str | None] = mapped_column(String(32), index=True)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
