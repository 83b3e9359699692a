"""Inventory reports: low stock, stock value and movement analytics."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from db.engine import unit_of_work
from db.enums import MovementKind
from db.models import StockMovement
from tests import factories as f
from tools.errors import Forbidden, InvalidInput, NotFound


async def test_low_stock_report_severity_and_reorder(sessions, call, support):
    product = await f.product(sessions, variants=[
        {"sku": "LOW", "options": {}}, {"sku": "CRIT", "options": {}}, {"sku": "FINE", "options": {}},
        {"sku": "EMPTY", "options": {}},
    ])
    low, crit, fine, empty = product.variants
    a, b = await f.warehouse(sessions), await f.warehouse(sessions)
    closed = await f.warehouse(sessions, active=False)
    await f.stock(sessions, a, low, 10)
    await f.stock(sessions, a, crit, 6, reorder_point=12, max_stock=40)
    await f.stock(sessions, b, fine, 11)
    await f.stock(sessions, b, empty, 0)
    await f.stock(sessions, closed, empty, 0)
    out = await call(support, "get_low_stock_report")
    assert [(r.sku, r.warehouse_code, r.severity, r.suggested_reorder) for r in out.items] == [
        ("EMPTY", b.code, "critical", 100), ("CRIT", a.code, "critical", 34), ("LOW", a.code, "low", 90)]
    assert (out.total_low, out.critical) == (3, 2) and "half" in out.rule
    out = await call(support, "get_low_stock_report", warehouse=a.code, severity="low")
    assert [r.sku for r in out.items] == ["LOW"] and out.total_low == 2


async def test_low_stock_report_refusals(sessions, call, as_customer, support):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "get_low_stock_report")
    with pytest.raises(InvalidInput):
        await call(support, "get_low_stock_report", severity="urgent")
    with pytest.raises(NotFound):
        await call(support, "get_low_stock_report", warehouse="ZZZ")


async def test_inventory_value_by_warehouse_cost_or_price(sessions, call, merchant):
    product = await f.product(sessions, variants=[
        {"sku": "COSTED", "options": {}, "price": Decimal("90.00"), "cost": Decimal("33.33")},
        {"sku": "PRICED", "options": {}, "price": Decimal("19.99")},
    ])
    costed, priced = product.variants
    a, b = await f.warehouse(sessions, code="AAA"), await f.warehouse(sessions, code="BBB")
    await f.stock(sessions, a, costed, 3)
    await f.stock(sessions, a, priced, 2)
    await f.stock(sessions, b, priced, 5, allocated=5)
    await f.stock(sessions, b, costed, 0)
    out = await call(merchant, "get_inventory_value")
    assert [(w.warehouse_code, w.units, w.value, w.units_at_cost, w.units_at_price) for w in out.warehouses] == [
        ("AAA", 5, Decimal("139.97"), 3, 2), ("BBB", 5, Decimal("99.95"), 0, 5)]
    assert [(t.currency, t.units, t.value) for t in out.totals] == [("EUR", 10, Decimal("239.92"))]
    assert "cost" in out.basis and "price" in out.basis
    only_b = await call(merchant, "get_inventory_value", warehouse="bbb")
    assert [w.warehouse_code for w in only_b.warehouses] == ["BBB"]


async def test_inventory_value_is_staff_only(sessions, call, as_customer):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "get_inventory_value")


async def test_movement_analytics_window_kinds_days_and_top(sessions, call, admin):
    product = await f.product(sessions)
    red, blue = product.variants
    a, b = await f.warehouse(sessions), await f.warehouse(sessions)
    await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=a.code, kind="receipt", quantity=30)
    await call(admin, "record_stock_movement", item_ref=blue.sku, warehouse=a.code, kind="receipt", quantity=5)
    await call(admin, "transfer_stock", item_ref=red.sku, from_warehouse=a.code, to_warehouse=b.code, quantity=10)
    await call(admin, "record_stock_movement", item_ref=red.sku, warehouse=b.code, kind="adjustment", quantity=-1)
    old = datetime.now(UTC) - timedelta(days=40)
    async with unit_of_work(sessions) as s:
        s.add(StockMovement(warehouse_id=a.id, variant_id=blue.id, quantity=500, kind=MovementKind.RECEIPT,
                            created_at=old))
    out = await call(admin, "get_stock_movement_analytics", days=30, top=1)
    assert (out.movements, out.units_in, out.units_out) == (5, 45, 11)
    assert [(k.kind, k.movements, k.units) for k in out.by_kind] == [
        ("adjustment", 1, -1), ("receipt", 2, 35), ("transfer_in", 1, 10), ("transfer_out", 1, -10)]
    assert [(d.units_in, d.units_out, d.net) for d in out.by_day] == [(45, 11, 34)]
    assert [(v.sku, v.movements, v.units_in, v.units_out) for v in out.top_variants] == [(red.sku, 4, 40, 11)]
    only_b = await call(admin, "get_stock_movement_analytics", days=30, warehouse=b.code)
    assert (only_b.units_in, only_b.units_out) == (10, 1)
    longer = await call(admin, "get_stock_movement_analytics", days=60)
    assert longer.units_in == 545 and len(longer.by_day) == 2


async def test_movement_analytics_refusals(sessions, call, as_customer, support):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "get_stock_movement_analytics")
    with pytest.raises(InvalidInput):
        await call(support, "get_stock_movement_analytics", days=0)
