"""The post-sale chain end to end, with the event handlers doing the reactions between domains.

An order is placed, packed, shipped (the documents handler issues its invoice), delivered; the customer asks
for a return in chat and says yes; staff approve and receive it (the quality handler schedules an inspection
per product); the inspections complete (the failed one raises a quality alert through its handler); the
refund goes out (the documents handler issues the credit note). The dispatcher runs in-process between
steps, as `shopcrew serve` runs it in the background. Runs on SQLite, and on PostgreSQL with -m db.
"""

import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from db.models import (
    AuditEvent,
    Document,
    EventDelivery,
    Invoice,
    OutboxEvent,
    PaymentTransaction,
    QualityInspection,
    StockMovement,
    SystemAlert,
)
from graph.crew import Crew
from shopcrew.settings import Settings
from tests.tools.order_helpers import allocated, shop
from tests.tools.transport_helpers import carriers
from tools.events.dispatcher import Dispatcher
from tools.events.registry import load_handlers
from tools.events.relay import RELAY

# The milestones of the chain; the outbox holds more (reservations, ledger rows, tracking), checked elsewhere.
MILESTONES = {
    "order.placed", "order.processed", "order.delivered", "order.return_requested", "shipment.packed",
    "shipment.shipped", "shipment.delivered", "invoice.issued", "rma.requested", "rma.approved", "rma.in_transit",
    "rma.received", "inspection.scheduled", "inspection.completed", "inspection.failed", "system_alert.raised",
    "rma.inspected", "rma.refunded", "credit_note.issued", "document.generated",
}


async def drain(sessions) -> None:
    """Deliver every due event to every handler, as the background dispatcher would; nothing may fail."""
    report = await Dispatcher(sessions, load_handlers()).drain()
    assert (report.failed, report.dead) == (0, 0), report.line()


async def rows(sessions, *columns, where=(), order=()):
    async with sessions() as s:
        return [tuple(r) for r in (await s.execute(select(*columns).where(*where).order_by(*order))).all()]


async def actor_of(sessions, entity: str, entity_id: str) -> str:
    async with sessions() as s:
        return await s.scalar(select(AuditEvent.actor).where(AuditEvent.entity == entity,
                                                             AuditEvent.entity_id == entity_id).limit(1))


