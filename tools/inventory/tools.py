"""Inventory tools: thin registry entries over the stock services."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MovementKind, Role
from db.models import Order, Product, ProductVariant, StockMovement, StockReservation
from tools.context import ALL_ROLES, STAFF_ROLES, ToolContext
from tools.errors import InvalidTransition, NotFound
from tools.inventory import movements, reports, service
from tools.inventory import schemas as s
from tools.product.search import product_names
from tools.registry import tool
from tools.schemas import normalize_order_id
from tools.warehouse.service import get_warehouse

AGENT = "inventory"
WRITERS = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}


async def _warehouse_id(session: AsyncSession, ref: str | None) -> int | None:
    return None if ref is None else (await get_warehouse(session, ref)).id


async def _variant_ids(session: AsyncSession, ref: str | None) -> list[str] | None:
    if ref is None:
        return None
    _, variants = await service.find_items(session, ref)
    return [v.id for v in variants]


def _availability(product: Product, variant: ProductVariant, units: int, quantity: int) -> s.VariantAvailability:
    """One variant's answer: untracked items are in stock whenever they are sold at all."""
    if not variant.available or product.archived:
        status = "unavailable"
    elif not variant.track_stock or units >= quantity:
        status = "in_stock"
    else:
        status = "insufficient" if units > 0 else "out_of_stock"
    return s.VariantAvailability(
        variant_id=variant.id, sku=variant.sku, options=variant.options, status=status,
        available_quantity=units if variant.track_stock else None, can_fulfil=status == "in_stock",
    )


def _phrase(row: s.VariantAvailability) -> str:
    if row.status == "unavailable":
        return f"{row.sku} is not sold at the moment"
    if row.available_quantity is None:
        return f"{row.sku} is in stock"
    return f"{row.sku}: {row.available_quantity} available" if row.available_quantity else f"{row.sku} is out of stock"


@tool(agent=AGENT, method="GET", path="/inventory/stock", roles=STAFF_ROLES,
      examples=["show stock levels for KB-CLICKY-01", "how many units do we have in PAR-1",
                "list stock of the Mechanical Keyboard in every warehouse",
                "how many DK-MAT-02 are on hand in each warehouse",
                "how many black hoodies in size L do we have", "stock of the kettle"])
async def list_stock_levels(ctx: ToolContext, params: s.ListStockIn) -> s.StockList:
    """List stock levels (on hand, allocated, available) by product, SKU and warehouse."""
    return await reports.list_levels(
        ctx.session, await _variant_ids(ctx.session, params.item_ref),
        await _warehouse_id(ctx.session, params.warehouse), params.low_only, params.limit, params.offset,
    )


@tool(agent=AGENT, method="GET", path="/inventory/availability/{item_ref}", roles=ALL_ROLES,
      examples=["is the Mechanical Keyboard in stock?", "do you have 3 units of KB-CLICKY-01 available",
                "is item 1008292230 available", "can I order 2 of the blue switch version",
                "any Stoneware Mugs left?", "is the Halo Desk Lamp available right now",
                "is the white mouse in stock", "is the lamp sold out?", "are these available in my size?",
                "can I get the black earbuds now"])
async def check_availability(ctx: ToolContext, params: s.AvailabilityIn) -> s.AvailabilityOut:
    """Check whether a product or item is in stock for a quantity (units available to sell now)."""
    product, variants = await service.find_items(ctx.session, params.item_ref)
    units = await service.available_by_variant(ctx.session, [v.id for v in variants], ctx.now())
    rows = [_availability(product, v, units[v.id], params.quantity) for v in variants]
    return s.AvailabilityOut(
        product_id=product.id, product_name=product.name, quantity=params.quantity,
        can_fulfil=any(r.can_fulfil for r in rows), variants=rows,
        message=f"{product.name}: " + "; ".join(_phrase(r) for r in rows) + ".",
    )


@tool(agent=AGENT, method="POST", path="/inventory/reservations", roles=WRITERS, mutates=True, confirm=True,
      examples=["reserve 2 units of KB-CLICKY-01 for 30 minutes", "hold 5 of item 1008292230 for cart 8812",
                "put 1 unit of KB-CLICKY-01 aside for order #W2611340",
                "set aside 3 HM-KETTLE-01 for the photo shoot"],
      vocabulary=product_names)
async def reserve_stock(ctx: ToolContext, params: s.ReserveIn) -> s.ReservationList:
    """Reserve units of an item (held from sale until released, consumed or expired)."""
    variant = await service.get_variant(ctx.session, params.item_ref)
    order_id = normalize_order_id(params.order_id) if params.order_id else None
    if order_id is not None and await ctx.session.get(Order, order_id) is None:
        raise NotFound(f"order {order_id} not found")
    rows = await service.reserve(ctx, variant.id, params.quantity, order_id=order_id,
                                 reference=params.reference, ttl_minutes=params.ttl_minutes or service.FROM_SETTING)
    if not rows:
        return s.ReservationList(reservations=[], total_units=0,
                                 message=f"{variant.sku} is sold without stock records; nothing needs holding")
    out = await reports.list_reservations(ctx.session, [StockReservation.id.in_([r.id for r in rows])], len(rows))
    return s.ReservationList(reservations=out, total_units=params.quantity,
                             message=f"{params.quantity} x {variant.sku} reserved in {len(rows)} warehouse(s)")


