"""Reactions of the documents domain: the invoice of an order that shipped, the credit note of every refund.

Each calls the one service for its outcome (tools/documents/invoices.py, credit_notes.py), which is idempotent
on its own, so a redelivered event changes nothing.
"""

from sqlalchemy import select

from db.enums import DocumentKind, TransactionKind, TransactionResult
from db.models import Invoice
from tools.context import ToolContext
from tools.documents.credit_notes import credit_note_for_refund
from tools.documents.invoices import issue_invoice
from tools.events.registry import Event, handles


@handles("shipment.shipped")
async def invoice_shipped_order(ctx: ToolContext, event: Event) -> None:
    """Issue the order's invoice when its first parcel leaves; once per order, later parcels add nothing.

    An order whose invoice staff voided is not invoiced again here: the corrected invoice is theirs to issue.
    """
    order_id = event.payload["order_id"]
    invoiced = await ctx.session.scalar(select(Invoice.id).where(Invoice.order_id == order_id,
                                                                 Invoice.kind == DocumentKind.INVOICE).limit(1))
    if invoiced is None:
        await issue_invoice(ctx, order_id)


@handles("payment_transaction.recorded")
async def credit_note_for_refunds(ctx: ToolContext, event: Event) -> None:
    """Issue the credit note of every successful refund, once, against the order's invoice.

    RMA refunds, store credit, exchange differences and staff refunds alike; an order that never shipped
    has no invoice and needs none.
    """
    facts = event.payload
    if facts.get("kind") == TransactionKind.REFUND and facts.get("result") == TransactionResult.SUCCESS:
        await credit_note_for_refund(ctx, int(facts["transaction_id"]))
