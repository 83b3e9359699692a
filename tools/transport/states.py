"""The shipment state machine (DESIGN 5) and closing the parcels of an order cancelled before they left."""

from datetime import datetime

from sqlalchemy import select

from db.enums import ShipmentStatus
from db.models import Shipment, TrackingEvent
from tools.context import ToolContext
from tools.errors import InvalidTransition
from tools.transitions import StateMachine

SS = ShipmentStatus
# Carriers skip scans (a parcel may be delivered straight from shipped), and a parcel out for delivery
# goes back in transit after a failed attempt. An exception before shipping goes back to picking; after
# shipping, the parcel resumes its journey (the guard below tells the two apart).
SHIPMENT_STATES = StateMachine(
    "shipment",
    {
        SS.PENDING: {SS.PICKING, SS.EXCEPTION},
        SS.PICKING: {SS.PACKED, SS.EXCEPTION},
        SS.PACKED: {SS.SHIPPED, SS.EXCEPTION},
        SS.SHIPPED: {SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED, SS.EXCEPTION},
        SS.IN_TRANSIT: {SS.OUT_FOR_DELIVERY, SS.DELIVERED, SS.EXCEPTION},
        SS.OUT_FOR_DELIVERY: {SS.IN_TRANSIT, SS.DELIVERED, SS.EXCEPTION},
        SS.EXCEPTION: {SS.PICKING, SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED},
    },
)
# Before these the parcel is still in the warehouse.
UNSHIPPED = frozenset({SS.PENDING, SS.PICKING, SS.PACKED})


def check_resume(shipment: Shipment, target: ShipmentStatus) -> None:
    """From exception, a parcel that never left goes back to picking; one that left resumes with the carrier."""
    if shipment.status != SS.EXCEPTION or target == SS.EXCEPTION:
        return
    left = shipment.shipped_at is not None
    if left == (target == SS.PICKING):
        where = "has left the warehouse" if left else "never left the warehouse"
        options = [SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED] if left else [SS.PICKING]
        raise InvalidTransition(
            f"shipment {shipment.tracking_number or shipment.id} {where}; from exception it can become "
            f"{', '.join(options)}",
            details={"from": str(shipment.status), "to": str(target), "allowed": [str(o) for o in options]},
        )


def record_event(ctx: ToolContext, shipment: Shipment, location: str, description: str,
                 at: datetime | None = None) -> TrackingEvent:
    """Append a tracking event at the shipment's current status (at `at`, default now)."""
    event = TrackingEvent(shipment_id=shipment.id, status=shipment.status, location=location,
                          description=description, occurred_at=at or ctx.now())
    ctx.session.add(event)
    return event


def move(ctx: ToolContext, shipment: Shipment, target: ShipmentStatus, location: str, description: str,
         at: datetime | None = None) -> None:
    """Move the shipment through the table (audit row, `shipment.<status>` event) and log a tracking event."""
    check_resume(shipment, target)
    SHIPMENT_STATES.move(ctx, shipment, target, data={"order_id": shipment.order_id,
                                                      "tracking_number": shipment.tracking_number})
    shipment.updated_at = ctx.now()
    record_event(ctx, shipment, location, description, at)


async def close_unshipped(ctx: ToolContext, order_id: str, reason: str) -> int:
    """Put the order's parcels still in the warehouse in exception (the order was cancelled); returns how many."""
    stmt = (select(Shipment).where(Shipment.order_id == order_id, Shipment.status.in_(UNSHIPPED))
            .order_by(Shipment.created_at, Shipment.id).with_for_update())
    parcels = list((await ctx.session.execute(stmt)).scalars())
    for shipment in parcels:
        move(ctx, shipment, SS.EXCEPTION, "", f"Order cancelled before shipping: {reason}; parcel unpacked")
    return len(parcels)
