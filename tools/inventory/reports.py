"""Read models of stock: listings, the low-stock report, stock value and movement analytics."""

from collections import defaultdict
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Product, ProductVariant, StockLevel, StockMovement, StockReservation, Warehouse
from tools.inventory import schemas as s
from tools.inventory.movements import low_stock_severity

CENT = Decimal("0.01")
LOW_STOCK_RULE = (
    "low when on hand is at or below the reorder point, critical at half of it or below; "
    "suggested reorder = max stock - on hand"
)
VALUE_BASIS = "unit cost where one is recorded, otherwise the selling price"


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _levels(*criteria):
    return (
        select(StockLevel, Warehouse.code, ProductVariant.sku, ProductVariant.product_id, Product.name)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .join(ProductVariant, ProductVariant.id == StockLevel.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(*criteria)
        .execution_options(populate_existing=True)
    )


def _level_fields(row) -> dict:
    level, code, sku, product_id, product_name = row
    return {
        "warehouse_id": level.warehouse_id, "warehouse_code": code, "variant_id": level.variant_id, "sku": sku,
        "product_id": product_id, "product_name": product_name, "on_hand": level.on_hand,
        "allocated": level.allocated, "available": level.on_hand - level.allocated,
        "reorder_point": level.reorder_point, "max_stock": level.max_stock,
        "low": level.on_hand <= level.reorder_point,
    }


async def list_levels(session: AsyncSession, variant_ids: list[str] | None, warehouse_id: int | None,
                      low_only: bool, limit: int, offset: int) -> s.StockList:
    """A page of stock rows by product, SKU and warehouse, with the total count."""
    criteria = []
    if variant_ids is not None:
        criteria.append(StockLevel.variant_id.in_(variant_ids))
    if warehouse_id is not None:
        criteria.append(StockLevel.warehouse_id == warehouse_id)
    if low_only:
        criteria.append(StockLevel.on_hand <= StockLevel.reorder_point)
    total = await session.scalar(select(func.count(StockLevel.id)).where(*criteria))
    stmt = _levels(*criteria).order_by(Product.name, ProductVariant.sku, Warehouse.code).limit(limit).offset(offset)
    rows = await session.execute(stmt)
    return s.StockList(levels=[s.StockLevelOut(**_level_fields(r)) for r in rows], total=total or 0)


async def stock_level(session: AsyncSession, warehouse_id: int, variant_id: str) -> s.StockLevelOut:
    """One stock row as it stands now."""
    row = (await session.execute(
        _levels(StockLevel.warehouse_id == warehouse_id, StockLevel.variant_id == variant_id)
    )).one()
    return s.StockLevelOut(**_level_fields(row))


CRITICAL = StockLevel.on_hand * 2 <= StockLevel.reorder_point


def _low_criteria(warehouse_id: int | None) -> list:
    criteria = [StockLevel.on_hand <= StockLevel.reorder_point, Warehouse.active.is_(True)]
    if warehouse_id is not None:
        criteria.append(StockLevel.warehouse_id == warehouse_id)
    return criteria


async def low_stock_counts(session: AsyncSession, warehouse_id: int | None = None) -> tuple[int, int]:
    """(low, of which critical) stock rows in active warehouses: the low-stock report's rule, counted."""
    low, critical = (await session.execute(
        select(func.count(StockLevel.id), func.sum(case((CRITICAL, 1), else_=0)))
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(*_low_criteria(warehouse_id))
    )).one()
    return low or 0, int(critical or 0)


async def low_stock(session: AsyncSession, warehouse_id: int | None, severity: str | None,
                    limit: int) -> s.LowStockReport:
    """Rows at or below their reorder point in active warehouses, critical first, emptiest first."""
    criteria = _low_criteria(warehouse_id)
    total_low, total_critical = await low_stock_counts(session, warehouse_id)
    if severity == "critical":
        criteria.append(CRITICAL)
    elif severity == "low":
        criteria.append(~CRITICAL)
    stmt = _levels(*criteria).order_by(case((CRITICAL, 0), else_=1), StockLevel.on_hand, ProductVariant.sku)
    items = []
    for row in await session.execute(stmt.limit(limit)):
        fields = _level_fields(row)
        items.append(s.LowStockRow(
            **fields, severity=low_stock_severity(fields["on_hand"], fields["reorder_point"]),
            suggested_reorder=max(0, fields["max_stock"] - fields["on_hand"]),
        ))
    return s.LowStockReport(items=items, total_low=total_low, critical=total_critical, rule=LOW_STOCK_RULE)


async def inventory_value(session: AsyncSession, warehouse_id: int | None) -> s.InventoryValueOut:
    """Value of on-hand units by warehouse, at unit cost where recorded, else at selling price."""
    unit_value = func.coalesce(ProductVariant.cost, ProductVariant.price)
    stmt = (
        select(
            Warehouse.id, Warehouse.code, ProductVariant.currency, func.sum(StockLevel.on_hand),
            func.sum(StockLevel.on_hand * unit_value),
            func.sum(case((ProductVariant.cost.is_not(None), StockLevel.on_hand), else_=0)),
        )
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .join(ProductVariant, ProductVariant.id == StockLevel.variant_id)
        .where(StockLevel.on_hand > 0, *([Warehouse.id == warehouse_id] if warehouse_id is not None else []))
        .group_by(Warehouse.id, Warehouse.code, ProductVariant.currency)
        .order_by(Warehouse.code, ProductVariant.currency)
    )
    rows, totals = [], defaultdict(lambda: [0, Decimal("0")])
    for wid, code, currency, units, value, at_cost in await session.execute(stmt):
        row = s.WarehouseValue(warehouse_id=wid, warehouse_code=code, currency=currency, units=int(units),
                               value=_money(value), units_at_cost=int(at_cost), units_at_price=int(units - at_cost))
        rows.append(row)
        totals[currency][0] += row.units
        totals[currency][1] += row.value
    return s.InventoryValueOut(
        warehouses=rows,
        totals=[s.CurrencyTotal(currency=c, units=u, value=v) for c, (u, v) in sorted(totals.items())],
        basis=VALUE_BASIS,
    )


def _utc_day(moment: datetime):
    return moment.astimezone(UTC).date()


async def movement_analytics(session: AsyncSession, since: datetime, until: datetime, warehouse_id: int | None,
                             top: int) -> s.AnalyticsOut:
    """Ledger totals over a window: by kind, by day and the most-moved variants."""
    criteria = [StockMovement.created_at >= since, StockMovement.created_at <= until]
    if warehouse_id is not None:
        criteria.append(StockMovement.warehouse_id == warehouse_id)
    units_in = func.sum(case((StockMovement.quantity > 0, StockMovement.quantity), else_=0))
    units_out = func.sum(case((StockMovement.quantity < 0, -StockMovement.quantity), else_=0))
    by_kind = [
        s.KindTotal(kind=kind, movements=n, units=int(added) - int(removed))
        for kind, n, added, removed in await session.execute(
            select(StockMovement.kind, func.count(), units_in, units_out)
            .where(*criteria).group_by(StockMovement.kind).order_by(StockMovement.kind)
        )
    ]
    days: dict = defaultdict(lambda: [0, 0])
    for created_at, quantity in await session.execute(
        select(StockMovement.created_at, StockMovement.quantity).where(*criteria)
    ):
        days[_utc_day(created_at)][0 if quantity > 0 else 1] += abs(quantity)
    top_rows = await session.execute(
        select(StockMovement.variant_id, ProductVariant.sku, Product.name, func.count(), units_in, units_out)
        .join(ProductVariant, ProductVariant.id == StockMovement.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(*criteria)
        .group_by(StockMovement.variant_id, ProductVariant.sku, Product.name)
        .order_by(func.sum(func.abs(StockMovement.quantity)).desc(), ProductVariant.sku)
        .limit(top)
    )
    return s.AnalyticsOut(
        since=since, until=until, movements=sum(k.movements for k in by_kind),
        units_in=sum(d[0] for d in days.values()), units_out=sum(d[1] for d in days.values()),
        by_kind=by_kind,
        by_day=[s.DayTotal(day=day, units_in=i, units_out=o, net=i - o) for day, (i, o) in sorted(days.items())],
        top_variants=[
            s.VariantMoved(variant_id=v, sku=sku, product_name=name, movements=n, units_in=int(i), units_out=int(o))
            for v, sku, name, n, i, o in top_rows
        ],
    )


def _movements(*criteria):
    return (
        select(StockMovement, Warehouse.code, ProductVariant.sku)
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .join(ProductVariant, ProductVariant.id == StockMovement.variant_id)
        .where(*criteria)
    )


def movement_out(row) -> s.MovementOut:
    """A ledger row with its warehouse code and SKU."""
    movement, code, sku = row
    return s.MovementOut(
        id=movement.id, warehouse_code=code, variant_id=movement.variant_id, sku=sku, kind=movement.kind,
        quantity=movement.quantity, reference=movement.reference, note=movement.note, actor=movement.actor,
        created_at=movement.created_at,
    )


async def movements_by_id(session: AsyncSession, ids: list[int]) -> list[s.MovementOut]:
    """Ledger rows by id, in the order given."""
    rows = {r[0].id: r for r in await session.execute(_movements(StockMovement.id.in_(ids)))}
    return [movement_out(rows[i]) for i in ids]


async def list_movements(session: AsyncSession, criteria: list, limit: int, offset: int) -> s.MovementList:
    """A page of ledger rows, newest first."""
    total = await session.scalar(select(func.count(StockMovement.id)).where(*criteria))
    stmt = _movements(*criteria).order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    rows = await session.execute(stmt.limit(limit).offset(offset))
    return s.MovementList(movements=[movement_out(r) for r in rows], total=total or 0)


def _reservation_out(row) -> s.ReservationOut:
    reservation, code, sku = row
    return s.ReservationOut(
        id=reservation.id, warehouse_code=code, variant_id=reservation.variant_id, sku=sku,
        quantity=reservation.quantity, order_id=reservation.order_id, reference=reservation.reference,
        status=reservation.status, expires_at=reservation.expires_at, created_at=reservation.created_at,
    )


async def list_reservations(session: AsyncSession, criteria: list, limit: int,
                            offset: int = 0) -> list[s.ReservationOut]:
    """Reservations with warehouse code and SKU, newest first."""
    stmt = (
        select(StockReservation, Warehouse.code, ProductVariant.sku)
        .join(Warehouse, Warehouse.id == StockReservation.warehouse_id)
        .join(ProductVariant, ProductVariant.id == StockReservation.variant_id)
        .where(*criteria)
        .order_by(StockReservation.created_at.desc(), StockReservation.id)
        .limit(limit).offset(offset)
        .execution_options(populate_existing=True)
    )
    return [_reservation_out(r) for r in await session.execute(stmt)]

