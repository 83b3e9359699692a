"""Warehouse tools: CRUD, capacity, performance KPIs, pick lists and REST parity."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import MovementKind, ReservationStatus, ShipmentStatus
from db.models import AuditEvent, Order, Shipment, StockMovement, StockReservation, Warehouse
from tests import factories as f
from tests.tools.product_helpers import count, run
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound

PARIS = {"address1": "1 Rue de Paris", "city": "Paris", "country": "FR", "zip": "75010"}


async def load(sessions, warehouse_id: int) -> Warehouse | None:
    async with sessions() as s:
        return await s.get(Warehouse, warehouse_id)


async def add(sessions, *rows) -> None:
    async with unit_of_work(sessions) as s:
        s.add_all(rows)


async def test_create_and_refuse_duplicate_code(sessions, merchant):
    out = await run(sessions, merchant, "create_warehouse", {
        "code": "PAR1", "name": "Paris North", "address": PARIS, "country": "fr", "capacity_units": 5000})
    assert (out.code, out.country, out.address["city"], out.units_on_hand, out.utilisation_pct) == (
        "PAR1", "FR", "Paris", 0, Decimal("0.00"))
    with pytest.raises(Conflict) as err:
        await run(sessions, merchant, "create_warehouse", {"code": "par1", "name": "Other"})
    assert err.value.code == "duplicate_code"
    assert await count(sessions, Warehouse) == 1 and await count(sessions, AuditEvent) == 1


async def test_create_refuses_warehouse_staff_and_bad_input(sessions, warehouse_staff, admin):
    with pytest.raises(Forbidden):
        await run(sessions, warehouse_staff, "create_warehouse", {"code": "PAR1", "name": "Paris"})
    with pytest.raises(InvalidInput):
        await run(sessions, admin, "create_warehouse", {"code": "PAR1", "name": "Paris", "country": "France"})
    with pytest.raises(InvalidInput):
        await run(sessions, admin, "create_warehouse", {"code": "PAR1", "name": "Paris", "capacity_units": 0})
    assert await count(sessions, Warehouse) == 0


async def test_list_shows_utilisation_and_hides_inactive(sessions, call, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1", capacity_units=200)
    await f.warehouse(sessions, code="OLD1", active=False)
    shirt = await f.product(sessions)
    await f.stock(sessions, paris, shirt.variants[0], on_hand=30)
    await f.stock(sessions, paris, shirt.variants[1], on_hand=20)
    out = await call(warehouse_staff, "list_warehouses")
    rows = [(w.code, w.units_on_hand, w.utilisation_pct) for w in out.warehouses]
    assert rows == [("PAR1", 50, Decimal("25.00"))]
    everything = await call(warehouse_staff, "list_warehouses", include_inactive=True)
    assert [w.code for w in everything.warehouses] == ["OLD1", "PAR1"] and everything.total == 2


async def test_list_is_refused_to_customers_and_support(sessions, call, support, as_customer):
    await f.warehouse(sessions)
    for who in (support, as_customer(await f.customer(sessions))):
        with pytest.raises(Forbidden):
            await call(who, "list_warehouses")


async def test_get_by_id_code_name_or_city(sessions, call, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1", address=PARIS)
    await f.warehouse(sessions, code="LYO1")
    for ref in (str(paris.id), "par1", "Warehouse PAR1", "paris"):
        assert (await call(warehouse_staff, "get_warehouse", warehouse_ref=ref)).id == paris.id
    with pytest.raises(Ambiguous) as err:
        await call(warehouse_staff, "get_warehouse", warehouse_ref="warehouse")
    assert sorted(c["code"] for c in err.value.details) == ["LYO1", "PAR1"]
    with pytest.raises(NotFound):
        await call(warehouse_staff, "get_warehouse", warehouse_ref="Berlin")


async def test_update_fields_and_refusals_change_nothing(sessions, merchant, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1", capacity_units=100)
    await f.warehouse(sessions, code="LYO1")
    await f.stock(sessions, paris, (await f.product(sessions)).variants[0], on_hand=80)
    changes = {"name": "Paris Central", "capacity_units": 160, "address": PARIS}
    out = await run(sessions, merchant, "update_warehouse", {"warehouse_ref": "PAR1", **changes})
    assert (out.name, out.capacity_units, out.utilisation_pct, out.address["zip"]) == (
        "Paris Central", 160, Decimal("50.00"), "75010")
    refusals = [
        (Conflict, merchant, {"capacity_units": 79}),
        (Conflict, merchant, {"active": False}),
        (Conflict, merchant, {"code": "lyo1", "name": "Clash"}),
        (Forbidden, warehouse_staff, {"name": "Mine now"}),
    ]
    for error, who, changes in refusals:
        with pytest.raises(error):
            await run(sessions, who, "update_warehouse", {"warehouse_ref": "PAR1", **changes})
    row = await load(sessions, paris.id)
    assert (row.name, row.code, row.capacity_units, row.active) == ("Paris Central", "PAR1", 160, True)


async def test_delete_refuses_a_warehouse_holding_stock(sessions, call, admin):
    paris = await f.warehouse(sessions, code="PAR1")
    await f.stock(sessions, paris, (await f.product(sessions)).variants[0], on_hand=3)
    with pytest.raises(Conflict) as err:
        await call(admin, "delete_warehouse", warehouse_ref="PAR1")
    assert err.value.code == "warehouse_not_empty" and err.value.details["units_on_hand"] == 3
    assert (await load(sessions, paris.id)).active and await count(sessions, AuditEvent) == 0


async def test_delete_refuses_active_reservations_and_warehouse_staff(sessions, call, admin, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1")
    kb = await f.product(sessions)
    await f.stock(sessions, paris, kb.variants[0], on_hand=0)
    await add(sessions, StockReservation(id=str(uuid.uuid4()), warehouse_id=paris.id,
                                         variant_id=kb.variants[0].id, quantity=1))
    with pytest.raises(Conflict):
        await call(admin, "delete_warehouse", warehouse_ref="PAR1")
    with pytest.raises(Forbidden):
        await call(warehouse_staff, "delete_warehouse", warehouse_ref="PAR1")
    assert (await load(sessions, paris.id)).active


async def test_delete_hard_deletes_an_unused_warehouse(sessions, call, admin):
    empty = await f.warehouse(sessions, code="TMP1")
    out = await call(admin, "delete_warehouse", warehouse_ref="tmp1")
    assert (out.outcome, out.code) == ("deleted", "TMP1")
    assert await load(sessions, empty.id) is None
    assert await count(sessions, AuditEvent, AuditEvent.action == "deleted") == 1


async def test_delete_deactivates_a_warehouse_with_history(sessions, call, admin):
    paris = await f.warehouse(sessions, code="PAR1")
    await f.stock(sessions, paris, (await f.product(sessions)).variants[0], on_hand=0)
    out = await call(admin, "delete_warehouse", warehouse_ref="PAR1")
    assert out.outcome == "deactivated" and "kept" in out.message
    assert not (await load(sessions, paris.id)).active
    with pytest.raises(Conflict) as err:
        await call(admin, "delete_warehouse", warehouse_ref="PAR1")
    assert err.value.code == "already_inactive"


async def test_capacity_figures_and_status(sessions, call, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1", capacity_units=100)
    kb = await f.product(sessions)
    await f.stock(sessions, paris, kb.variants[0], on_hand=60, allocated=10)
    await f.stock(sessions, paris, kb.variants[1], on_hand=27)
    out = await call(warehouse_staff, "get_warehouse_capacity", warehouse_ref="PAR1")
    assert (out.units_on_hand, out.units_allocated, out.units_available, out.free_units) == (87, 10, 77, 13)
    assert (out.utilisation_pct, out.stocked_variants, out.status) == (Decimal("87.00"), 2, "near_capacity")
    with pytest.raises(NotFound):
        await call(warehouse_staff, "get_warehouse_capacity", warehouse_ref="NOPE")


async def test_performance_counts_real_rows_in_the_window(sessions, call, warehouse_staff):
    paris, lyon = await f.warehouse(sessions, code="PAR1"), await f.warehouse(sessions, code="LYO1")
    ava = await f.customer(sessions)
    kb = await f.product(sessions)
    card = await f.payment_method(sessions, ava)
    now = utcnow()
    orders = [await f.order(sessions, ava, [(kb.variants[0], 1)], card) for _ in range(3)]
    placed = [now - timedelta(days=3), now - timedelta(days=5), now - timedelta(days=60)]
    async with unit_of_work(sessions) as s:
        for order, when in zip(orders, placed, strict=True):
            (await s.get(Order, order.id)).placed_at = when
    def ship(n, wh, status, shipped_after=None, delivered_after=None):
        def later(hours):
            return placed[n] + timedelta(hours=hours) if hours is not None else None

        return Shipment(id=str(uuid.uuid4()), order_id=orders[n].id, warehouse_id=wh.id, status=status,
                        created_at=placed[n], shipped_at=later(shipped_after),
                        delivered_at=later(delivered_after))

    def move(kind, quantity, days_ago):
        return StockMovement(warehouse_id=paris.id, variant_id=kb.variants[0].id, quantity=quantity,
                             kind=kind, created_at=now - timedelta(days=days_ago))

    await add(sessions,
              ship(0, paris, ShipmentStatus.DELIVERED, 24, 48), ship(1, paris, ShipmentStatus.SHIPPED, 48),
              ship(2, paris, ShipmentStatus.EXCEPTION, 2), ship(0, lyon, ShipmentStatus.PENDING),
              move(MovementKind.RECEIPT, 10, 1), move(MovementKind.SHIPMENT, -1, 2),
              move(MovementKind.SHIPMENT, -2, 40))
    await f.stock(sessions, paris, kb.variants[0], on_hand=7)
    out = await call(warehouse_staff, "get_warehouse_performance", warehouse_ref="PAR1", days=30)
    assert (out.shipments_created, out.shipments_shipped, out.shipments_delivered) == (2, 2, 1)
    assert (out.shipments_in_exception, out.avg_hours_to_ship, out.units_on_hand) == (0, Decimal("36.00"), 7)
    assert out.movements_by_kind == {"receipt": 1, "shipment": 1}
    wide = await call(warehouse_staff, "get_warehouse_performance", warehouse_ref="PAR1", days=90)
    assert (wide.shipments_created, wide.shipments_in_exception) == (3, 1)
    assert wide.avg_hours_to_ship == Decimal("24.67")
    with pytest.raises(InvalidInput):
        await call(warehouse_staff, "get_warehouse_performance", warehouse_ref="PAR1", days=0)


async def test_pick_list_groups_live_reservations_by_warehouse(sessions, call, warehouse_staff):
    paris, lyon = await f.warehouse(sessions, code="PAR1"), await f.warehouse(sessions, code="LYO1")
    ava = await f.customer(sessions)
    kb = await f.product(sessions, name="Keyboard")
    red, blue = kb.variants
    order = await f.order(sessions, ava, [(red, 3), (blue, 1)], await f.payment_method(sessions, ava))

    def hold(wh, variant, qty, status=ReservationStatus.ACTIVE, expires_at=None):
        return StockReservation(id=str(uuid.uuid4()), warehouse_id=wh.id, variant_id=variant.id, quantity=qty,
                                order_id=order.id, status=status, expires_at=expires_at)

    await add(sessions, hold(paris, red, 2), hold(paris, red, 1), hold(lyon, blue, 1),
              hold(lyon, red, 5, status=ReservationStatus.RELEASED),
              hold(lyon, red, 4, expires_at=utcnow() - timedelta(minutes=1)))
    out = await call(warehouse_staff, "get_pick_list", order_id=order.id.lstrip("#"))
    assert out.order_id == order.id and out.total_units == 4 and out.order_status == "pending"
    assert [(w.code, [(line.sku, line.quantity) for line in w.lines]) for w in out.warehouses] == [
        ("LYO1", [(blue.sku, 1)]), ("PAR1", [(red.sku, 3)])]
    assert out.warehouses[1].lines[0].product_name == "Keyboard"
    assert await count(sessions, StockReservation, StockReservation.status == ReservationStatus.ACTIVE) == 4


async def test_pick_list_refusals(sessions, call, warehouse_staff, as_customer):
    ava = await f.customer(sessions)
    with pytest.raises(NotFound):
        await call(warehouse_staff, "get_pick_list", order_id="#W0000001")
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "get_pick_list", order_id="#W0000001")
    with pytest.raises(InvalidInput):
        await call(warehouse_staff, "get_pick_list", order_id="order one")


async def test_rest_parity_for_capacity_and_conflict_envelope(sessions, call, api, warehouse_staff):
    paris = await f.warehouse(sessions, code="PAR1", capacity_units=50)
    await f.stock(sessions, paris, (await f.product(sessions)).variants[0], on_hand=5)
    picker = await f.staff_user(sessions, role="warehouse")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=picker)}"}
    direct = await call(warehouse_staff, "get_warehouse_capacity", warehouse_ref="PAR1")
    response = await api.get("/api/v1/warehouses/PAR1/capacity", headers=auth)
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    listed = await call(warehouse_staff, "list_warehouses")
    response = await api.get("/api/v1/warehouses", headers=auth)
    assert response.status_code == 200 and response.json() == listed.model_dump(mode="json")
    boss = await f.staff_user(sessions, role="admin")
    response = await api.post("/api/v1/warehouses", json={"code": "par1", "name": "Again"},
                              headers={"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate_code"
    assert await count(sessions, Warehouse) == 1
    async with sessions() as s:
        assert (await s.execute(select(Warehouse.name))).scalars().all() == ["Warehouse PAR1"]
