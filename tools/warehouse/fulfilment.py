"""The fulfilment chain: pack an order's parcels, ship them (stock leaves), deliver them (the order follows),
and every other move of a parcel; callers own the transaction."""

from collections import Counter
from datetime import datetime

from db.enums import OrderStatus, ShipmentStatus
from db.models import Carrier, Order, Shipment, Warehouse
from tools.audit import audit
from tools.context import ToolContext
from tools.errors import Conflict
from tools.inventory import service as inventory
from tools.order import service as orders
from tools.order import states as order_states
from tools.transport import rates, shipments
from tools.transport import states as parcels
from tools.transport.adapters import Parcel, adapter_for
from tools.transport.carriers import get_carrier
from tools.transport.reference import zone_of

SS = ShipmentStatus
# The order of a parcel's journey, to tell which carrier scans are news.
JOURNEY = [SS.PENDING, SS.PICKING, SS.PACKED, SS.SHIPPED, SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY, SS.DELIVERED]


async def _site(ctx: ToolContext, shipment: Shipment) -> str:
    warehouse = await ctx.session.get(Warehouse, shipment.warehouse_id) if shipment.warehouse_id else None
    return str(warehouse.address.get("city") or warehouse.name) if warehouse else ""


async def pack(ctx: ToolContext, order: Order) -> list[Shipment]:
    """Pack every parcel the order still needs, from its pick list, and move the order to processed."""
    if order.status not in (OrderStatus.PENDING, OrderStatus.PROCESSED):
        raise Conflict(f"order {order.id} is {order.status}; only pending or processed orders are packed",
                       code="invalid_status", details={"status": str(order.status)})
    waiting = [s for s in await shipments.order_shipments(ctx.session, order.id) if s.status == SS.PENDING]
    for warehouse_id in await shipments.unsent_units(ctx.session, order):
        warehouse = await ctx.session.get(Warehouse, warehouse_id) if warehouse_id else None
        waiting.append(await shipments.create(ctx, order, warehouse_ref=warehouse.code if warehouse else None))
    if not waiting:
        raise Conflict(f"order {order.id} has nothing left to pack", code="nothing_to_pack")
    for shipment in waiting:
        site = await _site(ctx, shipment)
        parcels.move(ctx, shipment, SS.PICKING, site, "Picking started")
        parcels.move(ctx, shipment, SS.PACKED, site, "Parcel packed and labelled")
    if order.status == OrderStatus.PENDING:
        await order_states.move(ctx, order, OrderStatus.PROCESSED, reason="packed")
    return waiting


async def _hand_over(ctx: ToolContext, shipment: Shipment, order: Order) -> None:
    """Stock leaves the warehouse: the order's reservations there are consumed, lines count the units shipped."""
    if order.status != OrderStatus.PROCESSED:
        raise Conflict(f"order {order.id} is {order.status}; only a processed order's parcels ship",
                       code="invalid_status", details={"status": str(order.status)})
    if shipment.warehouse_id is not None:
        await inventory.consume(ctx, order.id, shipment.warehouse_id)
    units = Counter(shipment.item_ids)
    for line in order.lines:
        sent = min(units[line.variant_id], line.quantity - line.quantity_shipped)
        line.quantity_shipped += sent
        units[line.variant_id] -= sent
    shipment.shipped_at = ctx.now()


async def _all_delivered(ctx: ToolContext, order: Order) -> bool:
    """True when delivered parcels hold every unit of every line."""
    done = Counter(v for s in await shipments.order_shipments(ctx.session, order.id)
                   if s.status == SS.DELIVERED for v in s.item_ids)
    wanted = Counter()
    for line in order.lines:
        wanted[line.variant_id] += line.quantity
    return all(done[v] >= n for v, n in wanted.items())


async def advance(ctx: ToolContext, shipment: Shipment, target: ShipmentStatus, location: str,
                  description: str, at: datetime | None = None) -> None:
    """Move a parcel on with a tracking event; shipping moves the stock, the last delivery the order."""
    order = await orders.get_order(ctx.session, shipment.order_id, for_update=True)
    parcels.move(ctx, shipment, target, location, description, at)
    if target == SS.SHIPPED:
        await _hand_over(ctx, shipment, order)
    if target == SS.DELIVERED:
        shipment.delivered_at = at or ctx.now()
        if order.status == OrderStatus.PROCESSED and await _all_delivered(ctx, order):
            await orders.mark_delivered(ctx, order, "all parcels delivered")


async def advance_or_note(ctx: ToolContext, shipment: Shipment, status: ShipmentStatus, location: str,
                          description: str) -> None:
    """A carrier's event on a parcel it holds: a new status moves it on, the same status is one more scan."""
    if shipment.shipped_at is None:
        raise Conflict(f"shipment {shipment.tracking_number} has not left the warehouse; carriers report only "
                       "on shipped parcels", code="not_shipped", details={"status": str(shipment.status)})
    if status == shipment.status:
        parcels.record_event(ctx, shipment, location, description)
        audit(ctx, "shipment", shipment.id, "tracking_event", data={"status": str(status), "location": location})
        return
    await advance(ctx, shipment, status, location, description)


async def ship(ctx: ToolContext, shipment: Shipment) -> None:
    """Hand a packed parcel to its carrier."""
    carrier = await ctx.session.get(Carrier, shipment.carrier_code) if shipment.carrier_code else None
    await advance(ctx, shipment, SS.SHIPPED, await _site(ctx, shipment),
                  f"Handed over to {carrier.name if carrier else 'the carrier'}")


async def sync(ctx: ToolContext, shipment: Shipment) -> int:
    """Apply the carrier's scans that are news (past the parcel's status); returns how many."""
    if shipment.status == SS.EXCEPTION or shipment.carrier_code is None or shipment.tracking_number is None:
        return 0
    order = await ctx.session.get(Order, shipment.order_id)
    carrier = await get_carrier(ctx.session, shipment.carrier_code)
    quote = rates.quote_carrier(carrier, zone_of(str(order.shipping_address.get("country", ""))),
                                shipment.weight_kg or 0)
    parcel = Parcel(shipment.tracking_number, shipment.shipped_at, quote.transit_days if quote else 1,
                    str(order.shipping_address.get("city", "")))
    applied = 0
    for scan in await adapter_for(carrier.code).fetch_events(parcel, ctx.now()):
        if JOURNEY.index(scan.status) > JOURNEY.index(shipment.status):
            await advance(ctx, shipment, scan.status, scan.location, scan.description, scan.occurred_at)
            applied += 1
    return applied
