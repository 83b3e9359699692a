"""Warehouse tools: thin registry entries over the warehouse service (staff only)."""

from datetime import timedelta

from db.enums import Role
from tools.context import ToolContext
from tools.registry import tool
from tools.warehouse import operations, service
from tools.warehouse import schemas as s

AGENT = "warehouse"
WAREHOUSE_STAFF = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
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
