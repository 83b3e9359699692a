"""Inventory tools: stock listing, availability, the movement ledger, transfers and settings."""

import pytest
from sqlalchemy import func, select

from db.enums import MovementKind
from db.models import AuditEvent, OutboxEvent, StockLevel, StockMovement
from tests import factories as f
from tests.tools.inventory_helpers import count, rows, stocked, units
from tools.errors import Ambiguous, Conflict, Forbidden, InsufficientStock, InvalidInput, NotFound


async def test_list_stock_by_product_warehouse_and_page(sessions, call, support):
    product, red, (a, b) = await stocked(sessions, on_hand=(3, 25))
    await f.stock(sessions, a, product.variants[1], 40)
    out = await call(support, "list_stock_levels", item_ref=product.name)
    assert out.total == 3
    assert [(r.sku, r.warehouse_code, r.available, r.low) for r in out.levels] == [
        (product.variants[1].sku, a.code, 40, False), (red.sku, a.code, 3, True), (red.sku, b.code, 25, False),
    ]
    page = await call(support, "list_stock_levels", warehouse=a.code, limit=1, offset=1)
    assert page.total == 2 and [r.sku for r in page.levels] == [red.sku]
    low = await call(support, "list_stock_levels", low_only=True)
    assert [(r.sku, r.on_hand) for r in low.levels] == [(red.sku, 3)]


async def test_stock_levels_are_staff_only_and_references_checked(sessions, call, as_customer, support):
    await stocked(sessions)
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "list_stock_levels")
    with pytest.raises(NotFound):
        await call(support, "list_stock_levels", warehouse="NOWHERE")
    with pytest.raises(NotFound):
        await call(support, "list_stock_levels", item_ref="NO-SUCH-SKU")


async def test_customer_checks_availability_of_variant_and_product(sessions, call, as_customer):
    product = await f.product(sessions, variants=[
        {"sku": "KB-RED", "options": {"switch": "red"}},
        {"sku": "KB-BLUE", "options": {"switch": "blue"}},
        {"sku": "KB-DROP", "options": {"switch": "brown"}, "track_stock": False},
        {"sku": "KB-OLD", "options": {"switch": "black"}, "available": False},
    ])
    red = product.variants[0]
    wh = await f.warehouse(sessions)
    await f.stock(sessions, wh, red, 8, allocated=3)
    ava = as_customer(await f.customer(sessions))
    out = await call(ava, "check_availability", item_ref="kb-red", quantity=5)
    assert out.can_fulfil
    assert [(v.sku, v.status, v.available_quantity) for v in out.variants] == [("KB-RED", "in_stock", 5)]
    out = await call(ava, "check_availability", item_ref=product.id, quantity=6)
    assert [(v.sku, v.status, v.available_quantity, v.can_fulfil) for v in out.variants] == [
        ("KB-RED", "insufficient", 5, False), ("KB-BLUE", "out_of_stock", 0, False),
        ("KB-DROP", "in_stock", None, True), ("KB-OLD", "unavailable", 0, False),
    ]
    assert out.can_fulfil and "KB-RED: 5 available" in out.message
    with pytest.raises(InvalidInput):
        await call(ava, "check_availability", item_ref="KB-RED", quantity=0)
    # A loose name with an option ("the red keyboard") names the product's matching variants.
    out = await call(ava, "check_availability", item_ref="the red keybord")
    assert [v.sku for v in out.variants] == ["KB-RED"]


async def test_availability_of_ambiguous_product_name(sessions, call, support):
    await f.product(sessions, name="Desk Mat")
    await f.product(sessions, name="desk mat")
    with pytest.raises(Ambiguous) as err:
        await call(support, "check_availability", item_ref="Desk Mat")
    assert len(err.value.details) == 2


