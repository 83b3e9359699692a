"""Stock availability and reservations; callers own the transaction.

Every change of StockLevel.allocated is a conditional UPDATE whose row count is checked, so
concurrent callers never hold more than is on hand. Stock rows are locked in (variant, warehouse)
order and reservations before stock rows, so the paths here cannot deadlock one another; a caller
reserving several variants in one transaction should do so in variant id order.
"""

from datetime import datetime, timedelta
from typing import Literal
from uuid import uuid4

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.base import utcnow
from db.enums import ReservationStatus
from db.models import Product, ProductVariant, StockLevel, StockReservation, Warehouse
from tools.audit import audit
from tools.config import service as config
from tools.config.catalogue import declare
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, InsufficientStock, InvalidInput, NotFound
from tools.inventory.movements import ship_reserved
from tools.product import matching
from tools.transitions import StateMachine

RESERVATION_TTL = declare(
    "inventory.reservation_ttl_minutes", "number", 30,
    "Minutes a stock hold without an order (cart, quote) lasts before it lapses by itself; order holds never lapse.",
    minimum=1, maximum=24 * 60, integer=True,
)
# reserve(ttl_minutes=FROM_SETTING) reads RESERVATION_TTL; ttl_minutes=None holds until released or consumed.
FROM_SETTING: Literal["setting"] = "setting"

RESERVATION_FLOW = StateMachine(
    "stock_reservation",
    {ReservationStatus.ACTIVE: {ReservationStatus.RELEASED, ReservationStatus.EXPIRED, ReservationStatus.CONSUMED}},
)


async def _variant_by_ref(session: AsyncSession, ref: str) -> ProductVariant | None:
    stmt = (
        select(ProductVariant)
        .options(selectinload(ProductVariant.product))
        .where(or_(ProductVariant.id == ref, func.lower(ProductVariant.sku) == ref.lower()))
    )
    found = list((await session.execute(stmt)).scalars())
    return next((v for v in found if v.id == ref), found[0] if found else None)


async def find_items(session: AsyncSession, ref: str) -> tuple[Product, list[ProductVariant]]:
    """The variants a reference names: one by variant id or SKU, or all of a product by id or exact name."""
    ref = ref.strip()
    variant = await _variant_by_ref(session, ref)
    if variant is not None:
        return variant.product, [variant]
    stmt = (
        select(Product)
        .options(selectinload(Product.variants))
        .where(or_(Product.id == ref, func.lower(Product.name) == ref.lower()))
    )
    products = list((await session.execute(stmt)).scalars())
    products = [p for p in products if p.id == ref] or products
    if not products:
        # "the pink mouse": the product a loose name means, narrowed to the variants whose options it names.
        loose = await matching.closest(session, ref, include_archived=False)
        if len(loose) == 1:
            return loose[0].product, list(loose[0].variants)
        raise NotFound(f"no item or product matches {ref!r}")
    if len(products) > 1:
        raise Ambiguous(
            f"several products are named {ref!r}; give a product id or a SKU",
            details=[{"product_id": p.id, "name": p.name} for p in products],
        )
    return products[0], list(products[0].variants)


async def get_variant(session: AsyncSession, ref: str) -> ProductVariant:
    """One variant by id or SKU; a product reference names its variant only when it has just one."""
    product, variants = await find_items(session, ref)
    if len(variants) == 1:
        return variants[0]
    if not variants:
        raise NotFound(f"product {product.name!r} has no variants")
    raise Ambiguous(
        f"{product.name} has {len(variants)} variants; say which SKU",
        details=[{"variant_id": v.id, "sku": v.sku, "options": v.options} for v in variants],
    )


async def shift_allocated(session: AsyncSession, warehouse_id: int, variant_id: str, delta: int) -> bool:
    """Add delta to allocated in one conditional UPDATE; False when it would exceed on hand or go negative."""
    stmt = (
        update(StockLevel)
        .where(
            StockLevel.warehouse_id == warehouse_id,
            StockLevel.variant_id == variant_id,
            StockLevel.on_hand - StockLevel.allocated >= delta,
            StockLevel.allocated + delta >= 0,
        )
        .values(allocated=StockLevel.allocated + delta)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).rowcount == 1


