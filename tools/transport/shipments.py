"""Shipments: what an order still has to send, creating a parcel with its tracking number, finding and listing."""

import uuid
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import OrderStatus, ReservationStatus, ShipmentStatus
from db.models import Carrier, Order, ProductVariant, Shipment, StockReservation, Warehouse
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, NotFound
from tools.order.service import day_start
from tools.schemas import normalize_order_id
from tools.transport import rates
from tools.transport.adapters import Booking, adapter_for
from tools.transport.carriers import get_carrier
from tools.transport.reference import zone_of
from tools.transport.states import record_event
from tools.warehouse.service import get_warehouse

SS = ShipmentStatus
SHIPPABLE_ORDERS = {OrderStatus.PENDING, OrderStatus.PROCESSED}
BOOKING_ATTEMPTS = 100


def _query():
    return select(Shipment).options(selectinload(Shipment.events), selectinload(Shipment.order_lines))


async def find_shipment(session: AsyncSession, ref: str, *, for_update: bool = False) -> Shipment:
    """A shipment by tracking number (any case), shipment id, or order number when the order has one parcel."""
    text = ref.strip()
    stmt = _query().where(or_(Shipment.tracking_number == text.upper(), Shipment.id == text))
    if for_update:
        stmt = stmt.with_for_update()
    if (found := (await session.execute(stmt)).scalars().first()) is not None:
        return found
    if text.lstrip("#").lstrip("Ww").isdigit():
        parcels = await order_shipments(session, normalize_order_id(text))
        # An order's parcel in exception was usually replaced: the live one is meant when there is one.
        parcels = [s for s in parcels if s.status != SS.EXCEPTION] or parcels
        if len(parcels) == 1:
            return await find_shipment(session, parcels[0].id, for_update=for_update)
        if len(parcels) > 1:
            raise Ambiguous(f"order {normalize_order_id(text)} has {len(parcels)} parcels; give a tracking number",
                            details=[{"tracking_number": s.tracking_number, "status": str(s.status)} for s in parcels])
    raise NotFound(f"shipment {text!r} not found")


async def visible_shipment(ctx: ToolContext, ref: str, *, for_update: bool = False) -> Shipment:
    """A shipment the caller may see: a customer only the parcels of their own orders (others: not found)."""
    shipment = await find_shipment(ctx.session, ref, for_update=for_update)
    owner = await ctx.session.scalar(select(Order.customer_id).where(Order.id == shipment.order_id))
    ctx.check_owner(owner, f"shipment {ref!r}")
    return shipment


async def order_shipments(session: AsyncSession, order_id: str) -> list[Shipment]:
    """The order's shipments with their events, oldest first."""
    stmt = _query().where(Shipment.order_id == order_id).order_by(Shipment.created_at, Shipment.id)
    return list((await session.execute(stmt)).scalars())


async def unsent_units(session: AsyncSession, order: Order) -> dict[int | None, Counter]:
    """Units of the order in no live parcel yet, by the warehouse holding them (None: sold without stock)."""
    live = [s for s in await order_shipments(session, order.id) if s.status != SS.EXCEPTION]
    remaining = Counter()
    for line in order.lines:
        remaining[line.variant_id] += line.quantity
    remaining.subtract(Counter(item for s in live for item in s.item_ids))
    taken = {s.warehouse_id for s in live}
    held = await session.execute(
        select(StockReservation.warehouse_id, StockReservation.variant_id, func.sum(StockReservation.quantity))
        .where(StockReservation.order_id == order.id, StockReservation.status == ReservationStatus.ACTIVE)
        .group_by(StockReservation.warehouse_id, StockReservation.variant_id)
        .order_by(StockReservation.warehouse_id, StockReservation.variant_id)
    )
    plan: dict[int | None, Counter] = {}
    for warehouse_id, variant_id, quantity in held:
        units = min(int(quantity), remaining[variant_id])
        if warehouse_id not in taken and units > 0:
            plan.setdefault(warehouse_id, Counter())[variant_id] += units
            remaining[variant_id] -= units
    loose = [v for v, n in remaining.items() if n > 0]
    untracked = set((await session.execute(select(ProductVariant.id).where(
        ProductVariant.id.in_(loose), ProductVariant.track_stock.is_(False)))).scalars())
    if untracked:
        # Items sold without stock records travel in the first parcel still to make.
        target = plan.setdefault(next(iter(plan), None), Counter())
        for variant_id in sorted(untracked):
            target[variant_id] += remaining[variant_id]
    return plan


async def _warehouse_choice(session: AsyncSession, plan: dict[int | None, Counter], order_id: str,
                            warehouse_ref: str | None) -> int | None:
    """Which warehouse's units the new parcel carries."""
    if not plan:
        raise Conflict(f"order {order_id} has nothing left to ship", code="nothing_to_ship")
    if warehouse_ref is not None:
        warehouse = await get_warehouse(session, warehouse_ref)
        if warehouse.id not in plan:
            raise Conflict(f"order {order_id} has nothing to ship from {warehouse.code}", code="nothing_to_ship")
        return warehouse.id
    if len(plan) > 1:
        codes = dict((await session.execute(select(Warehouse.id, Warehouse.code).where(
            Warehouse.id.in_([w for w in plan if w is not None])))).all())
        raise Ambiguous(f"order {order_id} ships from {len(plan)} warehouses; say which",
                        details=[{"warehouse": codes.get(w, "none")} for w in plan])
    return next(iter(plan))