async def test_receipt_creates_the_stock_row_with_defaults(sessions, call, warehouse_staff):
    product = await f.product(sessions)
    red = product.variants[0]
    wh = await f.warehouse(sessions)
    out = await call(warehouse_staff, "record_stock_movement", item_ref=red.sku, warehouse=wh.code, kind="inbound",
                     quantity=24, reference="PO-2026-0042")
    assert (out.movement.kind, out.movement.quantity, out.movement.actor) == (
        MovementKind.RECEIPT, 24, "staff:warehouse-tester")
    assert (out.stock.on_hand, out.stock.reorder_point, out.stock.max_stock) == (24, 10, 100)
    [entry] = await rows(sessions, AuditEvent)
    assert (entry.entity, entry.action, entry.data["quantity"]) == ("stock_level", "stock_receipt", 24)


async def test_outbound_never_takes_reserved_units(sessions, call, merchant):
    _, red, (a,) = await stocked(sessions, on_hand=(5,), allocated=(3,))
    for kind, quantity in (("shipment", 3), ("write_off", 4), ("adjustment", -3)):
        with pytest.raises(InsufficientStock) as err:
            await call(merchant, "record_stock_movement", item_ref=red.id, warehouse=str(a.id), kind=kind,
                       quantity=quantity)
        assert err.value.details["available"] == 2
    assert await units(sessions, a, red) == (5, 3)
    assert await count(sessions, StockMovement) == 0 and await count(sessions, AuditEvent) == 0
    out = await call(merchant, "record_stock_movement", item_ref=red.id, warehouse=a.code, kind="write_off",
                     quantity=2, note="crushed box")
    assert (out.movement.quantity, out.stock.on_hand, out.stock.available) == (-2, 3, 0)


async def test_movement_input_rules(sessions, call, admin):
    product, red, (a,) = await stocked(sessions, on_hand=(5,))
    bad = [{"kind": "receipt", "quantity": -2}, {"kind": "adjustment", "quantity": 0},
           {"kind": "transfer", "quantity": 1}, {"kind": "receipt", "quantity": 1, "extra": True}]
    for args in bad:
        with pytest.raises(InvalidInput):
            await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=a.code, **args)
    with pytest.raises(Ambiguous) as err:
        await call(admin, "record_stock_movement", item_ref=product.id, warehouse=a.code, kind="receipt", quantity=1)
    assert {d["sku"] for d in err.value.details} == {v.sku for v in product.variants}
    assert await units(sessions, a, red) == (5, 0) and await count(sessions, StockMovement) == 0


async def test_movements_refused_to_customers_support_and_untracked_items(sessions, call, as_customer, support, admin):
    await f.product(sessions, variants=[{"sku": "DROP-1", "options": {}, "track_stock": False}])
    _, red, (a,) = await stocked(sessions, on_hand=(5,))
    ava = await f.customer(sessions)
    for who in (as_customer(ava), support):
        with pytest.raises(Forbidden):
            await call(who, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="receipt", quantity=1)
    with pytest.raises(Conflict) as err:
        await call(admin, "record_stock_movement", item_ref="DROP-1", warehouse=a.code, kind="receipt", quantity=1)
    assert err.value.code == "untracked"
    assert await units(sessions, a, red) == (5, 0) and await count(sessions, StockLevel) == 1


async def test_low_stock_event_only_when_crossing(sessions, call, warehouse_staff):
    _, red, (a,) = await stocked(sessions, on_hand=(12,), reorder_point=10, max_stock=50)
    await call(warehouse_staff, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="shipment",
               quantity=1)
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "stock.ran_low") == 0
    await call(warehouse_staff, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="outbound",
               quantity=8)
    await call(warehouse_staff, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="write_off",
               quantity=1)
    [event] = await rows(sessions, OutboxEvent, OutboxEvent.topic == "stock.ran_low")
    assert event.key == red.id
    assert {k: event.payload[k] for k in ("on_hand", "severity", "suggested_reorder")} == {
        "on_hand": 3, "severity": "critical", "suggested_reorder": 47}


