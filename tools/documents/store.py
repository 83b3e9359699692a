"""Stored documents: saving rendered files once, finding them by id or number, and who may see them."""

import hashlib
import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentFormat, DocumentKind, Role
from db.models import Document, Invoice, Order
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import NotFound

MEDIA_TYPES = {DocumentFormat.PDF: "application/pdf", DocumentFormat.PNG: "image/png",
               DocumentFormat.ZPL: "application/zpl"}
NUMBER = re.compile(r"^(INV|CN)-\d{4}-\d{6}$", re.IGNORECASE)
# Warehouse staff handle parcels, not money: they see packing slips and labels only.
WAREHOUSE_KINDS = {DocumentKind.PACKING_SLIP, DocumentKind.SHIPPING_LABEL}


def download_path(document_id: str) -> str:
    """The REST path that returns the document's bytes."""
    return f"/api/v1/documents/{document_id}/file"


def _is(column, value):
    return column.is_(None) if value is None else column == value


async def store(ctx: ToolContext, *, kind: DocumentKind, fmt: DocumentFormat, content: bytes, filename: str,
                order_id: str | None = None, shipment_id: str | None = None,
                invoice_id: str | None = None) -> Document:
    """Keep a rendered file; the same bytes for the same record return the document already kept."""
    digest = hashlib.sha256(content).hexdigest()
    same = await ctx.session.scalar(select(Document).where(
        Document.kind == kind, Document.format == fmt, Document.sha256 == digest, _is(Document.order_id, order_id),
        _is(Document.shipment_id, shipment_id), _is(Document.invoice_id, invoice_id),
    ))
    if same is not None:
        return same
    document = Document(id=str(uuid.uuid4()), kind=kind, format=fmt, order_id=order_id, shipment_id=shipment_id,
                        invoice_id=invoice_id, filename=filename, content_type=MEDIA_TYPES[fmt], content=content,
                        size_bytes=len(content), sha256=digest, created_at=ctx.now())
    ctx.session.add(document)
    facts = {"kind": str(kind), "format": str(fmt), "order_id": order_id, "sha256": digest}
    audit(ctx, "document", document.id, "generated", data=facts)
    emit(ctx, "document.generated", document.id, facts)
    return document


async def find(session: AsyncSession, ref: str) -> Document:
    """A document by id, or the PDF of an invoice or credit note by its number."""
    ref = ref.strip()
    if NUMBER.match(ref):
        stmt = (select(Document).join(Invoice, Document.invoice_id == Invoice.id)
                .where(Invoice.number == ref.upper()).order_by(Document.created_at.desc()))
        document = (await session.scalars(stmt)).first()
    else:
        document = await session.get(Document, ref)
    if document is None:
        raise NotFound(f"document {ref} not found")
    return document


async def check_visible(ctx: ToolContext, document: Document, ref: str) -> None:
    """Customers see their own orders' documents, warehouse staff only slips and labels (others: not found)."""
    if ctx.principal.role is Role.WAREHOUSE and document.kind not in WAREHOUSE_KINDS:
        raise NotFound(f"document {ref} not found")
    if ctx.principal.is_customer:
        owner = await ctx.session.scalar(select(Order.customer_id).where(Order.id == document.order_id))
        ctx.check_owner(owner or "", f"document {ref}")


async def of_order(session: AsyncSession, order_id: str) -> list[Document]:
    """An order's documents, oldest first."""
    stmt = select(Document).where(Document.order_id == order_id).order_by(Document.created_at, Document.id)
    return list(await session.scalars(stmt))


async def numbers(session: AsyncSession, documents: list[Document]) -> dict[str, str]:
    """Invoice or credit note number by document id, for the documents that have one."""
    ids = {d.invoice_id for d in documents if d.invoice_id}
    if not ids:
        return {}
    rows = await session.execute(select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids)))
    by_invoice = dict(rows.all())
    return {d.id: by_invoice[d.invoice_id] for d in documents if d.invoice_id}
