"""Warehouse tools: sites, capacity, pick lists, packing, shipping, delivery and receiving (staff only)."""

from datetime import timedelta

from db.enums import OrderStatus, Role, ShipmentStatus
from tools.context import ToolContext
from tools.inventory import service as inventory
from tools.order import service as orders
from tools.registry import Precondition, tool
from tools.transport import shipments
from tools.transport.schemas import ShipmentOut, shipment_out
from tools.warehouse import fulfilment, operations, receiving, service
from tools.warehouse import schemas as s

AGENT = "warehouse"
WAREHOUSE_STAFF = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
# Only a pending or processed order is packed (`fulfilment.pack`): the pick list says which it is.
PACKABLE = Precondition("get_pick_list", ("order_id",), "order_status", (OrderStatus.PENDING, OrderStatus.PROCESSED))
MANAGERS = {Role.MERCHANT, Role.ADMIN}


async def to_out(ctx: ToolContext, warehouses) -> list[s.WarehouseOut]:
    """Warehouse rows with their units on hand and utilisation."""
    totals = await service.stock_totals(ctx.session, [w.id for w in warehouses])
    rows = []
    for w in warehouses:
        on_hand = totals.get(w.id, (0, 0, 0))[0]
        pct = service.utilisation(on_hand, w.capacity_units)
        figures = {"units_on_hand": on_hand, "utilisation_pct": pct}
        rows.append(s.WarehouseOut.model_validate(w).model_copy(update=figures))
    return rows


@tool(agent=AGENT, method="GET", path="/warehouses", roles=WAREHOUSE_STAFF,
      examples=["list our warehouses", "which warehouses do we have", "show all sites including closed ones",
                "how full is each warehouse"])
async def list_warehouses(ctx: ToolContext, params: s.ListWarehousesIn) -> s.WarehouseList:
    """List warehouses with their units on hand and utilisation."""
    rows, total = await service.list_warehouses(ctx.session, params.include_inactive, params.limit,
                                                params.offset)
    return s.WarehouseList(warehouses=await to_out(ctx, rows), total=total)


@tool(agent=AGENT, method="GET", path="/warehouses/{warehouse_ref}", roles=WAREHOUSE_STAFF,
      examples=["show warehouse PAR-1", "details of the Lyon warehouse", "what is the address of warehouse 2",
                "where is BER-1"])
async def get_warehouse(ctx: ToolContext, params: s.WarehouseRefIn) -> s.WarehouseOut:
    """Get a warehouse by id, code or name."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    return (await to_out(ctx, [warehouse]))[0]


@tool(agent=AGENT, method="POST", path="/warehouses", roles=MANAGERS, mutates=True,
      examples=["create a warehouse LYS-2 called Lyon South with room for 5000 units",
                "open a new warehouse in Marseille", "add warehouse code BER-2 in Germany"])
async def create_warehouse(ctx: ToolContext, params: s.CreateWarehouseIn) -> s.WarehouseOut:
    """Create a warehouse (its code must be unique)."""
    fields = params.model_dump(exclude={"address"})
    fields["country"] = fields["country"].upper()
    fields["address"] = params.address.model_dump() if params.address else {}
    warehouse = await service.create_warehouse(ctx, fields)
    return (await to_out(ctx, [warehouse]))[0]


@tool(agent=AGENT, method="PUT", path="/warehouses/{warehouse_ref}", roles=MANAGERS, mutates=True,
      examples=["raise the capacity of PAR-1 to 20000 units", "rename warehouse LYS-1 to Lyon Central",
                "deactivate warehouse MRS-1", "change the address of the Paris warehouse"])
async def update_warehouse(ctx: ToolContext, params: s.UpdateWarehouseIn) -> s.WarehouseOut:
    """Update a warehouse's code, name, address, country, capacity or active flag."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    changes = params.model_dump(exclude={"warehouse_ref", "address"}, exclude_none=True)
    if params.address is not None:
        changes["address"] = params.address.model_dump()
    if "country" in changes:
        changes["country"] = changes["country"].upper()
    await service.update_warehouse(ctx, warehouse, changes)
    return (await to_out(ctx, [warehouse]))[0]


