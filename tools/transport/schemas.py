"""Inputs and outputs of the transport tools."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from db.enums import ShipmentStatus, ShippingZone
from tools.schemas import Money, Number, OrderId, Page, Schema

CarrierCode = Annotated[str, Field(min_length=2, max_length=32, description="Carrier code or name, e.g. colissimo.",
                                   examples=["colissimo"])]
Weight = Annotated[Decimal, Field(gt=0, le=1000, max_digits=8, decimal_places=3,
                                  description="Parcel weight in kg.", examples=[2])]
Destination = Annotated[str, Field(min_length=2, max_length=60, examples=["Germany"],
                                   description="Where it goes: a country (name or ISO code, e.g. Germany, DE) "
                                               "or a zone (domestic, eu, world).")]
Prefix = Annotated[str, Field(pattern=r"^[A-Z0-9]{1,8}$", description="Tracking number prefix, e.g. 6A.",
                              examples=["6A"])]
OnTime = Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3, examples=[0.95],
                                  description="Share of parcels delivered on time, 0 to 1.")]


def ShipmentRef():  # noqa: N802  (reads like a type where it is used)
    """A shipment named by tracking number, shipment id or order number."""
    return Field(pattern=r"^#?[A-Za-z0-9][A-Za-z0-9-]{5,63}$", examples=["6A178923456701"],
                 description="Tracking number of the parcel (or its shipment id, or the order number).")


class CarrierRefIn(Schema):
    carrier_code: CarrierCode


class ListCarriersIn(Schema):
    include_inactive: bool = Field(False, description="Also list deactivated carriers.")


class RateIn(Schema):
    zone: ShippingZone = Field(description="Zone: domestic (France), eu or world.")
    max_weight_kg: Weight = Field(description="Upper bound of the weight band in kg (inclusive).")
    price: Money = Field(ge=0, description="Price in EUR for a parcel in this band.")
    transit_days: int = Field(ge=0, le=60, description="Usual days in transit.")


class CreateCarrierIn(Schema):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", description="Unique code in lower case.",
                      examples=["gls"])
    name: str = Field(min_length=2, max_length=100, description="Carrier name.", examples=["GLS"])
    tracking_prefix: Prefix
    on_time_rate: OnTime
    rates: list[RateIn] = Field(default_factory=list, max_length=100, description="Its rate table.")


class UpdateCarrierIn(Schema):
    carrier_code: CarrierCode
    name: str | None = Field(None, min_length=2, max_length=100, description="New name.")
    on_time_rate: OnTime | None = None
    active: bool | None = Field(None, description="False to stop offering it, True to offer it again.")
    tracking_prefix: Prefix | None = None
    rates: list[RateIn] = Field(default_factory=list, max_length=100,
                                description="Rate rows to set: each replaces the row of the same zone and band, "
                                            "or adds the band.")
    remove_zones: list[ShippingZone] = Field(default_factory=list, description="Zones the carrier stops serving.")

    @model_validator(mode="after")
    def something_to_change(self) -> "UpdateCarrierIn":
        """An update names at least one change (an empty one would only write an audit row)."""
        if all(getattr(self, f) is None for f in ("name", "on_time_rate", "active", "tracking_prefix")) and not (
                self.rates or self.remove_zones):
            raise ValueError("give at least one of name, on_time_rate, active, tracking_prefix, rates or remove_zones")
        return self


class RateOut(Schema):
    zone: ShippingZone = Field(description="Zone.")
    max_weight_kg: Number = Field(description="Upper bound of the weight band in kg.")
    price: Money = Field(description="Price in EUR.")
    transit_days: int = Field(description="Usual days in transit.")


class CarrierOut(Schema):
    code: str = Field(description="Carrier code.")
    name: str = Field(description="Carrier name.")
    tracking_prefix: str = Field(description="Tracking number prefix.")
    on_time_rate: Number = Field(description="Share of parcels delivered on time.")
    active: bool = Field(description="False once deactivated.")
    zones: list[str] = Field(description="Zones it serves.")
    rates: list[RateOut] = Field(description="Rate table by zone and weight band.")


class CarrierList(Schema):
    carriers: list[CarrierOut] = Field(description="Carriers by code.")


class DeleteCarrierOut(Schema):
    code: str = Field(description="Carrier code.")
    outcome: Literal["deleted", "deactivated"] = Field(
        description="deleted when nothing referred to it; deactivated when shipments or orders do.")
    message: str = Field(description="What happened, in a sentence.")


class QuoteIn(Schema):
    destination: Destination | None = Field(None, description="Where it goes: a country (name or ISO code, e.g. "
                                            "Germany, DE) or a zone (domestic, eu, world); left out: the "
                                            "customer's own country, or France for staff.")
    weight_kg: Weight


class QuoteOut(Schema):
    carrier_code: str = Field(description="Carrier code.")
    carrier_name: str = Field(description="Carrier name.")
    price: Money = Field(description="Price in EUR.")
    transit_days: int = Field(description="Usual days in transit.")
    parcels: int = Field(description="Parcels the weight is split into (a parcel weighs at most the heaviest band).")
    on_time_rate: Number = Field(description="Share of parcels delivered on time.")


class QuoteList(Schema):
    destination: str = Field(description="The destination asked for.")
    zone: ShippingZone = Field(description="Its shipping zone.")
    weight_kg: Number = Field(description="Weight quoted.")
    quotes: list[QuoteOut] = Field(description="One per carrier serving it, cheapest first.")


class ScoredOut(QuoteOut):
    normalised_price: Number = Field(description="(price - cheapest) / (dearest - cheapest), 0 when all equal.")
    score: Number = Field(description="0.6 x on-time x 100 + 0.4 x (1 - normalised price) x 100.")


class SelectionOut(Schema):
    destination: str = Field(description="The destination asked for.")
    zone: ShippingZone = Field(description="Its shipping zone.")
    weight_kg: Number = Field(description="Weight quoted.")
    best: ScoredOut = Field(description="The carrier with the best score.")
    alternatives: list[ScoredOut] = Field(description="Up to three next best, best first.")


class CreateShipmentIn(Schema):
    order_id: OrderId
    carrier_code: CarrierCode | None = Field(None, description="Carrier; the order's carrier or the best-scored "
                                                               "one when left out.")
    warehouse_ref: str | None = Field(None, min_length=1, max_length=100, examples=["PAR-1"],
                                      description="Warehouse it leaves from, when the order's stock is in several.")
    tracking_number: str | None = Field(None, pattern=r"^[A-Z0-9]{6,40}$",
                                        description="The carrier's number when the parcel was booked outside the "
                                                    "shop; otherwise the carrier books one.")


class ShipmentRefIn(Schema):
    shipment_ref: str = ShipmentRef()


class TrackingEventIn(Schema):
    shipment_ref: str = ShipmentRef()
    status: Literal["in_transit", "out_for_delivery", "delivered", "exception"] = Field(
        description="What the carrier reported: in_transit, out_for_delivery, delivered or exception.")
    location: str = Field("", max_length=100, description="Where it happened.", examples=["Lyon hub"])
    description: str = Field("", max_length=500, description="What happened, in words.",
                              examples=["Address not found"])


class ListShipmentsIn(Page):
    status: ShipmentStatus | None = Field(None, description="Only shipments in this status.")
    carrier_code: str | None = Field(None, min_length=2, max_length=32, description="Only this carrier's.")
    order_id: OrderId | None = Field(None, description="Only this order's parcels.")
    created_from: date | None = Field(None, description="Created on or after this day (UTC).")
    created_to: date | None = Field(None, description="Created on or before this day (UTC).")


class TrackingEventOut(Schema):
    status: ShipmentStatus = Field(description="Status the event reports.")
    location: str = Field(description="Where.")
    description: str = Field(description="What happened.")
    occurred_at: datetime = Field(description="When.")


class ShipmentOut(Schema):
    shipment_id: str = Field(description="Shipment id.")
    order_id: str = Field(description="Order number.")
    tracking_number: str | None = Field(description="Tracking number.")
    carrier_code: str | None = Field(description="Carrier code.")
    warehouse_id: int | None = Field(description="Warehouse it leaves from.")
    status: ShipmentStatus = Field(description="Shipment status.")
    item_ids: list[str] = Field(description="Item ids in the parcel, one per unit.")
    item_names: list[str] = Field(description="What the parcel holds: each unit's product name with its options in "
                                              "brackets, as its order line names it, in the order of item_ids.")
    weight_kg: Number | None = Field(description="Weight in kg.")
    cost: Money | None = Field(description="What the carrier charges the shop.")
    shipped_at: datetime | None = Field(description="When it left the warehouse.")
    delivered_at: datetime | None = Field(description="When it was delivered.")
    created_at: datetime = Field(description="When the shipment was created.")
    events: list[TrackingEventOut] = Field(default_factory=list, description="Tracking events, oldest first.")


class ShipmentList(Schema):
    shipments: list[ShipmentOut] = Field(description="Shipments, newest first (without their events).")
    total: int = Field(description="How many match in all.")


class TrackingEvents(Schema):
    tracking_number: str | None = Field(description="Tracking number.")
    status: ShipmentStatus = Field(description="Current status.")
    events: list[TrackingEventOut] = Field(description="Tracking events, oldest first.")


class SyncOut(ShipmentOut):
    applied: int = Field(description="New carrier events applied.")


def shipment_out(shipment: Any, with_events: bool = True) -> ShipmentOut:
    """The output shape of a shipment row."""
    return ShipmentOut(
        shipment_id=shipment.id, order_id=shipment.order_id, tracking_number=shipment.tracking_number,
        carrier_code=shipment.carrier_code, warehouse_id=shipment.warehouse_id, status=shipment.status,
        item_ids=list(shipment.item_ids), item_names=shipment.item_names, weight_kg=shipment.weight_kg,
        cost=shipment.cost,
        shipped_at=shipment.shipped_at, delivered_at=shipment.delivered_at, created_at=shipment.created_at,
        events=[TrackingEventOut.model_validate(e) for e in shipment.events] if with_events else [],
    )
