"""The reactions between domains (tools/<domain>/handlers.py) through the real dispatcher: each happens once,
a handler that fails after writing leaves nothing and is retried, and a redelivered event changes nothing."""

from decimal import Decimal

from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import DeliveryStatus
from db.models import Document, Invoice, InvoiceSequence, OutboxEvent, QualityInspection, SystemAlert
from tests import factories as f
from tests.tools.after_sales_helpers import delivered
from tests.tools.event_helpers import Clock, deliveries, dispatcher
from tests.tools.order_helpers import shop
from tests.tools.transport_helpers import carriers
from tools.context import ToolContext
from tools.documents import handlers as documents
from tools.documents import invoices
from tools.events.registry import Event, load_handlers
from tools.principals import system_principal
from tools.quality import handlers as quality

INVOICING = "documents.invoice_shipped_order"
CREDITING = "documents.credit_note_for_refunds"


async def count(sessions, model, *where) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def shipped_order(sessions, call, as_customer, warehouse_staff, *, parcels: int = 1):
    """A placed order of keyboards, packed in `parcels` parcels (one per warehouse), each shipped."""
    await carriers(sessions)
    sh = await shop(sessions, stock=1)
    if parcels == 2:
        await f.stock(sessions, await f.warehouse(sessions, code="LYO1"), sh.red, on_hand=5)
    order = await call(as_customer(sh.customer), "place_order", payment_method_id=sh.card.id,
                       lines=[{"item": "KB-RED", "quantity": 1 if parcels == 1 else 6}])
    packed = await call(warehouse_staff, "pack_order", order_id=order.order_id)
    assert len(packed.shipments) == parcels
    for parcel in packed.shipments:
        await call(warehouse_staff, "ship_shipment", shipment_ref=parcel.tracking_number)
    return sh, order


async def redeliver(sessions, handler, topic: str) -> None:
    """Run a handler again on the last event of the topic, as a redelivery after a lost commit would."""
    async with sessions() as s:
        row = await s.scalar(select(OutboxEvent).where(OutboxEvent.topic == topic)
                             .order_by(OutboxEvent.id.desc()).limit(1))
    async with unit_of_work(sessions) as s:
        await handler(ToolContext(session=s, principal=system_principal("test.redelivery")), Event.of(row))


async def test_an_invoice_handler_that_fails_after_writing_leaves_nothing_and_its_retry_issues_once(
        sessions, call, as_customer, warehouse_staff, monkeypatch):
    _, order = await shipped_order(sessions, call, as_customer, warehouse_staff)
    real_pdf, attempts = invoices.invoice_pdf, []

    def pdf_that_fails_once(*args):
        attempts.append(1)
        if len(attempts) == 1:  # the invoice row, its number and its event are written by now
            raise OSError("disk full")
        return real_pdf(*args)

    monkeypatch.setattr(invoices, "invoice_pdf", pdf_that_fails_once)
    clock = Clock()
    events = dispatcher(sessions, load_handlers(), clock)
    assert (await events.drain()).failed == 1
    [row] = (await deliveries(sessions, INVOICING)).values()
    assert (row.status, row.attempts) == (DeliveryStatus.RETRYING, 1) and "disk full" in row.last_error
    assert [await count(sessions, m) for m in (Invoice, Document, InvoiceSequence)] == [0, 0, 0]
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "invoice.issued") == 0

    clock.advance(3600)
    assert (await events.drain()).failed == 0
    [row] = (await deliveries(sessions, INVOICING)).values()
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)
    async with sessions() as s:
        invoice = await s.scalar(select(Invoice))
    # The failed attempt took no number with it: the retry's invoice is the year's first.
    assert invoice.number.endswith("-000001") and invoice.order_id == order.order_id
    assert [await count(sessions, m) for m in (Invoice, Document)] == [1, 1]
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "invoice.issued") == 1