async def _free_by_warehouse(session: AsyncSession, variant_id: str) -> list[tuple[int, int]]:
    """(warehouse id, free units) of a variant in active warehouses, its rows locked in warehouse order."""
    stmt = (
        select(StockLevel.warehouse_id, StockLevel.on_hand - StockLevel.allocated)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.variant_id == variant_id, Warehouse.active.is_(True))
        .order_by(StockLevel.warehouse_id)
        .with_for_update(of=StockLevel)
    )
    return [(warehouse_id, free) for warehouse_id, free in await session.execute(stmt)]


def _split(free: list[tuple[int, int]], quantity: int) -> list[tuple[int, int]]:
    """Take the quantity from the warehouses with the most free units first."""
    plan, remaining = [], quantity
    for warehouse_id, units in sorted(free, key=lambda wf: (-wf[1], wf[0])):
        take = min(units, remaining)
        if take <= 0:
            break
        plan.append((warehouse_id, take))
        remaining -= take
    return plan


def _short(variant_id: str, requested: int, available: int) -> InsufficientStock:
    return InsufficientStock(
        f"only {available} of the {requested} units of item {variant_id} are available",
        details={"variant_id": variant_id, "requested": requested, "available": available},
    )


async def _sellable_variant(session: AsyncSession, variant_id: str) -> ProductVariant:
    variant = await session.get(ProductVariant, variant_id)
    if variant is None:
        raise NotFound(f"item {variant_id!r} not found")
    if not variant.available:
        raise Conflict(f"item {variant_id} ({variant.sku}) is not available for sale", code="unavailable")
    return variant


async def reserve(ctx: ToolContext, variant_id: str, quantity: int, *, order_id: str | None = None,
                  reference: str = "",
                  ttl_minutes: int | None | Literal["setting"] = FROM_SETTING) -> list[StockReservation]:
    """Hold units of a variant across warehouses (most available first); all or nothing."""
    if quantity < 1:
        raise InvalidInput("quantity must be at least 1")
    variant = await _sellable_variant(ctx.session, variant_id)
    if not variant.track_stock:
        return []
    await _expire(ctx, StockReservation.variant_id == variant_id)
    plan = _split(await _free_by_warehouse(ctx.session, variant_id), quantity)
    held = sum(units for _, units in plan)
    if held < quantity:
        raise _short(variant_id, quantity, held)
    for warehouse_id, units in plan:
        # The rows are locked, so this cannot miss; if it ever did, refusing beats overselling.
        if not await shift_allocated(ctx.session, warehouse_id, variant_id, units):
            raise _short(variant_id, quantity, 0)
    if ttl_minutes == FROM_SETTING:
        ttl_minutes = await config.value(ctx.session, RESERVATION_TTL)
    now = ctx.now()
    expires_at = None if ttl_minutes is None else now + timedelta(minutes=ttl_minutes)
    rows = [
        StockReservation(
            id=str(uuid4()), warehouse_id=warehouse_id, variant_id=variant_id, quantity=units, order_id=order_id,
            reference=reference, status=ReservationStatus.ACTIVE, expires_at=expires_at, created_at=now,
            updated_at=now,
        )
        for warehouse_id, units in plan
    ]
    ctx.session.add_all(rows)
    for row in rows:
        audit(ctx, "stock_reservation", row.id, "reserved", to_state=ReservationStatus.ACTIVE,
              data={"variant_id": variant_id, "warehouse_id": row.warehouse_id, "quantity": row.quantity,
                    "order_id": order_id})
    await ctx.session.flush()
    return rows