@tool(agent=AGENT, method="DELETE", path="/inventory/reservations/{reservation_id}", roles=WRITERS, mutates=True,
      confirm=True,
      examples=["release reservation 3f2c1b9e-8a47-4d2e-9c55-1a2b3c4d5e6f", "cancel that stock hold",
                "free the units held by this reservation"])
async def release_reservation(ctx: ToolContext, params: s.ReleaseIn) -> s.ReleaseOut:
    """Release an active stock reservation, making its units available again."""
    reservation = await ctx.session.get(StockReservation, params.reservation_id.lower())
    if reservation is None:
        raise NotFound(f"reservation {params.reservation_id} not found")
    units = await service.release(ctx, reservation_id=reservation.id)
    if units == 0:
        raise InvalidTransition(
            f"reservation {reservation.id} is {reservation.status}; only an active one can be released",
            details={"from": str(reservation.status), "to": "released", "allowed": []},
        )
    out = await reports.list_reservations(ctx.session, [StockReservation.id == reservation.id], 1)
    return s.ReleaseOut(released_units=units, reservation=out[0])


@tool(agent=AGENT, method="GET", path="/inventory/reservations", roles=STAFF_ROLES,
      examples=["list active stock reservations", "what stock is held for order #W2611340",
                "show reservations of KB-CLICKY-01"])
async def list_stock_reservations(ctx: ToolContext, params: s.ListReservationsIn) -> s.ReservationList:
    """List stock reservations, by item, order or status (active by default)."""
    criteria = []
    if (variant_ids := await _variant_ids(ctx.session, params.item_ref)) is not None:
        criteria.append(StockReservation.variant_id.in_(variant_ids))
    if params.order_id:
        criteria.append(StockReservation.order_id == normalize_order_id(params.order_id))
    if params.status != "all":
        criteria.append(StockReservation.status == params.status)
    rows = await reports.list_reservations(ctx.session, criteria, params.limit, params.offset)
    units = sum(r.quantity for r in rows)
    return s.ReservationList(reservations=rows, total_units=units,
                             message=f"{len(rows)} reservation(s) holding {units} unit(s)")


@tool(agent=AGENT, method="POST", path="/inventory/reservations/expire", roles=WRITERS, mutates=True,
      examples=["expire stale reservations", "clean up lapsed stock holds"])
async def expire_stale_reservations(ctx: ToolContext, params: s.ExpireIn) -> s.ExpireOut:
    """Close reservations whose hold time has passed, returning their units to available stock."""
    expired = await service.expire_reservations(ctx)
    return s.ExpireOut(expired=expired, message=f"{expired} lapsed reservation(s) expired")


@tool(agent=AGENT, method="POST", path="/inventory/movements", roles=WRITERS, mutates=True, confirm=True,
      examples=["receive 24 units of KB-CLICKY-01 into PAR-1, PO-2026-0042",
                "write off 2 damaged KB-CLICKY-01 in LYS-1",
                "adjust stock of KB-CLICKY-01 in PAR-1 by -3 after the count", "record an outbound shipment of 5 units",
                "a customer return put 1 unit back on the shelf",
                "a delivery of 30 HM-MUG-02 just came in at LYS-1", "we got 12 DK-ARM-01 in at BER-1 today",
                "a pallet of 50 HM-MUG-02 arrived at LYS-1, book it in",
                "the inventory count shows 4 more DK-ARM-01 than the system in BER-1",
                "scrap 2 AU-MIC-01 at PAR-1, water damage"],
      vocabulary=product_names)
async def record_stock_movement(ctx: ToolContext, params: s.RecordMovementIn) -> s.MovementResult:
    """Record a stock movement (receipt, shipment, adjustment, write-off or return) in the ledger."""
    variant = await service.get_variant(ctx.session, params.item_ref)
    warehouse = await get_warehouse(ctx.session, params.warehouse)
    movement = await movements.record_movement(
        ctx, warehouse, variant, MovementKind(params.kind), params.quantity, params.reference, params.note
    )
    return s.MovementResult(
        movement=(await reports.movements_by_id(ctx.session, [movement.id]))[0],
        stock=await reports.stock_level(ctx.session, warehouse.id, variant.id),
    )


@tool(agent=AGENT, method="POST", path="/inventory/transfers", roles=WRITERS, mutates=True, confirm=True,
      examples=["transfer 10 units of KB-CLICKY-01 from PAR-1 to LYS-1",
                "send 6 DK-LAMP-02 over from BER-1 to PAR-1", "rebalance 20 AP-TEE-03 from LYS-1 into BER-1",
                "shift some HM-MUG-01 stock across to another warehouse",
                "move 12 of the AU-BUDS-01 over from PAR-1 to BER-1",
                "could we send a few of those across from Lyon to Berlin?"],
      vocabulary=product_names)