async def _carrier_for(session: AsyncSession, order: Order, carrier_ref: str | None, zone: str,
                       weight: Decimal) -> Carrier:
    """The carrier asked for, else the order's, else the best-scored one for the parcel."""
    if carrier_ref is None and order.carrier_code is None:
        carrier_ref = (await rates.best(session, zone, weight)).quote.carrier_code
    carrier = await get_carrier(session, carrier_ref or order.carrier_code)
    if not carrier.active:
        raise Conflict(f"carrier {carrier.code} is deactivated", code="carrier_inactive")
    return carrier


async def _weight(session: AsyncSession, units: Counter) -> Decimal:
    """The weight of the units, from their variants' weights."""
    weights = dict((await session.execute(select(ProductVariant.id, ProductVariant.weight_kg).where(
        ProductVariant.id.in_(list(units))))).all())
    return sum((weights[v] * n for v, n in units.items()), Decimal(0))


async def _tracking_number(ctx: ToolContext, given: str | None, carrier: Carrier, order: Order, weight: Decimal,
                           country: str) -> str:
    """The number staff got from the carrier (it must be unused), else one booked through the carrier's adapter."""
    if given is None:
        return await _book(ctx, carrier, order, weight, country)
    if await ctx.session.scalar(select(Shipment.id).where(Shipment.tracking_number == given)):
        raise Conflict(f"tracking number {given} is already used", code="duplicate_tracking_number")
    return given


async def _book(ctx: ToolContext, carrier: Carrier, order: Order, weight: Decimal, country: str) -> str:
    """A tracking number from the carrier's adapter, not yet used by any parcel."""
    adapter = adapter_for(carrier.code)
    for attempt in range(BOOKING_ATTEMPTS):
        number = await adapter.book(Booking(carrier.code, carrier.tracking_prefix, order.id, weight, country,
                                            ctx.now(), attempt))
        if not await ctx.session.scalar(select(Shipment.id).where(Shipment.tracking_number == number)):
            return number
    raise Conflict(f"{carrier.name} gave no unused tracking number; try again", code="booking_failed")


async def create(ctx: ToolContext, order: Order, *, carrier_ref: str | None = None,
                 warehouse_ref: str | None = None, tracking_number: str | None = None) -> Shipment:
    """Create a pending parcel of the order's unsent units in one warehouse, booked with a carrier.

    This is the seam for the shipping label: the documents service adds the label to the shipment it returns.
    """
    if order.status not in SHIPPABLE_ORDERS:
        raise Conflict(f"order {order.id} is {order.status}; only pending or processed orders ship",
                       code="invalid_status", details={"status": str(order.status)})
    plan = await unsent_units(ctx.session, order)
    warehouse_id = await _warehouse_choice(ctx.session, plan, order.id, warehouse_ref)
    units = plan[warehouse_id]
    weight = await _weight(ctx.session, units)
    country = str(order.shipping_address.get("country", ""))
    zone = zone_of(country)
    carrier = await _carrier_for(ctx.session, order, carrier_ref, zone, weight)
    quote = rates.quote_carrier(carrier, zone, weight)
    if quote is None:
        raise rates.no_carrier(zone, weight)
    number = await _tracking_number(ctx, tracking_number, carrier, order, weight, country)
    shipment = Shipment(
        id=str(uuid.uuid4()), order_id=order.id, carrier_code=carrier.code, warehouse_id=warehouse_id,
        tracking_number=number, tracking_numbers=[number],
        item_ids=[v for line in order.lines for v in [line.variant_id] * units.pop(line.variant_id, 0)],
        status=SS.PENDING, weight_kg=weight, cost=quote.price, created_at=ctx.now(), updated_at=ctx.now(),
        events=[],
    )
    ctx.session.add(shipment)
    await ctx.session.flush()
    record_event(ctx, shipment, "", f"Shipment created; booked with {carrier.name}")
    facts = {"order_id": order.id, "carrier": carrier.code, "tracking_number": number, "cost": str(quote.price)}
    audit(ctx, "shipment", shipment.id, "created", to_state=SS.PENDING, data=facts)
    emit(ctx, "shipment.created", shipment.id, facts)
    return shipment


async def list_shipments(session: AsyncSession, *, customer_id: str | None, status: ShipmentStatus | None,
                         carrier_code: str | None, order_id: str | None, created_from: date | None,
                         created_to: date | None, limit: int, offset: int) -> tuple[list[Shipment], int]:
    """A page of shipments, newest first, with the total count."""
    stmt = select(Shipment).options(selectinload(Shipment.order_lines))
    if customer_id is not None:
        stmt = stmt.join(Order, Order.id == Shipment.order_id).where(Order.customer_id == customer_id)
    for column, value in ((Shipment.status, status), (Shipment.order_id, order_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if carrier_code is not None:
        stmt = stmt.where(Shipment.carrier_code == (await get_carrier(session, carrier_code)).code)
    if created_from is not None:
        stmt = stmt.where(Shipment.created_at >= day_start(created_from))
    if created_to is not None:
        stmt = stmt.where(Shipment.created_at < day_start(created_to + timedelta(days=1)))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(Shipment.created_at.desc(), Shipment.id).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0
