"""Operational alerts about the crew itself, and the record of every tool call."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Timestamped, utcnow
from db.enums import AlertSeverity, AlertStatus, CallVia, Role


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
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolution: Mapped[str | None] = mapped_column(Text)


class ToolCall(Base):
    """One tool call through any face (REST or chat), written after the tool's own transaction."""

    __tablename__ = "tool_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    tool: Mapped[str] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[Role] = mapped_column(String(16), index=True)
    principal: Mapped[str] = mapped_column(String(128), index=True)
    via: Mapped[CallVia] = mapped_column(String(16))
    ok: Mapped[bool] = mapped_column(index=True)
    # The DomainError code of a refusal, "internal_error" for a bug; None when the call succeeded.
    error_code: Mapped[str | None] = mapped_column(String(64))
    latency_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