async def transfer_stock(ctx: ToolContext, params: s.TransferIn) -> s.TransferOut:
    """Transfer unreserved units of an item from one warehouse to another."""
    variant = await service.get_variant(ctx.session, params.item_ref)
    source = await get_warehouse(ctx.session, params.from_warehouse)
    destination = await get_warehouse(ctx.session, params.to_warehouse)
    out, into = await movements.transfer(ctx, variant, source, destination, params.quantity, params.reference,
                                         params.note)
    return s.TransferOut(
        movements=await reports.movements_by_id(ctx.session, [out.id, into.id]),
        source=await reports.stock_level(ctx.session, source.id, variant.id),
        destination=await reports.stock_level(ctx.session, destination.id, variant.id),
    )


@tool(agent=AGENT, method="GET", path="/inventory/movements", roles=STAFF_ROLES,
      examples=["show the stock ledger for KB-CLICKY-01", "list write-offs in PAR-1 this week",
                "which movements reference PO-2026-0042", "recent stock movements of AU-SPEAKER-02"])
async def list_stock_movements(ctx: ToolContext, params: s.ListMovementsIn) -> s.MovementList:
    """List stock ledger movements, newest first, by item, warehouse, kind, reference or period."""
    criteria = []
    if (variant_ids := await _variant_ids(ctx.session, params.item_ref)) is not None:
        criteria.append(StockMovement.variant_id.in_(variant_ids))
    if (warehouse_id := await _warehouse_id(ctx.session, params.warehouse)) is not None:
        criteria.append(StockMovement.warehouse_id == warehouse_id)
    if params.kind is not None:
        criteria.append(StockMovement.kind == params.kind)
    if params.reference:
        criteria.append(StockMovement.reference == params.reference)
    if params.days is not None:
        criteria.append(StockMovement.created_at >= ctx.now() - timedelta(days=params.days))
    return await reports.list_movements(ctx.session, criteria, params.limit, params.offset)


@tool(agent=AGENT, method="PUT", path="/inventory/settings/{item_ref}", roles=WRITERS, mutates=True,
      examples=["set the reorder point of KB-CLICKY-01 to 15", "max stock for KB-CLICKY-01 in PAR-1 should be 120",
                "change reorder settings: reorder at 20, fill up to 200",
                "reorder HM-CANDLE-02 in LYS-1 when it drops to 8"],
      vocabulary=product_names)
async def update_stock_settings(ctx: ToolContext, params: s.UpdateSettingsIn) -> s.SettingsOut:
    """Update an item's reorder point and/or maximum stock, in one warehouse or all of them."""
    variant = await service.get_variant(ctx.session, params.item_ref)
    warehouse = await get_warehouse(ctx.session, params.warehouse) if params.warehouse else None
    levels = await movements.update_settings(ctx, variant, warehouse, params.reorder_point, params.max_stock)
    listed = await reports.list_levels(ctx.session, [variant.id], warehouse and warehouse.id, False, len(levels), 0)
    return s.SettingsOut(levels=listed.levels)


@tool(agent=AGENT, method="GET", path="/inventory/low-stock", roles=STAFF_ROLES,
      examples=["low stock report", "what do we need to reorder", "which items are critically low in PAR-1",
                "which SKUs are about to run out", "what is out of stock in LYS-1"])
async def get_low_stock_report(ctx: ToolContext, params: s.LowStockIn) -> s.LowStockReport:
    """Report items at or below their reorder point, with severity and a suggested reorder quantity."""
    warehouse_id = await _warehouse_id(ctx.session, params.warehouse)
    return await reports.low_stock(ctx.session, warehouse_id, params.severity, params.limit)


@tool(agent=AGENT, method="GET", path="/inventory/value", roles=STAFF_ROLES,
      examples=["stock value by warehouse", "how much is the stock in each warehouse worth",
                "inventory value of PAR-1", "what is the stock in BER-1 worth"])
async def get_inventory_value(ctx: ToolContext, params: s.ValueIn) -> s.InventoryValueOut:
    """Value the stock on hand by warehouse (at unit cost where recorded, else at selling price)."""
    return await reports.inventory_value(ctx.session, await _warehouse_id(ctx.session, params.warehouse))


@tool(agent=AGENT, method="GET", path="/inventory/movements/analytics", roles=STAFF_ROLES,
      examples=["stock movement analytics for the last 30 days", "how many units did we receive and ship this week",
                "most moved items over the last 90 days"])
async def get_stock_movement_analytics(ctx: ToolContext, params: s.AnalyticsIn) -> s.AnalyticsOut:
    """Summarise stock movements over the last N days: by kind, by day and most-moved items."""
    until = ctx.now()
    return await reports.movement_analytics(
        ctx.session, until - timedelta(days=params.days), until,
        await _warehouse_id(ctx.session, params.warehouse), params.top,
    )
