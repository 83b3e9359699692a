"""Warehouse performance figures and pick lists, read from shipments, movements and reservations."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ReservationStatus, ShipmentStatus
from db.models import Order, Product, ProductVariant, Shipment, StockMovement, StockReservation, Warehouse
from tools.errors import NotFound
from tools.schemas import normalize_order_id
from tools.warehouse.schemas import PerformanceOut, PickLine, PickListOut, PickWarehouse
from tools.warehouse.service import stock_totals


async def _count_shipments(session: AsyncSession, warehouse_id: int, column, start: datetime, end: datetime,
                           *extra) -> int:
    stmt = select(func.count(Shipment.id)).where(
        Shipment.warehouse_id == warehouse_id, column >= start, column <= end, *extra
    )
    return int(await session.scalar(stmt) or 0)


async def _avg_hours_to_ship(session: AsyncSession, warehouse_id: int, start: datetime, end: datetime):
    """Mean hours from order placed to parcel shipped, over parcels shipped in the window."""
    rows = await session.execute(
        select(Order.placed_at, Shipment.shipped_at)
        .join(Order, Order.id == Shipment.order_id)
        .where(Shipment.warehouse_id == warehouse_id, Shipment.shipped_at >= start,
               Shipment.shipped_at <= end)
    )
    hours = [(shipped - placed).total_seconds() / 3600 for placed, shipped in rows]
    if not hours:
        return None
    return Decimal(str(sum(hours) / len(hours))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def performance(session: AsyncSession, warehouse: Warehouse, start: datetime,
                      end: datetime) -> PerformanceOut:
    """Shipments created, shipped and delivered, time to ship and stock movements in the window."""
    wid = warehouse.id
    movements = await session.execute(
        select(StockMovement.kind, func.count(StockMovement.id))
        .where(StockMovement.warehouse_id == wid, StockMovement.created_at >= start,
               StockMovement.created_at <= end)
        .group_by(StockMovement.kind)
    )
    on_hand, _, _ = (await stock_totals(session, [wid])).get(wid, (0, 0, 0))
    return PerformanceOut(
        warehouse_id=wid, code=warehouse.code, window_start=start, window_end=end,
        shipments_created=await _count_shipments(session, wid, Shipment.created_at, start, end),
        shipments_shipped=await _count_shipments(session, wid, Shipment.shipped_at, start, end),
        shipments_delivered=await _count_shipments(session, wid, Shipment.delivered_at, start, end),
        shipments_in_exception=await _count_shipments(session, wid, Shipment.created_at, start, end,
                                                      Shipment.status == ShipmentStatus.EXCEPTION),
        avg_hours_to_ship=await _avg_hours_to_ship(session, wid, start, end),
        movements_by_kind={str(kind): n for kind, n in sorted(movements.all())},
        units_on_hand=on_hand,
    )


async def pick_list(session: AsyncSession, order_ref: str, now: datetime) -> PickListOut:
    """What to pick for an order, per warehouse and SKU, from its live reservations (changes nothing)."""
    order_id = normalize_order_id(order_ref)
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} not found")
    rows = await session.execute(
        select(Warehouse, ProductVariant, Product.name, func.sum(StockReservation.quantity))
        .select_from(StockReservation)
        .join(Warehouse, Warehouse.id == StockReservation.warehouse_id)
        .join(ProductVariant, ProductVariant.id == StockReservation.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(
            StockReservation.order_id == order_id,
            StockReservation.status == ReservationStatus.ACTIVE,
            or_(StockReservation.expires_at.is_(None), StockReservation.expires_at > now),
        )
        .group_by(Warehouse.id, ProductVariant.id, Product.name)
        .order_by(Warehouse.code, ProductVariant.sku)
    )
    sites: dict[int, PickWarehouse] = {}
    for warehouse, variant, product_name, quantity in rows:
        site = sites.setdefault(warehouse.id, PickWarehouse(
            warehouse_id=warehouse.id, code=warehouse.code, name=warehouse.name, lines=[]))
        site.lines.append(PickLine(variant_id=variant.id, sku=variant.sku, product_name=product_name,
                                   options=variant.options or {}, quantity=int(quantity)))
    total = sum(line.quantity for site in sites.values() for line in site.lines)
    return PickListOut(order_id=order_id, order_status=str(order.status), warehouses=list(sites.values()),
                       total_units=total)