@tool(agent=AGENT, method="DELETE", path="/warehouses/{warehouse_ref}", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["delete warehouse TMP-1", "close the Marseille warehouse", "remove the empty test warehouse"])
async def delete_warehouse(ctx: ToolContext, params: s.WarehouseRefIn) -> s.DeleteOut:
    """Delete an empty warehouse, or deactivate it when shipments or stock history refer to it."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    wid, code = warehouse.id, warehouse.code
    outcome = await service.delete_warehouse(ctx, warehouse)
    message = (f"warehouse {code} was deleted" if outcome == "deleted"
               else f"warehouse {code} was deactivated; its stock and shipment history is kept")
    return s.DeleteOut(warehouse_id=wid, code=code, outcome=outcome, message=message)


@tool(agent=AGENT, method="GET", path="/warehouses/{warehouse_ref}/capacity", roles=WAREHOUSE_STAFF,
      examples=["how full is the Paris warehouse", "capacity of PAR-1", "how much room is left in LYS-1",
                "warehouse utilisation", "what is the utilisation of the Berlin site", "is PAR-1 nearly full"])
async def get_warehouse_capacity(ctx: ToolContext, params: s.WarehouseRefIn) -> s.CapacityOut:
    """Get a warehouse's capacity, units held and utilisation."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    return await service.capacity(ctx.session, warehouse)


@tool(agent=AGENT, method="GET", path="/warehouses/{warehouse_ref}/performance", roles=WAREHOUSE_STAFF,
      examples=["warehouse performance this month", "how many parcels did PAR-1 ship in the last 7 days",
                "average time to ship from the Lyon warehouse", "KPIs of warehouse LYS-1 over 90 days"])
async def get_warehouse_performance(ctx: ToolContext, params: s.PerformanceIn) -> s.PerformanceOut:
    """Get a warehouse's KPIs over the last N days: shipments, time to ship, stock movements."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    end = ctx.now()
    return await operations.performance(ctx.session, warehouse, end - timedelta(days=params.days), end)


@tool(agent=AGENT, method="GET", path="/pick-lists/{order_id}", roles=WAREHOUSE_STAFF,
      examples=["pick list for order #W2611340", "what do we pick for W1234567",
                "which warehouse ships #W2611340", "which shelves do I go to for order #W1234567"])
async def get_pick_list(ctx: ToolContext, params: s.PickListIn) -> s.PickListOut:
    """Get the pick list of an order: which warehouse, SKU and quantity to pick (read-only)."""
    return await operations.pick_list(ctx.session, params.order_id, ctx.now())


async def parcel_out(ctx: ToolContext, shipment) -> ShipmentOut:
    """A parcel with its tracking events as stored now."""
    await ctx.session.flush()
    await ctx.session.refresh(shipment, ["events", "order_lines"])
    return shipment_out(shipment)


@tool(agent=AGENT, method="POST", path="/pick-lists/{order_id}/pack", roles=WAREHOUSE_STAFF, mutates=True,
      confirm=True, precondition=PACKABLE,
      examples=["pack order #W2611340", "order W4817420 is picked, pack it", "pack the parcels of #W2611340",
                "we finished picking #W4817420, box it up", "prepare the parcel for order #W2611340"])
async def pack_order(ctx: ToolContext, params: s.PackIn) -> s.PackOut:
    """Pack an order from its pick list: one labelled parcel per warehouse; the order becomes processed."""
    order = await orders.get_order(ctx.session, params.order_id, for_update=True)
    packed = await fulfilment.pack(ctx, order)
    return s.PackOut(order_id=order.id, order_status=str(order.status),
                     shipments=[await parcel_out(ctx, p) for p in packed])


@tool(agent=AGENT, method="POST", path="/shipments/{shipment_ref}/ship", roles=WAREHOUSE_STAFF, mutates=True,
      confirm=True,
      examples=["ship parcel 6A178923456701", "the carrier picked up the parcel of order #W2611340",
                "hand over XP170000000001 to the carrier", "dispatch the packed parcel of #W4817420",
                "hand the packed parcel of order #W2611340 over to the carrier",
                "the parcel of #W4817420 left the warehouse with the driver"])
async def ship_shipment(ctx: ToolContext, params: s.ShipmentActionIn) -> ShipmentOut:
    """Hand a packed parcel to its carrier: its stock leaves the warehouse and the order's lines count it shipped."""
    shipment = await shipments.find_shipment(ctx.session, params.shipment_ref, for_update=True)
    await fulfilment.ship(ctx, shipment)
    return await parcel_out(ctx, shipment)


