"""Inspections: scheduling for a SKU, a received RMA or a receipt; the lifecycle; score from defects; who may act."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import MovementKind, RmaStatus
from db.models import AuditEvent, Defect, OutboxEvent, QualityInspection, ReturnLine, ReturnRequest, StockMovement
from tests import factories as f
from tests.tools.documents_helpers import parcel
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound


async def receipt(sessions, variant, quantity, reference="PO-2026-0042"):
    wh = await f.warehouse(sessions)
    async with unit_of_work(sessions) as s:
        s.add(StockMovement(warehouse_id=wh.id, variant_id=variant.id, quantity=quantity, kind=MovementKind.RECEIPT,
                            reference=reference))


async def received_rma(sessions, status=RmaStatus.RECEIVED):
    p = await parcel(sessions)
    async with unit_of_work(sessions) as s:
        rma = ReturnRequest(id=f"rma-{p.order.id}", rma_number=f"RMA-20261201-{p.order.id[-7:]}X", order_id=p.order.id,
                            customer_id=p.customer.id, status=status, reason="product_defect", resolution="refund")
        rma.lines = [ReturnLine(order_line_id=line.id, variant_id=line.variant_id, quantity=line.quantity)
                     for line in p.order.lines]
        s.add(rma)
    return p, rma


async def in_progress(call, who, sku, sample=10):
    scheduled = await call(who, "schedule_inspection", sku=sku, sample_size=sample)
    return await call(who, "start_inspection", inspection_id=scheduled.inspection_number)


async def test_schedule_for_a_sku_defaults_to_the_minimum_sample(sessions, call, warehouse_staff):
    kb = await f.product(sessions, supplier="Keystone Components")
    done = await call(warehouse_staff, "schedule_inspection", sku=kb.variants[0].sku)
    assert done.inspection_number.startswith("QI-") and len(done.inspection_number) == 11
    assert (done.status, done.sample_size, done.kind, done.sku) == ("scheduled", 5, "receiving", kb.variants[0].sku)
    assert done.supplier == "Keystone Components" and done.defects == []
    assert (await call(warehouse_staff, "get_inspection", inspection_id=done.inspection_number.lower())).id == done.id
    assert (await call(warehouse_staff, "get_inspection", inspection_id=done.id)).inspection_number \
        == done.inspection_number


async def test_schedule_for_a_receipt_samples_five_percent(sessions, call, merchant):
    kb = await f.product(sessions)
    await receipt(sessions, kb.variants[0], 400)
    done = await call(merchant, "schedule_inspection", receipt_reference="PO-2026-0042",
                      scheduled_for="2026-12-04T09:00:00Z", inspector=None)
    assert (done.sample_size, done.batch_reference, done.sku) == (20, "PO-2026-0042", kb.variants[0].sku)
    assert done.scheduled_for.isoformat().startswith("2026-12-04T09:00")
    with pytest.raises(InvalidInput, match="more than the 400 units"):
        await call(merchant, "schedule_inspection", receipt_reference="PO-2026-0042", sample_size=401)
    other = await f.product(sessions, name="Mug")
    await receipt(sessions, other.variants[0], 10)
    with pytest.raises(Ambiguous):
        await call(merchant, "schedule_inspection", receipt_reference="PO-2026-0042")
    assert (await call(merchant, "schedule_inspection", receipt_reference="PO-2026-0042",
                       sku=other.variants[0].sku)).sample_size == 5
    with pytest.raises(NotFound):
        await call(merchant, "schedule_inspection", receipt_reference="PO-404")


async def test_schedule_for_a_received_rma_inspects_every_returned_unit(sessions, call, warehouse_staff):
    p, rma = await received_rma(sessions)
    done = await call(warehouse_staff, "schedule_inspection", rma_number=rma.rma_number.lower())
    assert (done.kind, done.batch_reference, done.sample_size, done.sku) == ("return", rma.rma_number, 3, None)
    _, requested = await received_rma(sessions, status=RmaStatus.REQUESTED)
    with pytest.raises(Conflict, match="only a received return"):
        await call(warehouse_staff, "schedule_inspection", rma_number=requested.rma_number)


async def test_schedule_needs_a_subject_and_a_real_inspector(sessions, call, merchant):
    kb = await f.product(sessions)
    with pytest.raises(InvalidInput, match="give a sku"):
        await call(merchant, "schedule_inspection", sample_size=5)
    with pytest.raises(InvalidInput, match="inspector"):
        await call(merchant, "schedule_inspection", sku=kb.variants[0].sku, inspector="nobody")
    await f.staff_user(sessions, role="support", username="sam")
    with pytest.raises(InvalidInput, match="inspector"):
        await call(merchant, "schedule_inspection", sku=kb.variants[0].sku, inspector="sam")


async def test_lifecycle_with_defects_scores_and_audits(sessions, call, warehouse_staff):
    kb = await f.product(sessions)
    started = await in_progress(call, warehouse_staff, kb.variants[0].sku)
    assert started.status == "in_progress" and started.inspector == warehouse_staff.subject
    number = started.inspection_number
    await call(warehouse_staff, "record_defect", inspection_id=number, severity="major", description="key dead")
    await call(warehouse_staff, "record_defect", inspection_id=number, severity="minor", description="scratch",
               quantity=2)
    done = await call(warehouse_staff, "complete_inspection", inspection_id=number)
    assert (done.status, done.score, done.result, done.defective_units) == ("completed", 75, "conditional_pass", 3)
    async with sessions() as s:
        actions = (await s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == done.id)
                                   .order_by(AuditEvent.id))).all()
        topics = (await s.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id))).all()
    assert actions == ["scheduled", "status_changed", "defect_recorded", "defect_recorded", "status_changed"]
    assert topics == ["inspection.scheduled", "inspection.in_progress", "inspection.completed"]


@pytest.mark.parametrize(("defects", "points", "outcome"), [
    ([("major", 1), ("minor", 1)], 80, "pass"),
    ([("major", 1), ("minor", 1), ("trivial", 1)], 79, "conditional_pass"),
    ([("major", 2), ("minor", 2)], 60, "conditional_pass"),
    ([("major", 2), ("minor", 2), ("trivial", 1)], 59, "fail"),
    ([("critical", 1)], 60, "fail"),
])
async def test_result_boundaries_from_recorded_defects(sessions, call, merchant, defects, points, outcome):
    kb = await f.product(sessions)
    number = (await in_progress(call, merchant, kb.variants[0].sku)).inspection_number
    for severity, quantity in defects:
        await call(merchant, "record_defect", inspection_id=number, severity=severity, description="flaw",
                   quantity=quantity)
    done = await call(merchant, "complete_inspection", inspection_id=number)
    assert (done.score, done.result) == (points, outcome)
    async with sessions() as s:
        failed = await s.scalar(select(func.count()).where(OutboxEvent.topic == "inspection.failed"))
    assert failed == (1 if outcome == "fail" else 0)


async def test_caller_never_supplies_the_score(sessions, call, merchant):
    kb = await f.product(sessions)
    number = (await in_progress(call, merchant, kb.variants[0].sku)).inspection_number
    with pytest.raises(InvalidInput, match="score"):
        await call(merchant, "complete_inspection", inspection_id=number, score=100)


async def test_invalid_moves_are_refused_and_change_nothing(sessions, call, merchant):
    kb = await f.product(sessions)
    scheduled = await call(merchant, "schedule_inspection", sku=kb.variants[0].sku, sample_size=2)
    number = scheduled.inspection_number
    with pytest.raises(InvalidTransition):
        await call(merchant, "complete_inspection", inspection_id=number)
    with pytest.raises(InvalidTransition):
        await call(merchant, "record_defect", inspection_id=number, severity="minor", description="early")
    await call(merchant, "start_inspection", inspection_id=number)
    with pytest.raises(InvalidTransition):
        await call(merchant, "start_inspection", inspection_id=number)
    with pytest.raises(InvalidTransition):
        await call(merchant, "cancel_inspection", inspection_id=number)
    with pytest.raises(InvalidInput, match="exceed the sample of 2"):
        await call(merchant, "record_defect", inspection_id=number, severity="minor", description="many", quantity=3)
    after = await call(merchant, "get_inspection", inspection_id=number)
    assert (after.status, after.score, after.result, after.defects) == ("in_progress", None, None, [])
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Defect)) == 0


async def test_who_may_do_what(sessions, call, support, merchant, warehouse_staff, as_customer):
    kb = await f.product(sessions)
    customer = await f.customer(sessions)
    for who in (support, as_customer(customer)):
        with pytest.raises(Forbidden):
            await call(who, "schedule_inspection", sku=kb.variants[0].sku)
        with pytest.raises(Forbidden):
            await call(who, "get_product_quality_metrics", product_id=kb.id)
    await f.staff_user(sessions, role="warehouse", username="wendy")
    assigned = await call(merchant, "schedule_inspection", sku=kb.variants[0].sku, inspector="wendy")
    with pytest.raises(Forbidden, match="assigned inspector"):
        await call(warehouse_staff, "start_inspection", inspection_id=assigned.inspection_number)
    with pytest.raises(Forbidden):
        await call(warehouse_staff, "cancel_inspection", inspection_id=assigned.inspection_number)
    cancelled = await call(merchant, "cancel_inspection", inspection_id=assigned.inspection_number,
                           reason="supplier recalled the batch")
    assert cancelled.status == "cancelled"
    async with sessions() as s:
        row = await s.scalar(select(QualityInspection).where(QualityInspection.id == assigned.id))
    assert row.started_at is None and row.inspector == "wendy"
    assert Decimal(assigned.sample_size) == 5
