"""Product quality metrics and supplier ratings from real inspections; the event reactions' service functions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.models import QualityInspection, SystemAlert
from tests import factories as f
from tests.tools.test_quality_inspections import received_rma
from tools.context import ToolContext
from tools.errors import NotFound
from tools.quality.reactions import quality_alert_for, schedule_return_inspections


async def inspect(call, who, sku, sample, defects=()):
    number = (await call(who, "schedule_inspection", sku=sku, sample_size=sample)).inspection_number
    await call(who, "start_inspection", inspection_id=number)
    for severity, quantity in defects:
        await call(who, "record_defect", inspection_id=number, severity=severity, description=f"{severity} flaw",
                   quantity=quantity)
    return await call(who, "complete_inspection", inspection_id=number)


async def test_product_metrics_from_inspections(sessions, call, merchant):
    kb = await f.product(sessions, supplier="Keystone Components")
    sku = kb.variants[0].sku
    await inspect(call, merchant, sku, 20)                                       # 100 pass
    await inspect(call, merchant, sku, 20, [("major", 1), ("minor", 2)])         # 75 conditional
    await inspect(call, merchant, sku, 10, [("critical", 1), ("trivial", 1)])    # 59 fail
    await call(merchant, "schedule_inspection", sku=sku)                        # scheduled, not counted as done
    metrics = await call(merchant, "get_product_quality_metrics", product_id=sku)
    assert (metrics.inspections, metrics.completed) == (4, 3)
    assert metrics.results == {"pass": 1, "conditional_pass": 1, "fail": 1}
    assert metrics.pass_rate_pct == Decimal("66.67") and metrics.average_score == Decimal("78.0")
    assert metrics.defects_by_severity == {"critical": 1, "major": 1, "minor": 2, "trivial": 1}
    assert metrics.inspection_defect_rate_pct == Decimal("10.00")  # 5 defective of 50 inspected
    defects = await call(merchant, "get_product_defects", product_id=kb.name)
    assert defects.total_units == 5 and defects.defects[0].severity == "trivial"
    assert all(d.inspection_number.startswith("QI-") for d in defects.defects)
    assert all(d.sku == sku for d in defects.defects)


async def test_product_without_inspections_has_empty_metrics(sessions, call, warehouse_staff):
    kb = await f.product(sessions)
    metrics = await call(warehouse_staff, "get_product_quality_metrics", product_id=kb.id)
    assert (metrics.completed, metrics.pass_rate_pct, metrics.average_score) == (0, None, None)
    assert metrics.needs_inspection is False
    with pytest.raises(NotFound):
        await call(warehouse_staff, "get_product_defects", product_id="no such thing")


@pytest.mark.parametrize(("defective", "sample", "rating"), [
    (0, 100, "excellent"), (1, 100, "good"), (2, 100, "good"), (3, 100, "fair"), (4, 100, "fair"), (5, 100, "poor"),
])
async def test_supplier_rating_boundaries_from_inspections(sessions, call, merchant, defective, sample, rating):
    kb = await f.product(sessions, supplier="Capsmith Ltd")
    await f.product(sessions, supplier="Capsmith Ltd")  # a product of theirs never inspected counts for nothing
    await inspect(call, merchant, kb.variants[0].sku, sample, [("trivial", defective)] if defective else [])
    found = await call(merchant, "get_supplier_rating", supplier="capsmith ltd")
    assert (found.rating, found.defective_units, found.inspected_units) == (rating, defective, sample)
    assert found.defect_rate_pct == Decimal(defective) and [p.product_id for p in found.products] == [kb.id]


async def test_supplier_rating_looks_back_ninety_days(sessions, call, merchant):
    kb = await f.product(sessions, supplier="Sonata Audio")
    old = await inspect(call, merchant, kb.variants[0].sku, 10, [("major", 5)])
    async with unit_of_work(sessions) as s:
        (await s.get(QualityInspection, old.id)).completed_at = datetime.now(UTC) - timedelta(days=91)
    assert (await call(merchant, "get_supplier_rating", supplier="Sonata Audio")).rating == "unrated"
    await inspect(call, merchant, kb.variants[0].sku, 200, [("minor", 1)])
    rated = await call(merchant, "get_supplier_rating", supplier="Sonata Audio")
    assert (rated.rating, rated.defect_rate_pct, rated.inspections) == ("excellent", Decimal("0.50"), 1)
    every = await call(merchant, "list_supplier_ratings")
    assert [(r.supplier, r.rating) for r in every.suppliers] == [("Sonata Audio", "excellent")]
    with pytest.raises(NotFound):
        await call(merchant, "get_supplier_rating", supplier="Nobody Inc")


async def test_failed_inspection_raises_one_quality_alert(sessions, call, merchant):
    kb = await f.product(sessions)
    failed = await inspect(call, merchant, kb.variants[0].sku, 10, [("critical", 1)])
    passed = await inspect(call, merchant, kb.variants[0].sku, 10)
    async with unit_of_work(sessions) as s:
        ctx = ToolContext(session=s, principal=merchant)
        first = await quality_alert_for(ctx, failed.id)
        again = await quality_alert_for(ctx, failed.inspection_number)
        assert await quality_alert_for(ctx, passed.id) is None
    assert first.id == again.id and first.severity == "critical" and failed.inspection_number in first.title
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SystemAlert)) == 1


async def test_received_return_gets_its_inspections_once(sessions, merchant):
    _, rma = await received_rma(sessions)
    async with unit_of_work(sessions) as s:
        first = await schedule_return_inspections(ToolContext(session=s, principal=merchant), rma.id)
    async with unit_of_work(sessions) as s:
        again = await schedule_return_inspections(ToolContext(session=s, principal=merchant), rma.id)
    assert len(first) == 1 and [i.id for i in again] == [first[0].id]
    assert (first[0].kind, first[0].sample_size, first[0].batch_reference) == ("return", 3, rma.rma_number)
