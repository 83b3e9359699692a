"""Inputs and outputs of the documents tools."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import Field

from db.enums import DocumentFormat, DocumentKind, InvoiceStatus
from tools.schemas import ROW_ID_MAX, FileOut, Money, Number, OrderId, Page, Schema

DocumentNumber = Annotated[str, Field(
    pattern=r"^(?i:INV|CN)-\d{4}-\d{6}$", description="Invoice or credit note number, e.g. INV-2026-000123.",
    examples=["INV-2026-000123", "CN-2026-000004"],
)]
InvoiceRef = Annotated[str, Field(
    pattern=r"^(?:(?i:INV|CN)-\d{4}-\d{6}|#?[Ww]?\d{5,9})$",
    description="Invoice or credit note number (INV-2026-000123, CN-2026-000004), or an order number "
                "(#W2611340) for that order's current invoice.",
    examples=["INV-2026-000123", "#W2611340"],
)]
DocumentRef = Annotated[str, Field(
    pattern=r"^(?:(?i:INV|CN)-\d{4}-\d{6}|[A-Fa-f0-9-]{36})$",
    description="Document id, or an invoice / credit note number for its PDF.",
    examples=["3f2b8c1e-6d0a-4b7e-9c55-0a1b2c3d4e5f", "INV-2026-000123"],
)]
ShipmentRef = Annotated[str, Field(
    min_length=1, max_length=64, description="Shipment id or one of its tracking numbers.",
    examples=["6A177001234501"],
)]


class IssueInvoiceIn(Schema):
    order_id: OrderId


class InvoiceRefIn(Schema):
    invoice_ref: InvoiceRef


class SendInvoiceIn(Schema):
    invoice_ref: InvoiceRef


class VoidInvoiceIn(Schema):
    invoice_ref: InvoiceRef
    reason: str = Field(min_length=3, max_length=300, description="Why the invoice is cancelled.",
                        examples=["wrong billing name", "customer VAT number missing"])


class CreditNoteIn(Schema):
    refund_transaction_id: int = Field(gt=0, le=ROW_ID_MAX, examples=[42],
                                       description="Id of the refund transaction the credit note is for.")


class ListInvoicesIn(Page):
    status: InvoiceStatus | None = Field(None, description="Only invoices in this status.")
    kind: DocumentKind | None = Field(None, description="invoice or credit_note; both when left out.",
                                      examples=["credit_note"])
    order_id: OrderId | None = Field(None, description="Only this order's invoices and credit notes.")


class PackingSlipIn(Schema):
    order_id: OrderId | None = Field(None, description="Order to pack (all its lines), unless a shipment is given.")
    shipment_ref: ShipmentRef | None = Field(None, description="Shipment to pack: only its items.")


class LabelIn(Schema):
    shipment_ref: ShipmentRef | None = Field(None, description="Shipment id or tracking number.")
    order_id: OrderId | None = Field(None, description="Order whose (only) shipment needs the label.")
    format: DocumentFormat = Field(DocumentFormat.PDF, description="pdf, png (image) or zpl (thermal printers).",
                                   examples=["zpl"])


class DocumentRefIn(Schema):
    document_ref: DocumentRef


class OrderDocumentsIn(Schema):
    order_id: OrderId


class DocumentOut(Schema):
    """A stored document: what it is and where to download it."""

    document_id: str = Field(description="Document id.")
    kind: DocumentKind = Field(description="invoice, credit_note, packing_slip or shipping_label.")
    format: DocumentFormat = Field(description="pdf, png or zpl.")
    number: str | None = Field(None, description="Invoice or credit note number, for those documents.")
    order_id: str | None = Field(None, description="Order the document belongs to.")
    shipment_id: str | None = Field(None, description="Shipment, for labels and parcel packing slips.")
    filename: str = Field(description="File name offered for download.")
    media_type: str = Field(description="Media type, e.g. application/pdf.")
    size_bytes: int = Field(description="Size in bytes.")
    sha256: str = Field(description="SHA-256 of the bytes, hex.")
    created_at: datetime = Field(description="When it was generated (UTC).")
    download_path: str = Field(description="REST path that returns the file.")


class DocumentList(Schema):
    order_id: str = Field(description="The order.")
    documents: list[DocumentOut] = Field(description="Its documents, oldest first.")


class DocumentFile(FileOut):
    """A document's file: over REST the bytes themselves, in chat its number and download path."""

    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/pdf", "image/png", "application/zpl")

    document_id: str = Field(description="Document id.")
    kind: DocumentKind = Field(description="What the document is.")
    number: str | None = Field(None, description="Invoice or credit note number, for those documents.")
    order_id: str | None = Field(None, description="Order the document belongs to.")
    download_path: str = Field(description="REST path of this file.")


class InvoiceLineOut(Schema):
    sku: str = Field("", description="SKU as sold.")
    name: str = Field(description="Item name as sold.")
    options: dict[str, Any] = Field(default_factory=dict, description="Variant options as sold.")
    quantity: int = Field(description="Units.")
    unit_price: Money = Field(description="Price per unit, VAT included.")
    line_total: Money = Field(description="Quantity x unit price, VAT included.")


class InvoiceOut(Schema):
    """An invoice or credit note with its totals (prices include VAT)."""

    number: str = Field(description="INV-YYYY-NNNNNN or CN-YYYY-NNNNNN.")
    kind: DocumentKind = Field(description="invoice or credit_note.")
    status: InvoiceStatus = Field(description="issued, sent or voided.")
    order_id: str = Field(description="The order invoiced.")
    credits_number: str | None = Field(None, description="For a credit note: the invoice it credits.")
    refund_transaction_id: int | None = Field(None, description="For a credit note: the refund it documents.")
    reason: str = Field("", description="Why the credit note was issued.")
    customer_name: str = Field(description="Billing name as printed.")
    currency: str = Field(description="Currency.")
    lines: list[InvoiceLineOut] = Field(description="Lines as printed.")
    shipping: Money = Field(description="Shipping charged, VAT included.")
    net: Money = Field(description="Total before VAT.")
    vat_rate_pct: Number = Field(description="VAT rate applied, percent.")
    vat: Money = Field(description="VAT included in the total.")
    gross: Money = Field(description="Total including VAT.")
    credited: Money = Field(Decimal("0"), description="For an invoice: total of its credit notes.")
    issued_at: datetime = Field(description="When it was issued (UTC).")
    sent_at: datetime | None = Field(None, description="When it was sent to the customer.")
    voided_at: datetime | None = Field(None, description="When it was voided.")
    document_id: str | None = Field(None, description="Id of its PDF.")
    download_path: str | None = Field(None, description="REST path of its PDF.")


class InvoiceList(Schema):
    invoices: list[InvoiceOut] = Field(description="Invoices and credit notes, newest first.")
    total: int = Field(description="How many match in all.")


class VoidOut(Schema):
    invoice: InvoiceOut = Field(description="The voided invoice.")
    credit_note: InvoiceOut | None = Field(None, description="The credit note that cancels what was left of it.")
