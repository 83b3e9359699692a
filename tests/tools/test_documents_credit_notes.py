"""Credit notes: one per refund, in their own CN series, never beyond what is left of the invoice."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import OrderStatus, Role, ShipmentStatus
from db.models import Invoice, OutboxEvent, ReturnLine, ReturnRequest
from tests.conftest import staff_principal
from tests.tools.documents_helpers import parcel
from tools.context import ToolContext
from tools.documents.credit_notes import credit_note_for_refund
from tools.errors import Conflict, Forbidden, NotFound


async def refund(call, order_id, amount, reason="damaged item"):
    # Refunds as a merchant: support's large partial refunds wait for approval (tests/tools/test_backoffice_*).
    merchant = staff_principal(Role.MERCHANT)
    return (await call(merchant, "refund_payment", order_id=order_id, amount=amount, reason=reason)).transaction.id


async def test_refund_gets_one_credit_note_referencing_the_invoice(sessions, call, support):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    tx = await refund(call, p.order.id, 94.50)
    note = await call(support, "issue_credit_note", refund_transaction_id=tx)
    again = await call(support, "issue_credit_note", refund_transaction_id=tx)
    assert again.number == note.number == f"CN-{invoice.number[4:8]}-000001"
    assert note.credits_number == invoice.number and note.refund_transaction_id == tx
    assert (note.gross, note.vat, note.net) == (Decimal("94.50"), Decimal("15.75"), Decimal("78.75"))
    assert "damaged item" in note.reason
    assert (await call(support, "get_invoice", invoice_ref=invoice.number)).credited == Decimal("94.50")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).where(Invoice.kind == "credit_note")) == 1
        assert await s.scalar(select(func.count()).where(OutboxEvent.topic == "credit_note.issued")) == 1


async def test_refund_of_shipped_order_without_invoice_issues_both(sessions, call, support):
    p = await parcel(sessions)
    tx = await refund(call, p.order.id, 10)
    note = await call(support, "issue_credit_note", refund_transaction_id=tx)
    invoice = await call(support, "get_invoice", invoice_ref=p.order.id)
    assert note.credits_number == invoice.number and invoice.credited == Decimal("10.00")


async def test_refund_before_shipping_needs_no_credit_note(sessions, call, support):
    p = await parcel(sessions, status=OrderStatus.PENDING, shipment_status=ShipmentStatus.PACKED)
    tx = await refund(call, p.order.id, 10)
    with pytest.raises(Conflict, match="no credit note is needed"):
        await call(support, "issue_credit_note", refund_transaction_id=tx)
    async with unit_of_work(sessions) as s:
        assert await credit_note_for_refund(ToolContext(session=s, principal=support), tx) is None


async def test_credit_notes_never_exceed_the_invoice(sessions, call, support, merchant):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    await call(support, "issue_credit_note", refund_transaction_id=await refund(call, p.order.id, 200))
    voided = await call(merchant, "void_invoice", invoice_ref=invoice.number, reason="customer VAT number missing")
    assert voided.credit_note.gross == Decimal("83.50")  # 283.50 less the 200.00 already credited
    assert voided.invoice.credited == Decimal("283.50")


async def test_credit_note_lines_come_from_the_return_refunded(sessions, call, support):
    p = await parcel(sessions)
    blue = p.order.lines[1]
    async with unit_of_work(sessions) as s:
        rma = ReturnRequest(id="rma-1", rma_number="RMA-20260101-TEST0001", order_id=p.order.id,
                            customer_id=p.customer.id, status="received", reason="product_defect",
                            resolution="refund", refund_amount=Decimal("94.50"))
        rma.lines = [ReturnLine(order_line_id=blue.id, variant_id=blue.variant_id, quantity=1)]
        s.add(rma)
    note = await call(support, "issue_credit_note", refund_transaction_id=await refund(call, p.order.id, 94.5))
    assert [(line.sku, line.quantity, line.line_total) for line in note.lines] == [(blue.sku, 1, Decimal("94.50"))]


async def test_unknown_or_forbidden_refunds(sessions, call, support, as_customer, warehouse_staff):
    p = await parcel(sessions)
    with pytest.raises(NotFound):
        await call(support, "issue_credit_note", refund_transaction_id=999999)
    sale = (await call(support, "get_order_payments", order_id=p.order.id)).payments[0].transactions[0].id
    with pytest.raises(NotFound):
        await call(support, "issue_credit_note", refund_transaction_id=sale)
    for who in (as_customer(p.customer), warehouse_staff):
        with pytest.raises(Forbidden):
            await call(who, "issue_credit_note", refund_transaction_id=sale)
