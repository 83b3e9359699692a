"""Carriers with their rate tables, shipments and tracking events."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Money, Timestamped, utcnow
from db.enums import ShipmentStatus, ShippingZone

if TYPE_CHECKING:
    from db.models.order import OrderLine


class Carrier(Base):
    __tablename__ = "carriers"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    tracking_prefix: Mapped[str] = mapped_column(String(8))
    on_time_rate: Mapped[Decimal] = mapped_column(Numeric(4, 3))
    active: Mapped[bool] = mapped_column(default=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)

    rates: Mapped[list["CarrierRate"]] = relationship(cascade="all, delete-orphan", order_by="CarrierRate.id")


class CarrierRate(Base):
    """Price and transit days for parcels up to max_weight_kg in one zone."""

    __tablename__ = "carrier_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_code: Mapped[str] = mapped_column(ForeignKey("carriers.code"), index=True)
    zone: Mapped[ShippingZone] = mapped_column(String(16))
    max_weight_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    price: Mapped[Money]
    transit_days: Mapped[int]


class Shipment(Timestamped, Base):
    """A parcel of an order (the retail benchmark's fulfillment: tracking ids and item ids)."""

    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier_code: Mapped[str | None] = mapped_column(ForeignKey("carriers.code"), index=True)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    # The parcel's number, indexed for lookups; tracking_numbers keeps the retail benchmark's list shape.
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    tracking_numbers: Mapped[list[str]] = mapped_column(default=list)
    item_ids: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[ShipmentStatus] = mapped_column(String(24), index=True)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    events: Mapped[list["TrackingEvent"]] = relationship(cascade="all, delete-orphan", order_by="TrackingEvent.id")
    # Its order's lines, read only: they name the items the parcel holds ("the parcel with the two DACs").
    order_lines: Mapped[list["OrderLine"]] = relationship(
        primaryjoin="Shipment.order_id == foreign(OrderLine.order_id)", viewonly=True, order_by="OrderLine.position")

    @property
    def item_names(self) -> list[str]:
        """What the parcel holds, one name per unit as its order line names it."""
        labels = {line.variant_id: line.label for line in self.order_lines}
        return [labels.get(item_id, item_id) for item_id in self.item_ids]


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[ShipmentStatus] = mapped_column(String(24))
    location: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
