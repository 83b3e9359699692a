"""Demo paperwork: invoices (with their PDFs) for a few named customers' delivered orders, and one invoice
voided by a credit note then issued again, numbered as the live service numbers them.

Totals, the VAT split and the PDFs come from the documents domain's own functions, so seeded invoices read
exactly like issued ones. Added after the demo shop is built; nothing else in the shop changes.
"""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import DocumentFormat, DocumentKind, InvoiceStatus
from db.models import Customer, Document, Invoice, InvoiceSequence, Order, OrderLine, Shipment
from db.seed.base import Rows, money, numbering_time, stable_uuid
from tools.documents.invoices import vat_split
from tools.documents.numbering import format_number
from tools.documents.pdf import invoice_pdf

# Delivered orders of the named customers that have an invoice; the last one was corrected once.
INVOICED = ["#W7581196", "#W4621646", "#W1718342", "#W3321921", "#W4974208"]
CORRECTED = "#W4974208"
NOT_SENT = {"#W7581196"}  # issued, not yet sent to the customer
VAT_PCT = Decimal("20")  # the documents.vat_rate_pct default
SELLER = "Shopcrew"  # the documents.seller_name default


class _Numbers:
    """Gapless counters per (series, year), as tools/documents/numbering.py keeps them, on the numbering day's
    calendar."""

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor
        self.last: dict[tuple[DocumentKind, int], int] = {}

    def take(self, series: DocumentKind, at: datetime) -> str:
        year = numbering_time(self.anchor, at).year
        self.last[(series, year)] = self.last.get((series, year), 0) + 1
        return format_number(series, year, self.last[(series, year)])


def _snapshot(rows: Rows, order: dict[str, Any]) -> dict[str, Any]:
    customer = next(c for c in rows.of(Customer) if c["id"] == order["customer_id"])
    name = f"{customer['first_name']} {customer['last_name']}"
    lines = [{"sku": x["sku"], "name": x["name"], "options": x["options"], "quantity": x["quantity"],
              "unit_price": str(x["unit_price"]), "line_total": str(money(x["unit_price"] * x["quantity"]))}
             for x in rows.of(OrderLine) if x["order_id"] == order["id"]]
    return {"lines": lines, "billing": {"name": name, "email": customer["email"], **order["shipping_address"]},
            "ship_to": {"name": name, **order["shipping_address"]}}


def _invoice(rows: Rows, numbers: _Numbers, order: dict, at: datetime, **fields: Any) -> dict[str, Any]:
    kind = fields.pop("kind", DocumentKind.INVOICE)
    gross = fields.pop("total", None) or order["total"]
    net, vat = vat_split(gross, VAT_PCT)
    row = {"id": stable_uuid("invoice", order["id"], kind, at.isoformat()), "number": numbers.take(kind, at),
           "order_id": order["id"], "status": InvoiceStatus.ISSUED, "kind": kind, "credits_invoice_id": None,
           "refund_transaction_id": None, "reason": "", "currency": order["currency"], "subtotal": net, "tax": vat,
           "total": gross, "shipping": order["shipping_cost"], "vat_rate_pct": VAT_PCT, "issued_at": at,
           "sent_at": None, "voided_at": None, **_snapshot(rows, order), **fields}
    return rows.add(Invoice, **row)


def _pdf(rows: Rows, invoice: dict[str, Any], credits_number: str | None = None) -> None:
    content = invoice_pdf({**invoice, "credits_number": credits_number}, SELLER)
    rows.add(Document, id=stable_uuid("document", invoice["id"]), kind=invoice["kind"], format=DocumentFormat.PDF,
             order_id=invoice["order_id"], shipment_id=None, invoice_id=invoice["id"],
             filename=f"{invoice['number']}.pdf", content_type="application/pdf", content=content,
             size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), created_at=invoice["issued_at"])


def add_documents(rows: Rows, anchor: datetime) -> None:
    """Invoice the chosen delivered orders when they shipped; correct one with a credit note and a new invoice."""
    orders = {o["id"]: o for o in rows.of(Order)}
    shipped = {s["order_id"]: s["shipped_at"] for s in rows.of(Shipment) if s["shipped_at"]}
    numbers = _Numbers(anchor)
    for order_id in sorted(INVOICED, key=lambda o: shipped[o]):
        order = orders[order_id]
        sent = order_id not in NOT_SENT
        invoice = _invoice(rows, numbers, order, shipped[order_id],
                           status=InvoiceStatus.SENT if sent else InvoiceStatus.ISSUED,
                           sent_at=shipped[order_id] + timedelta(minutes=5) if sent else None)
        _pdf(rows, invoice)
        if order_id == CORRECTED:
            _correct(rows, numbers, order, invoice)
    for (series, year), last in sorted(numbers.last.items()):
        rows.add(InvoiceSequence, series=series, year=year, last_number=last)


def _correct(rows: Rows, numbers: _Numbers, order: dict[str, Any], invoice: dict[str, Any]) -> None:
    at = invoice["issued_at"] + timedelta(hours=2)
    invoice.update(status=InvoiceStatus.VOIDED, voided_at=at)
    note = _invoice(rows, numbers, order, at, kind=DocumentKind.CREDIT_NOTE, credits_invoice_id=invoice["id"],
                    reason="Invoice voided: wrong billing name", shipping=Decimal("0"), lines=invoice["lines"])
    _pdf(rows, note, credits_number=invoice["number"])
    _pdf(rows, _invoice(rows, numbers, order, at + timedelta(minutes=1)))


def describe(rows: Rows) -> list[list[str]]:
    """Rows for docs/demo-data.md: number, kind, status, gross, VAT and order."""
    out = []
    for invoice in sorted(rows.of(Invoice), key=lambda i: (i["kind"], i["number"])):
        out.append([f"`{invoice['number']}`", invoice["kind"].replace("_", " "), invoice["status"],
                    f"{invoice['total']:.2f} EUR", f"{invoice['tax']:.2f} EUR", f"`{invoice['order_id']}`"])
    return out
