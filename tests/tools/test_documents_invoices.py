"""Invoices: issued once per shipped order with the VAT split, snapshots and a PDF; voiding and sending."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import OrderChannel, OrderStatus, ShipmentStatus
from db.models import AuditEvent, Document, Invoice, Order, OutboxEvent, Product
from tests import factories as f
from tests.tools.documents_helpers import keyboard, parcel
from tools.config.service import set_value
from tools.context import ToolContext
from tools.errors import Conflict, Forbidden, InvalidTransition, NotFound


def pdf_text(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


async def test_invoice_shows_lines_shipping_and_vat_split(sessions, call, support):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    assert invoice.number.startswith("INV-") and invoice.status == "issued"
    assert (invoice.gross, invoice.vat, invoice.net) == (Decimal("283.50"), Decimal("47.25"), Decimal("236.25"))
    assert invoice.vat_rate_pct == 20 and invoice.shipping == Decimal("5.50")
    assert [(line.sku, line.quantity, line.line_total) for line in invoice.lines] == [
        (p.order.lines[0].sku, 1, Decimal("89.00")), (p.order.lines[1].sku, 2, Decimal("189.00"))]
    assert invoice.customer_name == "Chloé Dubois"
    async with sessions() as s:
        document = await s.get(Document, invoice.document_id)
    text = pdf_text(document.content)
    for expected in (invoice.number, p.order.id, p.order.lines[0].sku, p.order.lines[1].sku, "189.00 EUR",
                     "Shipping", "5.50 EUR", "236.25 EUR", "VAT 20 %", "47.25 EUR", "283.50 EUR", "Chloé Dubois"):
        assert expected in text, expected
    assert invoice.download_path == f"/api/v1/documents/{document.id}/file"


async def test_issuing_twice_returns_the_same_invoice(sessions, call, support, as_customer):
    p = await parcel(sessions)
    first = await call(support, "issue_invoice", order_id=p.order.id)
    again = await call(as_customer(p.customer), "issue_invoice", order_id=p.order.id.lstrip("#"))
    assert again.number == first.number and again.document_id == first.document_id
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Invoice)) == 1
        assert await s.scalar(select(func.count()).select_from(Document)) == 1
        assert await s.scalar(select(func.count()).where(OutboxEvent.topic == "invoice.issued")) == 1


async def test_invoice_is_a_snapshot_of_the_sale(sessions, call, support):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    async with unit_of_work(sessions) as s:
        product = await s.get(Product, p.order.lines[0].product_id)
        product.name = "Renamed"
    again = await call(support, "get_invoice", invoice_ref=invoice.number)
    assert again.lines[0].name == invoice.lines[0].name != "Renamed"


async def test_vat_rate_is_a_setting_and_issued_invoices_keep_theirs(sessions, call, support, admin):
    first = await call(support, "issue_invoice", order_id=(await parcel(sessions)).order.id)
    async with unit_of_work(sessions) as s:
        await set_value(ToolContext(session=s, principal=admin), "documents.vat_rate_pct", 5.5)
    second = await call(support, "issue_invoice", order_id=(await parcel(sessions)).order.id)
    assert second.vat_rate_pct == Decimal("5.5") and second.vat == Decimal("14.78")  # 283.50 x 5.5 / 105.5
    assert (await call(support, "get_invoice", invoice_ref=first.number)).vat == Decimal("47.25")


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.CANCELLED])
async def test_order_that_has_not_shipped_gets_no_invoice(sessions, call, support, status):
    p = await parcel(sessions, status=status, shipment_status=ShipmentStatus.PACKED)
    with pytest.raises(Conflict, match="has not shipped"):
        await call(support, "issue_invoice", order_id=p.order.id)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Invoice)) == 0


async def test_processed_order_whose_parcel_left_is_invoiceable(sessions, call, support):
    p = await parcel(sessions, status=OrderStatus.PROCESSED, shipment_status=ShipmentStatus.IN_TRANSIT)
    assert (await call(support, "issue_invoice", order_id=p.order.id)).order_id == p.order.id


async def test_customers_reach_only_their_own_invoices(sessions, call, support, as_customer):
    mine, theirs = await parcel(sessions), await parcel(sessions)
    other = await call(support, "issue_invoice", order_id=theirs.order.id)
    me = as_customer(mine.customer)
    for name, args in [("issue_invoice", {"order_id": theirs.order.id}),
                       ("get_invoice", {"invoice_ref": other.number}),
                       ("get_invoice", {"invoice_ref": theirs.order.id}),
                       ("get_document", {"document_ref": other.document_id}),
                       ("download_document", {"document_ref": other.number}),
                       ("list_order_documents", {"order_id": theirs.order.id})]:
        with pytest.raises(NotFound) as refused:
            await call(me, name, **args)
        assert theirs.customer.email not in refused.value.message
    with pytest.raises(Forbidden):
        await call(me, "list_invoices")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Invoice)) == 1


async def test_warehouse_staff_see_parcels_not_money(sessions, call, support, warehouse_staff):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    with pytest.raises(Forbidden):
        await call(warehouse_staff, "issue_invoice", order_id=p.order.id)
    with pytest.raises(NotFound):
        await call(warehouse_staff, "download_document", document_ref=invoice.document_id)
    assert (await call(warehouse_staff, "list_order_documents", order_id=p.order.id)).documents == []


async def test_send_then_void_with_credit_note(sessions, call, support, merchant):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    sent = await call(support, "send_invoice", invoice_ref=invoice.number.lower())
    assert sent.status == "sent" and sent.sent_at is not None
    voided = await call(merchant, "void_invoice", invoice_ref=invoice.number, reason="wrong billing name")
    assert voided.invoice.status == "voided" and voided.invoice.credited == Decimal("283.50")
    note = voided.credit_note
    assert note.number.startswith("CN-") and note.credits_number == invoice.number
    assert (note.gross, note.vat) == (Decimal("283.50"), Decimal("47.25"))
    assert [line.sku for line in note.lines] == [line.sku for line in invoice.lines]
    # A corrected invoice can now be issued: it takes the next number.
    fresh = await call(support, "issue_invoice", order_id=p.order.id)
    assert fresh.number != invoice.number and int(fresh.number[-6:]) == int(invoice.number[-6:]) + 1
    async with sessions() as s:
        moves = (await s.scalars(select(AuditEvent.to_state).where(AuditEvent.entity == "invoice",
                                                                  AuditEvent.action == "status_changed"))).all()
    assert moves == ["sent", "voided"]


async def test_invalid_invoice_moves_are_refused_and_change_nothing(sessions, call, support, merchant):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    await call(merchant, "void_invoice", invoice_ref=invoice.number, reason="duplicate")
    with pytest.raises(InvalidTransition):
        await call(support, "send_invoice", invoice_ref=invoice.number)
    with pytest.raises(InvalidTransition):
        await call(merchant, "void_invoice", invoice_ref=invoice.number, reason="again")
    with pytest.raises(Forbidden):
        await call(support, "void_invoice", invoice_ref=invoice.number, reason="support may not")
    after = await call(support, "get_invoice", invoice_ref=invoice.number)
    assert after.status == "voided" and after.sent_at is None
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Invoice)) == 2  # the invoice and one credit note


async def test_staff_order_paid_in_full_is_invoiceable_before_shipping(sessions, call, support):
    customer = await f.customer(sessions)
    card = await f.payment_method(sessions, customer)
    product = await keyboard(sessions)
    order = await f.order(sessions, customer, [(product.variants[0], 1)], card, OrderStatus.PENDING)
    with pytest.raises(Conflict):
        await call(support, "issue_invoice", order_id=order.id)
    async with unit_of_work(sessions) as s:
        (await s.get(Order, order.id)).channel = OrderChannel.STAFF
    assert (await call(support, "issue_invoice", order_id=order.id)).gross == Decimal("89.00")
