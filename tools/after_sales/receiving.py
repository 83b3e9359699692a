"""Receiving a returned parcel: each line's condition decides its disposition and its stock movements.

Every unit that comes back is booked into the receiving warehouse with a `return` movement (the ledger
shows what physically arrived). A restocked (unopened) unit stays there as sellable stock. Any other unit
leaves sellable stock at once with a `write_off` movement whose note says where it goes (refurbishment,
clearance partner, recycling, or quarantine for the supplier), so it can never be sold as new; a unit
later resold as refurbished comes back in under its own SKU as a receipt. Variants sold without stock
records (drop-ship, the retail benchmark's) move no stock.
"""

from sqlalchemy import select

from db.enums import Disposition, ItemCondition, MovementKind, ReturnResolution, RmaStatus
from db.models import ProductVariant, ReturnLine, ReturnRequest, Shipment, Warehouse
from tools.after_sales import lifecycle, records, rules
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput
from tools.inventory import movements
from tools.warehouse import service as warehouses


async def receiving_warehouse(ctx: ToolContext, rma: ReturnRequest, ref: str | None) -> Warehouse | None:
    """The warehouse named, else the one the order shipped from, else the first active one."""
    if ref:
        return await warehouses.get_warehouse(ctx.session, ref)
    shipped_from = await ctx.session.scalar(
        select(Shipment.warehouse_id).where(Shipment.order_id == rma.order_id, Shipment.warehouse_id.is_not(None))
        .order_by(Shipment.created_at.desc()).limit(1)
    )
    if shipped_from is not None:
        return await ctx.session.get(Warehouse, shipped_from)
    return await ctx.session.scalar(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id).limit(1))


async def line_labels(ctx: ToolContext, rma: ReturnRequest) -> dict[int, tuple[str, ...]]:
    """The words that name each RMA line: item id, SKU and product name (lower case)."""
    lines = await records.order_lines(ctx.session, [line.order_line_id for line in rma.lines])
    return {line.id: (line.variant_id.lower(), lines[line.order_line_id].sku.lower(),
                      lines[line.order_line_id].name.lower()) for line in rma.lines}


async def conditions_for(ctx: ToolContext, rma: ReturnRequest, named: dict[str, ItemCondition],
                         default: ItemCondition | None) -> dict[int, ItemCondition]:
    """The condition of every RMA line: the one named for its item, else the default for all."""
    labels = await line_labels(ctx, rma)
    found: dict[int, ItemCondition] = {}
    for ref, condition in named.items():
        text = ref.strip().lower()
        hits = [lid for lid, (item, sku, name) in labels.items() if text in (item, sku) or text in name]
        if not hits:
            raise InvalidInput(f"item {ref} is not in RMA {rma.rma_number}", code="item_not_in_rma",
                               details=[{"field": "lines", "problem": f"{ref} is not returned in this RMA"}])
        found.update(dict.fromkeys(hits, condition))
    missing = [line.variant_id for line in rma.lines if line.id not in found and default is None]
    if missing:
        raise InvalidInput(f"give the condition of item(s) {', '.join(missing)} (unopened, opened, used, damaged "
                           "or defective)", details=[{"field": "condition", "problem": "required"}])
    return {line.id: found.get(line.id, default) for line in rma.lines}


async def book(ctx: ToolContext, rma: ReturnRequest, line: ReturnLine, warehouse: Warehouse | None) -> None:
    """The stock movements of one received line, by its disposition."""
    variant = await ctx.session.get(ProductVariant, line.variant_id)
    if not variant.track_stock:
        return
    if warehouse is None:
        raise Conflict("no active warehouse can receive the parcel; name one", code="no_warehouse")
    note = f"{line.condition} -> {line.disposition}"
    await movements.record_movement(ctx, warehouse, variant, MovementKind.RETURN, line.quantity,
                                    rma.rma_number, note)
    if line.disposition != Disposition.RESTOCK:
        await movements.record_movement(ctx, warehouse, variant, MovementKind.WRITE_OFF, line.quantity,
                                        rma.rma_number, f"{note}: {rules.DESTINATIONS[line.disposition]}")


async def receive(ctx: ToolContext, rma: ReturnRequest, named: dict[str, ItemCondition],
                  default: ItemCondition | None, warehouse_ref: str | None, note: str | None) -> None:
    """Record the parcel's arrival: conditions, dispositions, stock movements, and rma.received."""
    conditions = await conditions_for(ctx, rma, named, default)
    warehouse = await receiving_warehouse(ctx, rma, warehouse_ref)
    if rma.status == RmaStatus.APPROVED:
        # The parcel is here, so it travelled even if nobody scanned it in transit.
        lifecycle.move(ctx, rma, RmaStatus.IN_TRANSIT, note="arrived without a transit scan")
    for line in rma.lines:
        line.condition = conditions[line.id]
        line.disposition = rules.DISPOSITIONS[line.condition]
    lifecycle.move(ctx, rma, RmaStatus.RECEIVED, warehouse=warehouse.code if warehouse else None, lines=[
        {"item_id": ln.variant_id, "quantity": ln.quantity, "condition": str(ln.condition),
         "disposition": str(ln.disposition)} for ln in rma.lines])
    for line in rma.lines:
        await book(ctx, rma, line, warehouse)
    if rma.resolution != ReturnResolution.EXCHANGE:
        # An exchanged unit is swapped on its line when the exchange completes instead.
        await lifecycle.mark_returned(ctx, rma)
    rma.received_at, rma.warehouse_id = ctx.now(), warehouse.id if warehouse else None
    lifecycle.add_note(ctx, rma, RmaStatus.RECEIVED, note)
