"""Documents tools: thin registry entries over invoices, credit notes, packing slips and labels."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import Document, Invoice
from tools.context import ALL_ROLES, ToolContext
from tools.documents import credit_notes, invoices, parcels, store
from tools.documents import schemas as s
from tools.errors import Conflict, InvalidInput
from tools.order.service import get_order, get_visible_order
from tools.registry import tool
from tools.schemas import normalize_order_id

AGENT = "documents"
# Customers reach their own orders' paperwork; warehouse staff only parcels (slips and labels), not money.
MONEY_STAFF = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
OWNER_OR_MONEY_STAFF = {Role.CUSTOMER, *MONEY_STAFF}
MANAGERS = {Role.MERCHANT, Role.ADMIN}
PARCEL_STAFF = {Role.WAREHOUSE, Role.SUPPORT, Role.MERCHANT, Role.ADMIN}


def document_out(document: Document, number: str | None = None) -> s.DocumentOut:
    """A stored document with its download path."""
    return s.DocumentOut(
        document_id=document.id, kind=document.kind, format=document.format, number=number,
        order_id=document.order_id, shipment_id=document.shipment_id, filename=document.filename,
        media_type=document.content_type, size_bytes=document.size_bytes, sha256=document.sha256,
        created_at=document.created_at, download_path=store.download_path(document.id),
    )


async def invoice_out(session: AsyncSession, invoice: Invoice) -> s.InvoiceOut:
    """An invoice or credit note with its figures, what was credited against it and its PDF."""
    credits_number = None
    if invoice.credits_invoice_id:
        credits_number = await session.scalar(select(Invoice.number).where(Invoice.id == invoice.credits_invoice_id))
    pdf = await session.scalar(select(Document.id).where(Document.invoice_id == invoice.id)
                               .order_by(Document.created_at.desc()).limit(1))
    return s.InvoiceOut(
        number=invoice.number, kind=invoice.kind, status=invoice.status, order_id=invoice.order_id,
        credits_number=credits_number, refund_transaction_id=invoice.refund_transaction_id, reason=invoice.reason,
        customer_name=invoice.billing.get("name", ""), currency=invoice.currency,
        lines=[s.InvoiceLineOut.model_validate(line, from_attributes=False) for line in invoice.lines],
        shipping=invoice.shipping, net=invoice.subtotal, vat_rate_pct=invoice.vat_rate_pct, vat=invoice.tax,
        gross=invoice.total, credited=await credit_notes.credited_total(session, invoice), issued_at=invoice.issued_at,
        sent_at=invoice.sent_at, voided_at=invoice.voided_at, document_id=pdf,
        download_path=store.download_path(pdf) if pdf else None,
    )


async def visible_invoice(ctx: ToolContext, ref: str) -> Invoice:
    """An invoice or credit note the caller may see (another customer's reads as not found)."""
    if not store.NUMBER.match(ref.strip()):
        await get_visible_order(ctx, ref)
    invoice = await invoices.find(ctx.session, ref)
    order = await get_order(ctx.session, invoice.order_id)
    ctx.check_owner(order.customer_id, ref.strip().upper())
    return invoice


@tool(agent=AGENT, method="POST", path="/invoices", roles=OWNER_OR_MONEY_STAFF, mutates=True,
      examples=["send me the invoice for my order #W7581196", "I need an invoice for order W4912529",
                "can I get the invoice of #W3321921 please", "issue the invoice for order #W1718342",
                "invoice order #W4974208", "where is my invoice for #W8013797? I need it for my accounts",
                "can I get a receipt for my purchase?"])
async def issue_invoice(ctx: ToolContext, params: s.IssueInvoiceIn) -> s.InvoiceOut:
    """Get an order's invoice as a PDF, issuing it (next INV number) if the shipped order has none yet."""
    order = await get_visible_order(ctx, params.order_id)
    return await invoice_out(ctx.session, await invoices.issue_invoice(ctx, order.id))


@tool(agent=AGENT, method="GET", path="/invoices/{invoice_ref}", roles=OWNER_OR_MONEY_STAFF,
      examples=["show invoice INV-2026-000001", "what does credit note CN-2026-000001 say",
                "look up invoice INV-2026-000002", "total and VAT of invoice INV-2026-000003",
                "which invoice does order #W7581196 have"])
async def get_invoice(ctx: ToolContext, params: s.InvoiceRefIn) -> s.InvoiceOut:
    """Get an invoice or credit note by its number (or an order's current invoice) with net, VAT and gross."""
    return await invoice_out(ctx.session, await visible_invoice(ctx, params.invoice_ref))


@tool(agent=AGENT, method="GET", path="/invoices", roles=MONEY_STAFF,
      examples=["list the invoices", "which invoices are still not sent", "list credit notes",
                "show voided invoices", "invoices and credit notes of order #W7581196"])
async def list_invoices(ctx: ToolContext, params: s.ListInvoicesIn) -> s.InvoiceList:
    """List invoices and credit notes, newest first, by status, kind or order."""
    stmt = select(Invoice)
    if params.status:
        stmt = stmt.where(Invoice.status == params.status)
    if params.kind:
        stmt = stmt.where(Invoice.kind == params.kind)
    if params.order_id:
        stmt = stmt.where(Invoice.order_id == normalize_order_id(params.order_id))
    total = await ctx.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await ctx.session.scalars(stmt.order_by(Invoice.issued_at.desc(), Invoice.number.desc())
                                     .limit(params.limit).offset(params.offset))
    return s.InvoiceList(invoices=[await invoice_out(ctx.session, i) for i in rows], total=total)


@tool(agent=AGENT, method="POST", path="/invoices/{invoice_ref}/send", roles=MONEY_STAFF, mutates=True,
      examples=["mark invoice INV-2026-000001 as sent", "invoice INV-2026-000002 was emailed to the customer",
                "record that credit note CN-2026-000001 went out", "set INV-2026-000003 to sent"])
async def send_invoice(ctx: ToolContext, params: s.SendInvoiceIn) -> s.InvoiceOut:
    """Mark an invoice or credit note as sent to the customer (issued -> sent)."""
    invoice = await invoices.find(ctx.session, params.invoice_ref)
    return await invoice_out(ctx.session, credit_notes.send_invoice(ctx, invoice))


@tool(agent=AGENT, method="POST", path="/invoices/{invoice_ref}/void", roles=MANAGERS, mutates=True, confirm=True,
      examples=["void invoice INV-2026-000001, the billing name is wrong", "cancel invoice INV-2026-000002",
                "void the invoice of order #W7581196 because the VAT number is missing",
                "annul INV-2026-000003 with a credit note, wrong address"])
async def void_invoice(ctx: ToolContext, params: s.VoidInvoiceIn) -> s.VoidOut:
    """Void an invoice with a credit note for what is left of it (a corrected invoice can then be issued)."""
    invoice = await invoices.find(ctx.session, params.invoice_ref)
    voided, note = await credit_notes.void_invoice(ctx, invoice, params.reason)
    return s.VoidOut(invoice=await invoice_out(ctx.session, voided),
                     credit_note=await invoice_out(ctx.session, note) if note else None)


@tool(agent=AGENT, method="POST", path="/credit-notes", roles=MONEY_STAFF, mutates=True,
      examples=["issue a credit note for refund transaction 42", "credit note for refund 17",
                "make the credit note of refund transaction 305", "the refund 12 needs its credit note"])
async def issue_credit_note(ctx: ToolContext, params: s.CreditNoteIn) -> s.InvoiceOut:
    """Issue the credit note (CN number) of a refund, once; it references the order's invoice."""
    note = await credit_notes.credit_note_for_refund(ctx, params.refund_transaction_id)
    if note is None:
        raise Conflict(f"refund transaction {params.refund_transaction_id} is on an order that never shipped and "
                       "has no invoice; no credit note is needed", code="not_invoiced")
    return await invoice_out(ctx.session, note)


@tool(agent=AGENT, method="POST", path="/documents/packing-slips", roles=PARCEL_STAFF, mutates=True,
      examples=["make a packing slip for order #W7749532", "print the packing slip of W2741705",
                "packing slip for shipment with tracking 6A177001234501", "I need the packing list for #W5794363"])
async def create_packing_slip(ctx: ToolContext, params: s.PackingSlipIn) -> s.DocumentOut:
    """Create a PDF packing slip (items, quantities, ship-to; no prices) for an order or one shipment."""
    return document_out(await parcels.packing_slip(ctx, params.order_id, params.shipment_ref))


@tool(agent=AGENT, method="POST", path="/documents/shipping-labels", roles=PARCEL_STAFF - {Role.SUPPORT},
      mutates=True,
      examples=["print a shipping label for order #W5567936", "ZPL label for order #W8860148",
                "label as PNG for tracking number 6A177001234501", "shipping label pdf for #W3109312",
                "make the thermal printer label of order W5567936"])
async def create_shipping_label(ctx: ToolContext, params: s.LabelIn) -> s.DocumentOut:
    """Create a shipment's label (carrier, tracking barcode, sender warehouse, recipient) as PDF, PNG or ZPL."""
    if params.shipment_ref:
        shipment = await parcels.find_shipment(ctx.session, params.shipment_ref)
    elif params.order_id:
        shipment = await parcels.shipment_of(ctx.session, await get_visible_order(ctx, params.order_id))
    else:
        raise InvalidInput("give a tracking number, a shipment id or an order number",
                           details=[{"field": "shipment_ref", "problem": "missing"}])
    return document_out(await parcels.shipping_label(ctx, shipment, params.format))


async def visible_document(ctx: ToolContext, ref: str) -> tuple[Document, str | None]:
    """A document the caller may see, with its invoice or credit note number."""
    document = await store.find(ctx.session, ref)
    await store.check_visible(ctx, document, ref)
    return document, (await store.numbers(ctx.session, [document])).get(document.id)


@tool(agent=AGENT, method="GET", path="/documents/{document_ref}", roles=ALL_ROLES,
      examples=["find document INV-2026-000001", "details of document 3f2b8c1e-6d0a-4b7e-9c55-0a1b2c3d4e5f",
                "where can I download credit note CN-2026-000001", "document info for INV-2026-000002"])
async def get_document(ctx: ToolContext, params: s.DocumentRefIn) -> s.DocumentOut:
    """Get a stored document (by id, or an invoice / credit note number) with its download path."""
    document, number = await visible_document(ctx, params.document_ref)
    return document_out(document, number)


@tool(agent=AGENT, method="GET", path="/documents/{document_ref}/file", roles=ALL_ROLES,
      examples=["download invoice INV-2026-000001", "give me the PDF of CN-2026-000001",
                "download document 3f2b8c1e-6d0a-4b7e-9c55-0a1b2c3d4e5f", "get the file of invoice INV-2026-000002"])
async def download_document(ctx: ToolContext, params: s.DocumentRefIn) -> s.DocumentFile:
    """Download a document's file (PDF, PNG or ZPL); in chat, its number and download path."""
    document, number = await visible_document(ctx, params.document_ref)
    return s.DocumentFile(
        document_id=document.id, kind=document.kind, number=number, order_id=document.order_id,
        filename=document.filename, media_type=document.content_type, size_bytes=document.size_bytes,
        sha256=document.sha256, content=document.content, download_path=store.download_path(document.id),
    )


@tool(agent=AGENT, method="GET", path="/orders/{order_id}/documents", roles=ALL_ROLES,
      examples=["which documents does order #W7581196 have", "list the paperwork of my order W8013797",
                "documents for order #W3412877", "show invoices and labels of #W5567936"])
async def list_order_documents(ctx: ToolContext, params: s.OrderDocumentsIn) -> s.DocumentList:
    """List an order's documents (invoices, credit notes, packing slips, labels) with download paths."""
    order = await get_visible_order(ctx, params.order_id)
    documents = await store.of_order(ctx.session, order.id)
    if ctx.principal.role is Role.WAREHOUSE:
        documents = [d for d in documents if d.kind in store.WAREHOUSE_KINDS]
    numbers = await store.numbers(ctx.session, documents)
    return s.DocumentList(order_id=order.id, documents=[document_out(d, numbers.get(d.id)) for d in documents])