async def test_an_order_is_invoiced_once_whatever_the_parcels_and_redeliveries(
        sessions, call, as_customer, warehouse_staff, merchant):
    await shipped_order(sessions, call, as_customer, warehouse_staff, parcels=2)
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "shipment.shipped") == 2
    assert (await dispatcher(sessions, load_handlers(), Clock()).drain()).failed == 0
    await redeliver(sessions, documents.invoice_shipped_order, "shipment.shipped")
    assert await count(sessions, Invoice) == 1
    # Staff voided it (with its credit note): a late shipment event leaves the corrected invoice to them.
    async with sessions() as s:
        number = await s.scalar(select(Invoice.number))
    await call(merchant, "void_invoice", invoice_ref=number, reason="wrong billing name")
    await redeliver(sessions, documents.invoice_shipped_order, "shipment.shipped")
    assert await count(sessions, Invoice, Invoice.kind == "invoice") == 1


async def test_every_refund_gets_one_credit_note_and_a_sale_none(sessions, call, as_customer, warehouse_staff,
                                                                 merchant):
    _, order = await shipped_order(sessions, call, as_customer, warehouse_staff)
    events = dispatcher(sessions, load_handlers(), Clock())
    await events.drain()
    assert await count(sessions, Invoice, Invoice.kind == "credit_note") == 0  # the sale's ledger row: nothing
    refund = await call(merchant, "refund_payment", order_id=order.order_id, amount=20, reason="scratched case")
    assert (await events.drain()).failed == 0
    await redeliver(sessions, documents.credit_note_for_refunds, "payment_transaction.recorded")
    async with sessions() as s:
        notes = (await s.execute(select(Invoice.refund_transaction_id, Invoice.total, Invoice.credits_invoice_id)
                                 .where(Invoice.kind == "credit_note"))).all()
        invoice_id = await s.scalar(select(Invoice.id).where(Invoice.kind == "invoice"))
    assert notes == [(refund.transaction.id, Decimal("20.00"), invoice_id)]


async def test_a_refund_before_shipping_is_handled_without_a_credit_note(sessions, call, as_customer):
    await carriers(sessions)
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await call(me, "place_order", payment_method_id=sh.card.id, lines=[{"item": "KB-RED", "quantity": 1}])
    await call(me, "cancel_pending_order", order_id=order.order_id, reason="ordered by mistake")
    assert (await dispatcher(sessions, load_handlers(), Clock()).drain()).failed == 0
    statuses = {row.status for row in (await deliveries(sessions, CREDITING)).values()}
    assert statuses == {DeliveryStatus.DELIVERED} and await count(sessions, Invoice) == 0


async def test_a_received_return_is_inspected_once_and_a_failed_inspection_alerts_once(
        sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1), (sh.mug.variants[0], 1)])
    rma = await call(as_customer(sh.customer), "request_return", order_id=order.id, reason="product_defect")
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="defective")
    events = dispatcher(sessions, load_handlers(), Clock())
    assert (await events.drain()).failed == 0
    await redeliver(sessions, quality.inspect_received_return, "rma.received")
    async with sessions() as s:
        checks = (await s.execute(select(QualityInspection.id, QualityInspection.product_id)
                                  .order_by(QualityInspection.product_id))).all()
    assert sorted(product for _, product in checks) == sorted([sh.keyboard.id, sh.mug.id])

    keyboard = next(i for i, product in checks if product == sh.keyboard.id)
    await call(warehouse_staff, "start_inspection", inspection_id=keyboard)
    await call(warehouse_staff, "record_defect", inspection_id=keyboard, severity="critical", description="dead key",
               quantity=1)
    assert (await call(warehouse_staff, "complete_inspection", inspection_id=keyboard)).result == "fail"
    assert (await events.drain()).failed == 0
    await redeliver(sessions, quality.alert_failed_inspection, "inspection.failed")
    async with sessions() as s:
        alerts = (await s.execute(select(SystemAlert.source, SystemAlert.severity, SystemAlert.status))).all()
    assert alerts == [("quality", "critical", "open")]
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "system_alert.raised") == 1


async def test_a_return_moved_on_before_its_event_arrived_gets_no_inspection(sessions, call, as_customer, support,
                                                                             warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    rma = await call(as_customer(sh.customer), "request_return", order_id=order.id, reason="changed_mind")
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="unopened")
    await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")
    assert (await dispatcher(sessions, load_handlers(), Clock()).drain()).failed == 0
    assert await count(sessions, QualityInspection) == 0
