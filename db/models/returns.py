"""Returns (RMA) and their lines, exchanges, satisfaction surveys and warranty claims."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Money, Timestamped, utcnow
from db.enums import (
    Disposition,
    ExchangeStatus,
    ItemCondition,
    ReturnReason,
    ReturnResolution,
    RmaStatus,
    WarrantyStatus,
)


class ReturnRequest(Timestamped, Base):
    """A return merchandise authorisation; rma_number is the one people quote (RMA-YYYYMMDD-XXXXXXXX)."""

    __tablename__ = "return_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rma_number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[RmaStatus] = mapped_column(String(16), default=RmaStatus.REQUESTED, index=True)
    reason: Mapped[ReturnReason] = mapped_column(String(32), index=True)
    resolution: Mapped[ReturnResolution] = mapped_column(String(16))
    refund_method_id: Mapped[str | None] = mapped_column(ForeignKey("payment_methods.id"), index=True)
    # What the resolution pays back (refund or store credit): the items' value less label_cost.
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The prepaid return label taken from the refund when the reason is not the shop's fault.
    label_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The warehouse that received the parcel.
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    received_at: Mapped[datetime | None]
    inspected_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    lines: Mapped[list["ReturnLine"]] = relationship(
        back_populates="rma", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )


class ReturnLine(Base):
    """Units of one order line being returned, with the condition found and what happens to them."""

    __tablename__ = "return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_id: Mapped[str] = mapped_column(ForeignKey("return_requests.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    quantity: Mapped[int]
    condition: Mapped[ItemCondition | None] = mapped_column(String(16))
    disposition: Mapped[Disposition | None] = mapped_column(String(24))

    rma: Mapped[ReturnRequest] = relationship(back_populates="lines")


class Exchange(Timestamped, Base):
    """Items of an order swapped for other variants; price_difference > 0 means the customer pays."""

    __tablename__ = "exchanges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    rma_id: Mapped[str | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    payment_method_id: Mapped[str | None] = mapped_column(ForeignKey("payment_methods.id"), index=True)
    price_difference: Mapped[Money] = mapped_column(default=Decimal("0"))
    status: Mapped[ExchangeStatus] = mapped_column(String(16), default=ExchangeStatus.REQUESTED, index=True)

    lines: Mapped[list["ExchangeLine"]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="ExchangeLine.position"
    )


class ExchangeLine(Base):
    __tablename__ = "exchange_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("exchanges.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    old_variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    new_variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)

    exchange: Mapped[Exchange] = relationship(back_populates="lines")


class SatisfactionSurvey(Base):
    """A customer's rating (1-5) and optional net-promoter score (0-10) after an order or return."""

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        # One survey per order.
        UniqueConstraint("order_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("nps BETWEEN 0 AND 10", name="nps_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    rma_id: Mapped[str | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    rating: Mapped[int]
    nps: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WarrantyClaim(Timestamped, Base):
    """A claim under the legal warranty; claim_number is the one people quote (WC-YYYYMMDD-XXXXXXXX)."""

    __tablename__ = "warranty_claims"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[WarrantyStatus] = mapped_column(String(16), default=WarrantyStatus.SUBMITTED, index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
