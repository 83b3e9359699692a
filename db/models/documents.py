"""Invoices and credit notes (gapless numbering) and generated documents."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, utcnow
from db.enums import DocumentFormat, DocumentKind, InvoiceStatus


class InvoiceSequence(Base):
    """Last number issued in a series (invoice or credit note) and year; bumped in the document's transaction."""

    __tablename__ = "invoice_sequences"

    series: Mapped[DocumentKind] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(Base):
    """An invoice or credit note (e.g. INV-2026-000123) with the lines and billing it showed."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind_invoice_or_credit_note"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[InvoiceStatus] = mapped_column(String(16), default=InvoiceStatus.ISSUED, index=True)
    kind: Mapped[DocumentKind] = mapped_column(String(16), default=DocumentKind.INVOICE, index=True)
    # For a credit note: the invoice it cancels.
    credits_invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    # For a credit note issued for a refund: that refund transaction (one credit note per refund).
    refund_transaction_id: Mapped[int | None] = mapped_column(ForeignKey("payment_transactions.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # Prices are VAT-inclusive: total is gross, subtotal is net (total less tax), shipping is gross.
    subtotal: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    shipping: Mapped[Money] = mapped_column(default=Decimal("0"))
    vat_rate_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("20"))
    # Snapshots: names, SKUs, quantities and prices; the billing name and address; the delivery address.
    lines: Mapped[list[Any]] = mapped_column(default=list)
    billing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ship_to: Mapped[dict[str, Any]] = mapped_column(default=dict)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]


class Document(Base):
    """A rendered file (invoice, credit note, packing slip, shipping label) kept for download."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(String(16), index=True)
    format: Mapped[DocumentFormat] = mapped_column(String(8))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