async def test_transfer_writes_two_ledger_rows(sessions, call, merchant):
    _, red, (a,) = await stocked(sessions, on_hand=(10,), allocated=(4,))
    b = await f.warehouse(sessions)
    out = await call(merchant, "transfer_stock", item_ref=red.sku, from_warehouse=a.code, to_warehouse=b.code,
                     quantity=6)
    assert [(m.warehouse_code, m.kind, m.quantity) for m in out.movements] == [
        (a.code, MovementKind.TRANSFER_OUT, -6), (b.code, MovementKind.TRANSFER_IN, 6)]
    assert out.movements[0].reference == out.movements[1].reference == f"transfer {a.code}->{b.code}"
    assert (out.source.on_hand, out.source.allocated, out.destination.on_hand) == (4, 4, 6)


async def test_transfer_refusals_change_nothing(sessions, call, merchant, support):
    _, red, (a, b) = await stocked(sessions, on_hand=(3, 1))
    with pytest.raises(InsufficientStock):
        await call(merchant, "transfer_stock", item_ref=red.sku, from_warehouse=a.code, to_warehouse=b.code,
                   quantity=4)
    with pytest.raises(InvalidInput):
        await call(merchant, "transfer_stock", item_ref=red.sku, from_warehouse=a.code, to_warehouse=str(a.id),
                   quantity=1)
    with pytest.raises(Forbidden):
        await call(support, "transfer_stock", item_ref=red.sku, from_warehouse=a.code, to_warehouse=b.code,
                   quantity=1)
    assert await units(sessions, a, red) == (3, 0) and await units(sessions, b, red) == (1, 0)
    assert await count(sessions, StockMovement) == 0


async def test_ledger_is_append_only_and_sums_to_on_hand(sessions, call, admin):
    product = await f.product(sessions)
    red = product.variants[0]
    a, b = await f.warehouse(sessions), await f.warehouse(sessions)
    steps = [
        ("record_stock_movement", {"warehouse": a.code, "kind": "receipt", "quantity": 40}),
        ("record_stock_movement", {"warehouse": a.code, "kind": "adjustment", "quantity": -3}),
        ("transfer_stock", {"from_warehouse": a.code, "to_warehouse": b.code, "quantity": 10}),
        ("record_stock_movement", {"warehouse": b.code, "kind": "write_off", "quantity": 2}),
        ("record_stock_movement", {"warehouse": a.code, "kind": "adjustment", "quantity": 5}),
        ("record_stock_movement", {"warehouse": b.code, "kind": "return", "quantity": 1}),
    ]
    snapshots = []
    for name, args in steps:
        await call(admin, name, item_ref=red.sku, **args)
        snapshots.append([(m.id, m.quantity, m.kind, m.created_at) for m in await rows(sessions, StockMovement)])
    for earlier, later in zip(snapshots, snapshots[1:], strict=False):
        assert later[: len(earlier)] == earlier and len(later) > len(earlier)
    async with sessions() as s:
        ledger = dict((await s.execute(
            select(StockMovement.warehouse_id, func.sum(StockMovement.quantity)).group_by(StockMovement.warehouse_id)
        )).all())
    assert ledger == {a.id: 32, b.id: 9}
    assert await units(sessions, a, red) == (32, 0) and await units(sessions, b, red) == (9, 0)


async def test_list_stock_movements_filters(sessions, call, admin, support, as_customer):
    _, red, (a, b) = await stocked(sessions, on_hand=(0, 0))
    await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="receipt", quantity=5,
               reference="PO-1")
    await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=b.code, kind="receipt", quantity=2)
    await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="write_off", quantity=1)
    out = await call(support, "list_stock_movements", item_ref=red.sku, days=7)
    assert out.total == 3 and [m.quantity for m in out.movements] == [-1, 2, 5]
    assert (await call(support, "list_stock_movements", warehouse=a.code, kind="write_off")).total == 1
    assert [m.quantity for m in (await call(support, "list_stock_movements", reference="PO-1")).movements] == [5]
    with pytest.raises(Forbidden):
        await call(as_customer(await f.customer(sessions)), "list_stock_movements")