async def _active(session: AsyncSession, *criteria) -> list[StockReservation]:
    """Active reservations matching the criteria, locked so two callers cannot close one twice."""
    stmt = (
        select(StockReservation)
        .where(StockReservation.status == ReservationStatus.ACTIVE, *criteria)
        # Closing them touches stock rows in this (variant, warehouse) order, the order every path locks them in.
        .order_by(StockReservation.variant_id, StockReservation.warehouse_id, StockReservation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def _close(ctx: ToolContext, reservation: StockReservation, target: ReservationStatus) -> int:
    """Move an active reservation to released or expired and give its units back; returns them."""
    RESERVATION_FLOW.move(ctx, reservation, target,
                          data={"variant_id": reservation.variant_id, "quantity": reservation.quantity})
    if not await shift_allocated(ctx.session, reservation.warehouse_id, reservation.variant_id, -reservation.quantity):
        raise Conflict(f"stock of item {reservation.variant_id} holds fewer units than reservation {reservation.id}")
    return reservation.quantity


async def _expire(ctx: ToolContext, *criteria) -> int:
    stale = await _active(ctx.session, StockReservation.expires_at <= ctx.now(), *criteria)
    for reservation in stale:
        await _close(ctx, reservation, ReservationStatus.EXPIRED)
    return len(stale)


async def release(ctx: ToolContext, *, order_id: str | None = None, reservation_id: str | None = None,
                  variant_id: str | None = None) -> int:
    """Release active reservations of an order (optionally one variant) or one by id; returns units released."""
    if order_id is None and reservation_id is None:
        raise InvalidInput("say which order or reservation to release")
    criteria = []
    if order_id is not None:
        criteria.append(StockReservation.order_id == order_id)
    if reservation_id is not None:
        criteria.append(StockReservation.id == reservation_id)
    if variant_id is not None:
        criteria.append(StockReservation.variant_id == variant_id)
    released = 0
    for reservation in await _active(ctx.session, *criteria):
        released += await _close(ctx, reservation, ReservationStatus.RELEASED)
    return released


async def consume(ctx: ToolContext, order_id: str, warehouse_id: int | None = None) -> int:
    """Ship an order's active reservations (in one warehouse, when given): one shipment ledger row each;
    returns units shipped."""
    shipped = 0
    criteria = [StockReservation.order_id == order_id]
    if warehouse_id is not None:
        criteria.append(StockReservation.warehouse_id == warehouse_id)
    for reservation in await _active(ctx.session, *criteria):
        RESERVATION_FLOW.move(ctx, reservation, ReservationStatus.CONSUMED,
                              data={"variant_id": reservation.variant_id, "quantity": reservation.quantity})
        await ship_reserved(ctx, reservation.warehouse_id, reservation.variant_id, reservation.quantity, order_id)
        shipped += reservation.quantity
    return shipped


async def expire_reservations(ctx: ToolContext) -> int:
    """Release reservations whose expires_at has passed (status expired); returns how many."""
    return await _expire(ctx)


async def available_by_variant(session: AsyncSession, variant_ids: list[str], now: datetime) -> dict[str, int]:
    """Free units per variant in active warehouses, counting lapsed reservations as free (read only)."""
    free = (
        select(StockLevel.variant_id, func.sum(StockLevel.on_hand - StockLevel.allocated))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.variant_id.in_(variant_ids), Warehouse.active.is_(True))
        .group_by(StockLevel.variant_id)
    )
    lapsed = (
        select(StockReservation.variant_id, func.sum(StockReservation.quantity))
        .join(Warehouse, Warehouse.id == StockReservation.warehouse_id)
        .where(
            StockReservation.variant_id.in_(variant_ids), Warehouse.active.is_(True),
            StockReservation.status == ReservationStatus.ACTIVE, StockReservation.expires_at <= now,
        )
        .group_by(StockReservation.variant_id)
    )
    totals = dict.fromkeys(variant_ids, 0)
    for stmt in (free, lapsed):
        for variant_id, units in await session.execute(stmt):
            totals[variant_id] += int(units or 0)
    return totals


async def available_quantity(session: AsyncSession, variant_id: str, *, now: datetime | None = None) -> int | None:
    """Sum of on_hand - allocated over warehouses after expiring stale reservations; None for untracked."""
    variant = await session.get(ProductVariant, variant_id)
    if variant is None:
        raise NotFound(f"item {variant_id!r} not found")
    if not variant.track_stock:
        return None
    return (await available_by_variant(session, [variant_id], now or utcnow()))[variant_id]
