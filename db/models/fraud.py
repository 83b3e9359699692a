"""Fraud screening results and the blocklist."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.enums import BlockedKind, FraudLevel


class FraudCheck(Base):
    """One scoring of an order or customer: the score, its level, the factors and the decision.

    A check refused at checkout has no order (none was created); it is kept all the same.
    """

    __tablename__ = "fraud_checks"
    __table_args__ = (CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    score: Mapped[int]
    level: Mapped[FraudLevel] = mapped_column(String(16), index=True)
    factors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # approve, flag, review or block
    decision: Mapped[str] = mapped_column(String(16), index=True)
    # checkout (an order being placed), rescore (an existing order) or customer (an account as a whole)
    source: Mapped[str] = mapped_column(String(16), default="checkout", server_default="checkout")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    checked_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    # released or rejected, when staff reviewed the order held because of this check
    review_outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class BlockedEntity(Base):
    """A blocked email, IP, customer or card; unblocking sets unblocked_at (one row per kind+value).

    An entry counts while it is neither unblocked nor past its expires_at (no expiry: permanent).
    """

    __tablename__ = "blocked_entities"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BlockedKind] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text, default="")
    blocked_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    unblocked_at: Mapped[datetime | None] = mapped_column(index=True)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
