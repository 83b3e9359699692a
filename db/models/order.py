"""Orders, their lines (with per-stage quantities) and notes."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Money, Timestamped, utcnow
from db.enums import OrderChannel, OrderStatus


class Order(Timestamped, Base):
    """A customer order; its id is the number people quote, e.g. #W2611340."""

    __tablename__ = "orders"
    # Covers the sales report and dashboard (tools/backoffice/sales.py): their range scans by placement time read
    # every column they need from this index alone (SQLite and PostgreSQL index-only scans), never the wide rows.
    # Order search lists newest first within a customer or a status: these two serve the filter and the order
    # together (a customer's or a status's orders no longer all read and sorted), and their leading column serves
    # the foreign key and the status counts the single-column indexes served before.
    __table_args__ = (Index("ix_orders_sales_report", "placed_at", "status", "currency", "channel", "id", "total",
                            "subtotal", "shipping_cost"),
                      Index("ix_orders_customer_placed", "customer_id", "placed_at", "id"),
                      Index("ix_orders_status_placed", "status", "placed_at", "id"))

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[OrderStatus] = mapped_column(String(24))
    # Items of a pending order may be changed once; this records that it happened.
    items_modified: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[OrderChannel] = mapped_column(String(16), default=OrderChannel.WEB)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    subtotal: Mapped[Money] = mapped_column(default=Decimal("0"))
    shipping_cost: Mapped[Money] = mapped_column(default=Decimal("0"))
    # The carrier chosen at checkout (the shipping cost is its rate); None where the shop ships no carrier.
    carrier_code: Mapped[str | None] = mapped_column(ForeignKey("carriers.code"), index=True)
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    shipping_address: Mapped[dict[str, Any]]
    billing_address: Mapped[dict[str, Any] | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When the last line reached the customer; return and warranty windows count from here.
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )
    notes: Mapped[list["OrderNote"]] = relationship(cascade="all, delete-orphan", order_by="OrderNote.id")


class OrderLine(Base):
    """One ordered item with the name, SKU, options and price it had when ordered."""

    __tablename__ = "order_lines"
    # The sales report's split by category joins the lines of the orders in range: this index covers that join.
    __table_args__ = (Index("ix_order_lines_sales_report", "order_id", "product_id", "quantity", "unit_price"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int]
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unit_price: Mapped[Money]
    quantity: Mapped[int] = mapped_column(default=1)
    quantity_allocated: Mapped[int] = mapped_column(default=0)
    quantity_shipped: Mapped[int] = mapped_column(default=0)
    quantity_returned: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def label(self) -> str:
        """The line as a list names it: its product with the options that tell it from its siblings ("Flex Task
        Chair (grey, 4D)"), so a customer's two chair orders read apart."""
        options = ", ".join(str(value) for value in self.options.values())
        return f"{self.name} ({options})" if options else self.name


class OrderNote(Base):
    __tablename__ = "order_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
