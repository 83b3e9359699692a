"""Business metric history and the anomaly alerts raised on it."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.enums import AlertSeverity, AlertStatus


class MetricSample(Base):
    """The value of one business metric (orders, refunds, payment failures...) over one period."""

    __tablename__ = "metric_samples"
    __table_args__ = (UniqueConstraint("metric", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), index=True)
    period_start: Mapped[datetime] = mapped_column(index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RiskAlert(Base):
    """A metric value outside its IQR fences; one alert per metric and day."""

    __tablename__ = "risk_alerts"
    __table_args__ = (UniqueConstraint("metric", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), index=True)
    period_start: Mapped[datetime | None] = mapped_column(index=True)
    severity: Mapped[AlertSeverity] = mapped_column(String(16), index=True)
    status: Mapped[AlertStatus] = mapped_column(String(16), default=AlertStatus.OPEN, index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    lower_fence: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    upper_fence: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    description: Mapped[str] = mapped_column(Text, default="")
    detected_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))