async def test_update_settings_in_all_or_one_warehouse(sessions, call, merchant):
    _, red, (a, b) = await stocked(sessions, on_hand=(3, 5))
    out = await call(merchant, "update_stock_settings", item_ref=red.sku, reorder_point=15)
    assert [(r.warehouse_code, r.reorder_point, r.max_stock) for r in out.levels] == [
        (a.code, 15, 100), (b.code, 15, 100)]
    out = await call(merchant, "update_stock_settings", item_ref=red.sku, warehouse=b.code, max_stock=120)
    assert [(r.warehouse_code, r.reorder_point, r.max_stock) for r in out.levels] == [(b.code, 15, 120)]
    entries = await rows(sessions, AuditEvent, AuditEvent.action == "settings_changed")
    assert len(entries) == 3 and entries[-1].data == {
        "before": {"reorder_point": 15, "max_stock": 100}, "after": {"reorder_point": 15, "max_stock": 120}}


async def test_update_settings_refusals_change_nothing(sessions, call, merchant, support):
    product = await f.product(sessions)
    _, red, (a,) = await stocked(sessions, on_hand=(3,))
    with pytest.raises(InvalidInput):
        await call(merchant, "update_stock_settings", item_ref=red.sku, reorder_point=100)
    with pytest.raises(InvalidInput):
        await call(merchant, "update_stock_settings", item_ref=red.sku, reorder_point=20, max_stock=20)
    with pytest.raises(InvalidInput):
        await call(merchant, "update_stock_settings", item_ref=red.sku)
    with pytest.raises(NotFound):
        await call(merchant, "update_stock_settings", item_ref=product.variants[0].sku, reorder_point=5)
    with pytest.raises(Forbidden):
        await call(support, "update_stock_settings", item_ref=red.sku, reorder_point=5)
    level = (await rows(sessions, StockLevel))[0]
    assert (level.reorder_point, level.max_stock) == (10, 100) and await count(sessions, AuditEvent) == 0


async def test_rest_parity_and_roles(sessions, call, api, as_customer, warehouse_staff):
    _, red, (a,) = await stocked(sessions, on_hand=(6,))
    ava = await f.customer(sessions)
    customer_key = await f.api_key(sessions, owner=ava)
    keeper = await f.staff_user(sessions, role="warehouse")
    staff_key = await f.api_key(sessions, staff=keeper)
    direct = await call(as_customer(ava), "check_availability", item_ref=red.sku, quantity=2)
    response = await api.get(f"/api/v1/inventory/availability/{red.sku}", params={"quantity": 2},
                             headers={"Authorization": f"Bearer {customer_key}"})
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    response = await api.get("/api/v1/inventory/stock", headers={"Authorization": f"Bearer {customer_key}"})
    assert response.status_code == 403
    response = await api.post("/api/v1/inventory/movements", headers={"Authorization": f"Bearer {staff_key}"},
                              json={"item_ref": red.sku, "warehouse": a.code, "kind": "receipt", "quantity": 4})
    assert response.status_code == 200 and response.json()["stock"]["on_hand"] == 10
    listed = await api.get("/api/v1/inventory/stock", params={"item_ref": red.sku},
                           headers={"Authorization": f"Bearer {staff_key}"})
    direct = await call(warehouse_staff, "list_stock_levels", item_ref=red.sku)
    assert listed.json() == direct.model_dump(mode="json")
    response = await api.post("/api/v1/inventory/movements", headers={"Authorization": f"Bearer {staff_key}"},
                              json={"item_ref": red.sku, "warehouse": a.code, "kind": "shipment", "quantity": 99})
    assert response.status_code == 409 and response.json()["error"]["code"] == "insufficient_stock"
    assert await units(sessions, a, red) == (10, 0)
