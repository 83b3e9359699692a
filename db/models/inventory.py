"""Warehouses, stock levels, reservations and the append-only movement ledger."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Timestamped, utcnow
from db.enums import MovementKind, ReservationStatus


class Warehouse(Timestamped, Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    country: Mapped[str] = mapped_column(String(2), default="FR")
    capacity_units: Mapped[int] = mapped_column(default=10000)
    active: Mapped[bool] = mapped_column(default=True)


class StockLevel(Base):
    """On-hand and allocated units of one variant in one warehouse."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "variant_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    allocated: Mapped[int] = mapped_column(default=0)
    reorder_point: Mapped[int] = mapped_column(default=10)
    max_stock: Mapped[int] = mapped_column(default=100)

    warehouse: Mapped[Warehouse] = relationship()


class StockReservation(Timestamped, Base):
    """Units held for a cart or order until they are consumed, released or expire."""

    __tablename__ = "stock_reservations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    quantity: Mapped[int]
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[ReservationStatus] = mapped_column(String(16), default=ReservationStatus.ACTIVE, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)


class StockMovement(Base):
    """One signed change of on-hand stock; rows are only ever inserted."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    quantity: Mapped[int]
    kind: Mapped[MovementKind] = mapped_column(String(16), index=True)
    reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
