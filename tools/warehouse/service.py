"""Warehouse business logic: references, CRUD and capacity; callers own the transaction."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ReservationStatus
from db.models import Shipment, StockLevel, StockMovement, StockReservation, Warehouse
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, NotFound
from tools.warehouse.schemas import CapacityOut

NEAR_CAPACITY_PCT = Decimal("85")


async def get_warehouse(session: AsyncSession, ref: str | int) -> Warehouse:
    """A warehouse by id, code (any case), exact name or, failing those, a unique part of its name or city."""
    text = str(ref).strip()
    if text.isdigit() and (found := await session.get(Warehouse, int(text))) is not None:
        return found
    by_code = select(Warehouse).where(func.lower(Warehouse.code) == text.lower())
    if (found := (await session.execute(by_code)).scalar_one_or_none()) is not None:
        return found
    everyone = list((await session.execute(select(Warehouse).order_by(Warehouse.code))).scalars())
    needle = text.lower()
    for matches in (
        [w for w in everyone if w.name.lower() == needle],
        [w for w in everyone if needle in w.name.lower() or needle == str(w.address.get("city", "")).lower()],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"{len(matches)} warehouses match {text!r}; say which by code",
                            details=[{"id": w.id, "code": w.code, "name": w.name} for w in matches])
    raise NotFound(f"warehouse {text!r} not found", details={"codes": [w.code for w in everyone]})


async def stock_totals(session: AsyncSession, warehouse_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per warehouse: units on hand, units allocated and how many variants have units on hand."""
    stmt = (
        select(StockLevel.warehouse_id, func.sum(StockLevel.on_hand), func.sum(StockLevel.allocated),
               func.count(StockLevel.id).filter(StockLevel.on_hand > 0))
        .where(StockLevel.warehouse_id.in_(warehouse_ids))
        .group_by(StockLevel.warehouse_id)
    )
    rows = await session.execute(stmt)
    return {wid: (int(on or 0), int(alloc or 0), int(n or 0)) for wid, on, alloc, n in rows}


def utilisation(units: int, capacity: int) -> Decimal | None:
    """Units as a percentage of capacity, to the hundredth."""
    if capacity <= 0:
        return None
    return (Decimal(units * 100) / capacity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def list_warehouses(session: AsyncSession, include_inactive: bool, limit: int, offset: int):
    """A page of warehouses by code, with the total count."""
    stmt = select(Warehouse)
    if not include_inactive:
        stmt = stmt.where(Warehouse.active.is_(True))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(Warehouse.code).limit(limit).offset(offset))
    return list(rows.scalars()), total or 0


async def _check_code_free(session: AsyncSession, code: str, own_id: int | None = None) -> None:
    owner = await session.scalar(select(Warehouse.id).where(func.lower(Warehouse.code) == code.lower()))
    if owner is not None and owner != own_id:
        raise Conflict(f"warehouse code {code} is already in use", code="duplicate_code")


async def _flush(session: AsyncSession, code: str) -> None:
    """Flush, turning a code taken meanwhile by another writer into a Conflict."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"warehouse code {code} is already in use", code="duplicate_code") from None


async def create_warehouse(ctx: ToolContext, fields: dict) -> Warehouse:
    """Open a warehouse; its code must be unused (in any case)."""
    await _check_code_free(ctx.session, fields["code"])
    warehouse = Warehouse(**fields)
    ctx.session.add(warehouse)
    await _flush(ctx.session, fields["code"])
    audit(ctx, "warehouse", str(warehouse.id), "created", data={"code": warehouse.code})
    emit(ctx, "warehouse.created", str(warehouse.id), {"code": warehouse.code})
    return warehouse


async def update_warehouse(ctx: ToolContext, warehouse: Warehouse, changes: dict) -> None:
    """Apply changes; capacity may not drop below the stock held, nor may a stocked site be deactivated."""
    if "code" in changes:
        await _check_code_free(ctx.session, changes["code"], warehouse.id)
    on_hand, _, _ = (await stock_totals(ctx.session, [warehouse.id])).get(warehouse.id, (0, 0, 0))
    if changes.get("capacity_units", on_hand) < on_hand:
        raise Conflict(f"{warehouse.code} holds {on_hand} units; capacity cannot go below that",
                       details={"units_on_hand": on_hand})
    if changes.get("active") is False and warehouse.active:
        await ensure_empty(ctx.session, warehouse)
    for field, value in changes.items():
        setattr(warehouse, field, value)
    await _flush(ctx.session, warehouse.code)
    audit(ctx, "warehouse", str(warehouse.id), "updated", data={"fields": sorted(changes)})


async def ensure_empty(session: AsyncSession, warehouse: Warehouse) -> None:
    """Refuse when the warehouse holds units or has active reservations."""
    on_hand = int(await session.scalar(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(StockLevel.warehouse_id == warehouse.id)
    ) or 0)
    reserved = int(await session.scalar(
        select(func.count(StockReservation.id)).where(
            StockReservation.warehouse_id == warehouse.id,
            StockReservation.status == ReservationStatus.ACTIVE,
        )
    ) or 0)
    if on_hand or reserved:
        raise Conflict(
            f"{warehouse.code} still holds {on_hand} units and {reserved} active reservations; "
            "move or release them first",
            code="warehouse_not_empty", details={"units_on_hand": on_hand, "active_reservations": reserved},
        )


async def is_referenced(session: AsyncSession, warehouse_id: int) -> bool:
    """True when stock rows, movements, reservations or shipments point at the warehouse."""
    for model in (StockLevel, StockMovement, StockReservation, Shipment):
        if await session.scalar(select(exists().where(model.warehouse_id == warehouse_id))):
            return True
    return False


async def delete_warehouse(ctx: ToolContext, warehouse: Warehouse) -> str:
    """Delete an empty warehouse, or deactivate it when its history must be kept; returns which."""
    await ensure_empty(ctx.session, warehouse)
    key = str(warehouse.id)
    if not await is_referenced(ctx.session, warehouse.id):
        await ctx.session.delete(warehouse)
        await ctx.session.flush()
        outcome = "deleted"
    elif warehouse.active:
        warehouse.active = False
        outcome = "deactivated"
    else:
        raise Conflict(f"{warehouse.code} is already deactivated and its history must be kept",
                       code="already_inactive")
    audit(ctx, "warehouse", key, outcome, data={"code": warehouse.code})
    emit(ctx, "warehouse.deleted" if outcome == "deleted" else "warehouse.deactivated", key, {"code": warehouse.code})
    return outcome


async def capacity(session: AsyncSession, warehouse: Warehouse) -> CapacityOut:
    """Units held against capacity, with a status from the utilisation."""
    on_hand, allocated, stocked = (await stock_totals(session, [warehouse.id])).get(warehouse.id, (0, 0, 0))
    pct = utilisation(on_hand, warehouse.capacity_units) or Decimal("0")
    status = "full" if pct >= 100 else "near_capacity" if pct >= NEAR_CAPACITY_PCT else "ok"
    return CapacityOut(
        warehouse_id=warehouse.id, code=warehouse.code, capacity_units=warehouse.capacity_units,
        units_on_hand=on_hand, units_allocated=allocated, units_available=on_hand - allocated,
        free_units=max(0, warehouse.capacity_units - on_hand), utilisation_pct=pct, stocked_variants=stocked,
        status=status,
    )
