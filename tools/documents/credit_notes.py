"""Credit notes (CN-YYYY-NNNNNN): one per refund, or the rest of an invoice when it is voided; sending invoices."""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentKind, TransactionKind, TransactionResult
from db.models import Invoice, PaymentTransaction, ReturnLine, ReturnRequest
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.documents.invoices import (
    INVOICE,
    S,
    current_invoice,
    invoiceable,
    issue_invoice,
    line_snapshot,
    render,
    vat_split,
)
from tools.documents.numbering import next_number
from tools.errors import Conflict, NotFound
from tools.order.service import get_order


async def credited_total(session: AsyncSession, invoice: Invoice) -> Decimal:
    """The sum of the credit notes issued against an invoice."""
    total = await session.scalar(select(func.sum(Invoice.total)).where(Invoice.credits_invoice_id == invoice.id))
    return total or Decimal("0")


async def issue_credit_note(ctx: ToolContext, invoice: Invoice, amount: Decimal, *, reason: str,
                            lines: list[dict[str, Any]] | None = None,
                            refund_transaction_id: int | None = None) -> Invoice:
    """A credit note of `amount` (VAT included) against an invoice, never beyond what is left of it."""
    if invoice.kind != DocumentKind.INVOICE:
        raise Conflict(f"{invoice.number} is a credit note; only invoices can be credited")
    left = invoice.total - await credited_total(ctx.session, invoice)
    if amount <= 0 or amount > left:
        raise Conflict(f"cannot credit {amount} {invoice.currency}: {invoice.number} has {left} left to credit",
                       code="credit_exceeds_invoice", details={"left": str(left)})
    net, vat = vat_split(amount, invoice.vat_rate_pct)
    note = Invoice(
        id=str(uuid.uuid4()), number=await next_number(ctx.session, DocumentKind.CREDIT_NOTE, ctx.now().year),
        order_id=invoice.order_id, kind=DocumentKind.CREDIT_NOTE, status=S.ISSUED, credits_invoice_id=invoice.id,
        refund_transaction_id=refund_transaction_id, reason=reason, currency=invoice.currency,
        lines=lines or [_one_line(reason, amount)], shipping=Decimal("0"), subtotal=net, tax=vat, total=amount,
        vat_rate_pct=invoice.vat_rate_pct, billing=invoice.billing, ship_to=invoice.ship_to, issued_at=ctx.now(),
    )
    ctx.session.add(note)
    facts = {"number": note.number, "invoice_number": invoice.number, "order_id": invoice.order_id,
             "amount": str(amount),
             "refund_transaction_id": None if refund_transaction_id is None else str(refund_transaction_id)}
    audit(ctx, "credit_note", note.id, "issued", to_state=S.ISSUED, data=facts)
    emit(ctx, "credit_note.issued", note.id, facts)
    await render(ctx, note, credits_number=invoice.number)
    return note


def _one_line(reason: str, amount: Decimal) -> dict[str, Any]:
    return {"sku": "", "name": reason or "Credit", "options": {}, "quantity": 1, "unit_price": str(amount),
            "line_total": str(amount)}


async def _returned_lines(session: AsyncSession, order_id: str, amount: Decimal) -> list[dict[str, Any]] | None:
    """The items of the order's return refunded for exactly this amount, when one matches."""
    rma = await session.scalar(select(ReturnRequest).where(ReturnRequest.order_id == order_id,
                                                           ReturnRequest.refund_amount == amount))
    if rma is None:
        return None
    order = await get_order(session, order_id)
    by_id = {line.id: line for line in order.lines}
    rows = await session.scalars(select(ReturnLine).where(ReturnLine.rma_id == rma.id).order_by(ReturnLine.id))
    lines = []
    for returned in rows:
        lines.append(line_snapshot(by_id[returned.order_line_id], returned.quantity))
    # Only when the items add up to the refund; otherwise the refund is shown as one line.
    return lines if lines and sum(Decimal(x["line_total"]) for x in lines) == amount else None


async def credit_note_for_refund(ctx: ToolContext, refund_id: int) -> Invoice | None:
    """The credit note of a successful refund, issued once (None when the order was never invoiced).

    An order that shipped gets its invoice first if it had none; a refund before shipping needs no credit note.
    """
    refund = await ctx.session.get(PaymentTransaction, refund_id)
    if refund is None or refund.kind != TransactionKind.REFUND:
        raise NotFound(f"refund transaction {refund_id} not found")
    if refund.result != TransactionResult.SUCCESS:
        raise Conflict(f"refund transaction {refund_id} was declined; nothing was refunded to credit")
    order = await get_order(ctx.session, refund.order_id, for_update=True)
    existing = await ctx.session.scalar(select(Invoice).where(Invoice.refund_transaction_id == refund.id))
    if existing is not None:
        return existing
    invoice = await current_invoice(ctx.session, order.id)
    if invoice is None and not await invoiceable(ctx.session, order):
        return None
    invoice = invoice or await issue_invoice(ctx, order.id)
    lines = await _returned_lines(ctx.session, order.id, refund.amount)
    reason = f"Refund{': ' + refund.reason if refund.reason else ''} (transaction {refund.id})"
    return await issue_credit_note(ctx, invoice, refund.amount, reason=reason, lines=lines,
                                   refund_transaction_id=refund.id)


async def void_invoice(ctx: ToolContext, invoice: Invoice, reason: str) -> tuple[Invoice, Invoice | None]:
    """Void an invoice with a credit note for what earlier credit notes left of it (none if nothing is left)."""
    await get_order(ctx.session, invoice.order_id, for_update=True)
    if invoice.kind != DocumentKind.INVOICE:
        raise Conflict(f"{invoice.number} is a credit note; only invoices can be voided")
    INVOICE.move(ctx, invoice, S.VOIDED, entity_id=invoice.id, data={"number": invoice.number, "reason": reason})
    left = invoice.total - await credited_total(ctx.session, invoice)
    note = None
    if left > 0:
        note = await issue_credit_note(ctx, invoice, left, reason=f"Invoice voided: {reason}",
                                       lines=invoice.lines if left == invoice.total else None)
    invoice.voided_at = ctx.now()
    return invoice, note


def send_invoice(ctx: ToolContext, invoice: Invoice) -> Invoice:
    """Mark an invoice or credit note as sent to the customer (issued -> sent)."""
    INVOICE.move(ctx, invoice, S.SENT, entity_id=invoice.id, data={"number": invoice.number})
    invoice.sent_at = ctx.now()
    return invoice
