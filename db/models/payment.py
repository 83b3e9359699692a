"""Payment methods, order payments and the transaction ledger (test gateway)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Money, Timestamped, utcnow
from db.enums import PaymentMethodKind, PaymentStatus, TransactionKind, TransactionResult


class PaymentMethod(Timestamped, Base):
    """A customer's card, PayPal account or gift card (gift cards carry a balance)."""

    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[PaymentMethodKind] = mapped_column(String(16))
    brand: Mapped[str | None] = mapped_column(String(32))
    last_four: Mapped[str | None] = mapped_column(String(4))
    paypal_email: Mapped[str | None] = mapped_column(String(255))
    balance: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    active: Mapped[bool] = mapped_column(default=True)


class Payment(Timestamped, Base):
    """Money moved for one order on one method, with its state-machine status."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    method_id: Mapped[str] = mapped_column(ForeignKey("payment_methods.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(32), default="sandbox")
    status: Mapped[PaymentStatus] = mapped_column(String(24), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    amount_authorized: Mapped[Money] = mapped_column(default=Decimal("0"))
    amount_captured: Mapped[Money] = mapped_column(default=Decimal("0"))
    amount_refunded: Mapped[Money] = mapped_column(default=Decimal("0"))

    method: Mapped[PaymentMethod] = relationship()
    transactions: Mapped[list["PaymentTransaction"]] = relationship(
        back_populates="payment", order_by="PaymentTransaction.id"
    )


class PaymentTransaction(Base):
    """One gateway operation; the ordered successful sales/captures/refunds are an order's history."""

    __tablename__ = "payment_transactions"
    # The sales report reads refunds by date (tools/backoffice/sales.py): one kind over a range of days, which
    # neither the kind index (every refund ever) nor the date index (every kind) answers alone on a large ledger.
    __table_args__ = (Index("ix_payment_transactions_kind_created_at", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    method_id: Mapped[str] = mapped_column(ForeignKey("payment_methods.id"), index=True)
    kind: Mapped[TransactionKind] = mapped_column(String(16), index=True)
    result: Mapped[TransactionResult] = mapped_column(String(16))
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    gateway_reference: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    payment: Mapped[Payment] = relationship(back_populates="transactions")
