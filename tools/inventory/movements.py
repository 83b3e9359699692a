"""The append-only stock ledger: every change of on-hand units writes one StockMovement row.

On-hand units change only through conditional UPDATEs that keep on_hand >= allocated (and so >= 0):
units held by reservations can never be shipped, written off or adjusted away.
"""

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MovementKind
from db.models import ProductVariant, StockLevel, StockMovement, Warehouse
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InsufficientStock, InvalidInput, NotFound

# Kinds that add units; every other kind removes them (an adjustment carries its own sign).
INBOUND = {MovementKind.RECEIPT, MovementKind.RETURN, MovementKind.TRANSFER_IN}


def low_stock_severity(on_hand: int, reorder_point: int) -> str | None:
    """'critical' at half the reorder point or below, 'low' at the reorder point or below, else None."""
    if on_hand * 2 <= reorder_point:
        return "critical"
    return "low" if on_hand <= reorder_point else None


async def ensure_level(session: AsyncSession, warehouse_id: int, variant_id: str) -> None:
    """Create the variant's stock row in the warehouse unless it exists (safe against a concurrent insert)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(StockLevel).values(warehouse_id=warehouse_id, variant_id=variant_id, on_hand=0, allocated=0)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["warehouse_id", "variant_id"]))


async def _free_units(session: AsyncSession, warehouse_id: int, variant_id: str) -> int:
    free = await session.scalar(
        select(StockLevel.on_hand - StockLevel.allocated).where(
            StockLevel.warehouse_id == warehouse_id, StockLevel.variant_id == variant_id
        )
    )
    return free or 0


def _warn_if_low(ctx: ToolContext, warehouse_id: int, variant_id: str, before: int, level) -> None:
    """Emit stock.ran_low when an outbound change crosses the reorder point."""
    if before > level.reorder_point >= level.on_hand:
        emit(ctx, "stock.ran_low", variant_id, {
            "warehouse_id": warehouse_id, "variant_id": variant_id, "on_hand": level.on_hand,
            "reorder_point": level.reorder_point, "severity": low_stock_severity(level.on_hand, level.reorder_point),
            "suggested_reorder": max(0, level.max_stock - level.on_hand),
        })


async def _log(ctx: ToolContext, warehouse_id: int, variant_id: str, delta: int, kind: MovementKind,
               reference: str, note: str, on_hand: int) -> StockMovement:
    """Append the ledger row and its audit row."""
    movement = StockMovement(
        warehouse_id=warehouse_id, variant_id=variant_id, quantity=delta, kind=kind, reference=reference,
        note=note, actor=ctx.actor, created_at=ctx.now(),
    )
    ctx.session.add(movement)
    await ctx.session.flush()
    audit(ctx, "stock_level", f"{warehouse_id}:{variant_id}", f"stock_{kind}",
          data={"movement_id": movement.id, "quantity": delta, "on_hand": on_hand, "reference": reference})
    return movement


async def change_on_hand(ctx: ToolContext, warehouse_id: int, variant_id: str, delta: int, kind: MovementKind,
                         reference: str = "", note: str = "") -> StockMovement:
    """Add a signed delta to on-hand units with its ledger row; refuses to dip into allocated units."""
    if delta > 0:
        await ensure_level(ctx.session, warehouse_id, variant_id)
    guard = [] if delta > 0 else [StockLevel.on_hand + delta >= StockLevel.allocated]
    stmt = (
        update(StockLevel)
        .where(StockLevel.warehouse_id == warehouse_id, StockLevel.variant_id == variant_id, *guard)
        .values(on_hand=StockLevel.on_hand + delta)
        .returning(StockLevel.on_hand, StockLevel.reorder_point, StockLevel.max_stock)
        .execution_options(synchronize_session=False)
    )
    level = (await ctx.session.execute(stmt)).first()
    if level is None:
        available = await _free_units(ctx.session, warehouse_id, variant_id)
        raise InsufficientStock(
            f"only {available} unreserved units of item {variant_id} are in warehouse {warehouse_id}; "
            f"cannot remove {-delta}",
            details={"variant_id": variant_id, "warehouse_id": warehouse_id, "requested": -delta,
                     "available": available},
        )
    if delta < 0:
        _warn_if_low(ctx, warehouse_id, variant_id, level.on_hand - delta, level)
    return await _log(ctx, warehouse_id, variant_id, delta, kind, reference, note, level.on_hand)


async def ship_reserved(ctx: ToolContext, warehouse_id: int, variant_id: str, quantity: int,
                        reference: str) -> StockMovement:
    """Ship units a reservation held: on_hand and allocated drop together, one shipment row."""
    stmt = (
        update(StockLevel)
        .where(StockLevel.warehouse_id == warehouse_id, StockLevel.variant_id == variant_id,
               StockLevel.allocated >= quantity)
        .values(on_hand=StockLevel.on_hand - quantity, allocated=StockLevel.allocated - quantity)
        .returning(StockLevel.on_hand, StockLevel.reorder_point, StockLevel.max_stock)
        .execution_options(synchronize_session=False)
    )
    level = (await ctx.session.execute(stmt)).first()
    if level is None:
        raise Conflict(f"warehouse {warehouse_id} holds fewer reserved units of item {variant_id} than {quantity}")
    _warn_if_low(ctx, warehouse_id, variant_id, level.on_hand + quantity, level)
    return await _log(ctx, warehouse_id, variant_id, -quantity, MovementKind.SHIPMENT, reference, "", level.on_hand)


def _require_tracked(variant: ProductVariant) -> None:
    if not variant.track_stock:
        raise Conflict(f"item {variant.id} ({variant.sku}) is sold without stock records", code="untracked")


async def record_movement(ctx: ToolContext, warehouse: Warehouse, variant: ProductVariant, kind: MovementKind,
                          quantity: int, reference: str = "", note: str = "") -> StockMovement:
    """Record a receipt, shipment, write-off or return (positive quantity) or a signed adjustment."""
    _require_tracked(variant)
    if kind in (MovementKind.TRANSFER_IN, MovementKind.TRANSFER_OUT):
        raise InvalidInput("a transfer moves units between two warehouses: use a transfer")
    if quantity == 0 or (kind != MovementKind.ADJUSTMENT and quantity < 0):
        raise InvalidInput(f"quantity must be positive for a {kind} (only adjustments are signed)")
    delta = quantity if kind in INBOUND or kind == MovementKind.ADJUSTMENT else -quantity
    return await change_on_hand(ctx, warehouse.id, variant.id, delta, kind, reference, note)


async def transfer(ctx: ToolContext, variant: ProductVariant, source: Warehouse, destination: Warehouse,
                   quantity: int, reference: str = "", note: str = "") -> tuple[StockMovement, StockMovement]:
    """Move unreserved units between warehouses: a transfer_out and a transfer_in ledger row."""
    _require_tracked(variant)
    if source.id == destination.id:
        raise InvalidInput("the source and destination warehouses are the same")
    if quantity < 1:
        raise InvalidInput("quantity must be at least 1")
    reference = reference or f"transfer {source.code}->{destination.code}"
    steps = [(source.id, -quantity, MovementKind.TRANSFER_OUT), (destination.id, quantity, MovementKind.TRANSFER_IN)]
    # Warehouse order, as reservations lock them, so crossing transfers cannot deadlock.
    done = {
        kind: await change_on_hand(ctx, warehouse_id, variant.id, delta, kind, reference, note)
        for warehouse_id, delta, kind in sorted(steps)
    }
    return done[MovementKind.TRANSFER_OUT], done[MovementKind.TRANSFER_IN]


async def update_settings(ctx: ToolContext, variant: ProductVariant, warehouse: Warehouse | None,
                          reorder_point: int | None, max_stock: int | None) -> list[StockLevel]:
    """Change the reorder point and/or max stock of a variant in one or all of its warehouses."""
    _require_tracked(variant)
    if warehouse is not None:
        await ensure_level(ctx.session, warehouse.id, variant.id)
    stmt = (
        select(StockLevel)
        .where(StockLevel.variant_id == variant.id,
               *([StockLevel.warehouse_id == warehouse.id] if warehouse is not None else []))
        .order_by(StockLevel.warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    levels = list((await ctx.session.execute(stmt)).scalars())
    if not levels:
        raise NotFound(f"{variant.sku} has no stock records yet; name a warehouse")
    for level in levels:
        before = {"reorder_point": level.reorder_point, "max_stock": level.max_stock}
        after = {"reorder_point": before["reorder_point"] if reorder_point is None else reorder_point,
                 "max_stock": before["max_stock"] if max_stock is None else max_stock}
        if after["reorder_point"] >= after["max_stock"]:
            raise InvalidInput(f"reorder point {after['reorder_point']} must be below max stock {after['max_stock']}",
                               details={"warehouse_id": level.warehouse_id, **after})
        level.reorder_point, level.max_stock = after["reorder_point"], after["max_stock"]
        audit(ctx, "stock_level", f"{level.warehouse_id}:{variant.id}", "settings_changed",
              data={"before": before, "after": after})
    await ctx.session.flush()
    return levels