@tool(agent=AGENT, method="POST", path="/shipments/{shipment_ref}/deliver", roles=WAREHOUSE_STAFF, mutates=True,
      confirm=True,
      examples=["parcel 6A178923456701 was delivered", "mark the parcel of order #W5567936 delivered",
                "XP170000000001 arrived at the customer in Lyon", "confirm delivery of 1Z170000000002"])
async def deliver_shipment(ctx: ToolContext, params: s.DeliverIn) -> ShipmentOut:
    """Mark a shipped parcel delivered; the order is delivered once all its parcels are."""
    shipment = await shipments.find_shipment(ctx.session, params.shipment_ref, for_update=True)
    await fulfilment.advance(ctx, shipment, ShipmentStatus.DELIVERED, params.location, "Delivered")
    return await parcel_out(ctx, shipment)


@tool(agent=AGENT, method="POST", path="/shipments/{shipment_ref}/exception", roles=WAREHOUSE_STAFF, mutates=True,
      examples=["the parcel of order #W2611340 was damaged while packing", "flag a problem with parcel 6A178923456701",
                "mark shipment XP170000000001 as an exception: label unreadable"])
async def mark_shipment_exception(ctx: ToolContext, params: s.ExceptionIn) -> ShipmentOut:
    """Put a parcel in exception with what went wrong (it goes back to picking or on with the carrier later)."""
    shipment = await shipments.find_shipment(ctx.session, params.shipment_ref, for_update=True)
    await fulfilment.advance(ctx, shipment, ShipmentStatus.EXCEPTION, "", params.description)
    return await parcel_out(ctx, shipment)


@tool(agent=AGENT, method="POST", path="/receipts", roles=WAREHOUSE_STAFF, mutates=True, confirm=True,
      examples=["receive purchase order PO-2026-0042 from the supplier into warehouse PAR-1",
                "goods in against supplier delivery note DN-7781 at LYS-1",
                "purchase order PO-5520 from Hearth Home Goods came in at BER-1",
                "check in the supplier's purchase order PO-2026-0099 at PAR-1",
                "receive the supplier shipment of purchase order PO-2026-0100 into LYS-1"])
async def receive_purchase_order(ctx: ToolContext, params: s.ReceiveIn) -> s.ReceiptOut:
    """Receive a supplier's delivery of an item into a warehouse against its purchase order."""
    warehouse = await service.get_warehouse(ctx.session, params.warehouse_ref)
    variant = await inventory.get_variant(ctx.session, params.item_ref)
    supplier = params.supplier or await receiving.supplier_of(ctx.session, variant)
    move, on_hand = await receiving.receive(ctx, warehouse, supplier, params.purchase_reference, variant,
                                            params.quantity)
    return s.ReceiptOut(warehouse_id=warehouse.id, code=warehouse.code, supplier=supplier,
                        purchase_reference=params.purchase_reference, variant_id=variant.id, sku=variant.sku,
                        quantity=move.quantity, movement_id=move.id, units_on_hand=on_hand)
