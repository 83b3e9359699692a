"""Delivery of outbox events to their handlers: one row per event and handler (the dispatcher's ledger)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.enums import DeliveryStatus


class EventDelivery(Base):
    """One outbox event handed to one handler: status, attempts, next attempt and last error.

    A handler's effects and the move of this row to `delivered` commit in one transaction, so an
    effect is never applied twice. `aggregate` and `key` are copied from the event: deliveries of
    one aggregate to one handler go out in event order.
    """

    __tablename__ = "event_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "handler"),
        Index("ix_event_deliveries_stream", "handler", "aggregate", "key", "event_id"),
        Index("ix_event_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    handler: Mapped[str] = mapped_column(String(100))
    aggregate: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