def page_one(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


async def test_sale_return_and_refund_with_the_handlers_reacting(sessions, call, as_customer, support, merchant,
                                                                 warehouse_staff, database_url, tmp_path):
    await carriers(sessions)
    sh = await shop(sessions)
    me = as_customer(sh.customer)

    # Placed, packed, shipped: the invoice is the documents handler's doing, not a tool's.
    order = await call(me, "place_order", lines=[{"item": "KB-RED", "quantity": 2}, {"item": "MUG-W", "quantity": 1}],
                       payment_method_id=sh.card.id)
    packed = await call(warehouse_staff, "pack_order", order_id=order.order_id)
    tracking = packed.shipments[0].tracking_number
    await call(warehouse_staff, "ship_shipment", shipment_ref=tracking)
    assert await rows(sessions, Invoice.id) == []
    await drain(sessions)
    [(invoice_id, invoice_number, gross, shipping)] = await rows(sessions, Invoice.id, Invoice.number, Invoice.total,
                                                                 Invoice.shipping)
    assert (gross, shipping) == (order.total, order.shipping_cost)
    assert await actor_of(sessions, "invoice", invoice_id) == "system:documents.invoice_shipped_order"
    [(pdf,)] = await rows(sessions, Document.content, where=[Document.invoice_id == invoice_id])
    text = page_one(pdf)
    for expected in (invoice_number, order.order_id, "KB-RED", "MUG-W", "178.00 EUR", "12.00 EUR",
                     f"{order.shipping_cost} EUR", f"{order.total} EUR"):
        assert expected in text, expected

    await call(warehouse_staff, "deliver_shipment", shipment_ref=tracking, location="Paris")
    await drain(sessions)

    # The return, asked for in chat by the customer, who confirms with a yes.
    async with Crew.open(Settings(database_url=database_url, data_dir=tmp_path), sessions=sessions) as crew:
        asked = await crew.ask(me, f"The keyboard from my order {order.order_id} is defective, I want to return "
                                    "the order for a refund.", "return-1")
        assert asked.agent == "after_sales" and asked.pending_confirmation["name"] == "request_return"
        assert await rows(sessions, OutboxEvent.id, where=[OutboxEvent.topic == "rma.requested"]) == []
        done = await crew.ask(me, "yes", "return-1")
    [called] = done.tool_calls
    assert called["name"] == "request_return" and called["ok"], done
    assert called["args"]["order_id"] == order.order_id and called["args"]["reason"] == "product_defect"
    rma = await call(me, "get_rma", rma_number=order.order_id)
    assert rma.rma_number in done.reply and rma.status == "requested"

    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number,
               lines=[{"item": "KB-RED", "condition": "defective"}, {"item": "MUG-W", "condition": "unopened"}])
    assert await rows(sessions, QualityInspection.id) == []
    await drain(sessions)
    inspections = {product: (inspection, sample, status) for inspection, product, sample, status in await rows(
        sessions, QualityInspection.id, QualityInspection.product_id, QualityInspection.sample_size,
        QualityInspection.status)}
    assert {product: rest for product, (_, *rest) in inspections.items()} == {
        sh.keyboard.id: [2, "scheduled"], sh.mug.id: [1, "scheduled"]}
    keyboard_check, mug_check = inspections[sh.keyboard.id][0], inspections[sh.mug.id][0]
    assert await actor_of(sessions, "inspection", keyboard_check) == "system:quality.inspect_received_return"

    # The keyboards fail (a critical defect): the quality handler raises the alert. The mug passes.
    for inspection in (keyboard_check, mug_check):
        await call(warehouse_staff, "start_inspection", inspection_id=inspection)
    await call(warehouse_staff, "record_defect", inspection_id=keyboard_check, severity="critical",
               description="keys do not register", quantity=1)
    failed = await call(warehouse_staff, "complete_inspection", inspection_id=keyboard_check)
    passed = await call(warehouse_staff, "complete_inspection", inspection_id=mug_check)
    assert (failed.result, failed.score, passed.result, passed.score) == ("fail", 60, "pass", 100)
    assert await rows(sessions, SystemAlert.id) == []
    await drain(sessions)
    [(alert_id, alert_title, severity)] = await rows(sessions, SystemAlert.id, SystemAlert.title, SystemAlert.severity)
    assert (alert_title, severity) == (f"Inspection {failed.inspection_number} failed", "critical")
    assert await actor_of(sessions, "system_alert", str(alert_id)) == "system:quality.alert_failed_inspection"

    # Inspected and refunded: the credit note is the documents handler's doing.
    await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")
    refunded = await call(support, "resolve_return", rma_number=rma.rma_number)
    assert refunded.status == "refunded"
    assert await rows(sessions, Invoice.number, where=[Invoice.kind == "credit_note"]) == []
    await drain(sessions)
    [(note_id, note_number, credited, note_lines, refund_tx)] = await rows(
        sessions, Invoice.id, Invoice.number, Invoice.total, Invoice.lines, Invoice.refund_transaction_id,
        where=[Invoice.credits_invoice_id == invoice_id])
    assert note_number.startswith("CN-") and credited == Decimal("190.00")
    assert [(line["sku"], line["quantity"], line["line_total"]) for line in note_lines] == [
        ("KB-RED", 2, "178.00"), ("MUG-W", 1, "12.00")]
    assert await actor_of(sessions, "credit_note", note_id) == "system:documents.credit_note_for_refunds"

    # Money: the sale, then one refund of the returned items (shipping is not refunded), the credit note on it.
    ledger = await rows(sessions, PaymentTransaction.id, PaymentTransaction.kind, PaymentTransaction.result,
                        PaymentTransaction.amount, order=[PaymentTransaction.id])
    assert [entry[1:] for entry in ledger] == [("sale", "success", order.total),
                                               ("refund", "success", Decimal("190.00"))]
    assert ledger[-1][0] == refund_tx
    after = await call(me, "get_order_details", order_id=order.order_id)
    assert after.status == "delivered"
    assert [(p.transaction_type, p.amount, p.payment_method_id) for p in after.payment_history] == [
        ("payment", Decimal("195.90"), sh.card.id), ("refund", Decimal("190.00"), sh.card.id)]

    # Stock: shipped out; the unopened mug back on the shelf; the defective keyboards in, then written off.
    movements = await rows(sessions, StockMovement.variant_id, StockMovement.kind, StockMovement.quantity,
                           StockMovement.reference, order=[StockMovement.id])
    assert movements == [
        (sh.red.id, "shipment", -2, order.order_id), (sh.mug.variants[0].id, "shipment", -1, order.order_id),
        (sh.red.id, "return", 2, rma.rma_number), (sh.red.id, "write_off", -2, rma.rma_number),
        (sh.mug.variants[0].id, "return", 1, rma.rma_number)]
    assert await allocated(sessions, sh.red) == (8, 0) and await allocated(sessions, sh.mug.variants[0]) == (10, 0)

    # Documents: the invoice and the credit note, each a stored PDF.
    documents = await rows(sessions, Document.kind, Document.format, Document.invoice_id, order=[Document.created_at])
    assert documents == [("invoice", "pdf", invoice_id), ("credit_note", "pdf", note_id)]
    [(note_pdf,)] = await rows(sessions, Document.content, where=[Document.invoice_id == note_id])
    assert all(word in page_one(note_pdf) for word in (note_number, invoice_number, "190.00 EUR"))

    # The events, in order; every handler delivery done, the broker relay's waiting (no broker here).
    topics = [t for (t,) in await rows(sessions, OutboxEvent.topic, order=[OutboxEvent.id]) if t in MILESTONES]
    assert topics == [
        "order.placed", "shipment.packed", "order.processed", "shipment.shipped",
        "invoice.issued", "document.generated",                              # the documents handler
        "shipment.delivered", "order.delivered", "rma.requested", "order.return_requested", "rma.approved",
        "rma.in_transit", "rma.received",
        "inspection.scheduled", "inspection.scheduled",                      # the quality handler
        "inspection.completed", "inspection.failed", "inspection.completed",
        "system_alert.raised",                                               # the quality handler
        "rma.inspected", "rma.refunded", "order.delivered",
        "credit_note.issued", "document.generated",                          # the documents handler
    ]
    statuses = await rows(sessions, EventDelivery.handler, EventDelivery.status,
                          where=[EventDelivery.handler != RELAY])
    assert {status for _, status in statuses} == {"delivered"}
    assert sorted({handler for handler, _ in statuses}) == [
        "documents.credit_note_for_refunds", "documents.invoice_shipped_order", "quality.alert_failed_inspection",
        "quality.inspect_received_return"]
