"""PDF renderings with reportlab: invoices and credit notes, packing slips, shipping labels.

Every PDF is built with reportlab's `invariant` mode (fixed creation date and document id), so the same
data always gives the same bytes: a document regenerated unchanged is recognised by its SHA-256.
"""

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, inch
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tools.documents.views import LabelView, PackingSlipView, address_lines, options_text

STYLES = getSampleStyleSheet()
LABEL_SIZE = (4 * inch, 6 * inch)  # the 4x6 in thermal label most carriers print
GRID = TableStyle([
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
])
TITLES = {"invoice": "Invoice", "credit_note": "Credit note"}


def _p(text: Any, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(str(text)), STYLES[style])


def _build(title: str, story: list[Flowable], pagesize=A4, margin: float = 18 * mm) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, title=title, author="Shopcrew", invariant=1,
                            leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin)
    doc.build(story)
    return buffer.getvalue()


def _money(value: Any, currency: str) -> str:
    return f"{Decimal(str(value)):.2f} {currency}"


def _party(heading: str, party: Mapping[str, Any]) -> Paragraph:
    lines = "<br/>".join(escape(x) for x in address_lines(party))
    return Paragraph(f"<b>{escape(heading)}</b><br/>{lines}", STYLES["BodyText"])


def invoice_pdf(invoice: Mapping[str, Any], seller: str) -> bytes:
    """An invoice or credit note: seller, parties, lines with SKUs, shipping, then net, VAT and gross."""
    currency, title = invoice["currency"], TITLES[invoice["kind"]]
    heading = [_p(f"{title} {invoice['number']}", "Title"),
               _p(f"{seller}. Order {invoice['order_id']}, issued {invoice['issued_at']:%Y-%m-%d}.")]
    if invoice.get("credits_number"):
        heading.append(_p(f"Credits invoice {invoice['credits_number']}. {invoice.get('reason') or ''}".strip()))
    rows = [["SKU", "Item", "Qty", "Unit price", "Amount"]]
    for line in invoice["lines"]:
        name = line["name"] + (f" ({options_text(line['options'])})" if line.get("options") else "")
        rows.append([line.get("sku", ""), _p(name), str(line["quantity"]), _money(line["unit_price"], currency),
                     _money(line["line_total"], currency)])
    if Decimal(str(invoice["shipping"])):
        rows.append(["", "Shipping", "1", _money(invoice["shipping"], currency),
                     _money(invoice["shipping"], currency)])
    table = Table(rows, colWidths=[30 * mm, 70 * mm, 12 * mm, 28 * mm, 28 * mm], repeatRows=1)
    table.setStyle(GRID)
    totals = Table([
        ["Net (excl. VAT)", _money(invoice["subtotal"], currency)],
        [f"VAT {Decimal(str(invoice['vat_rate_pct'])).normalize():f} %", _money(invoice["tax"], currency)],
        ["Total (incl. VAT)", _money(invoice["total"], currency)],
    ], colWidths=[40 * mm, 30 * mm], hAlign="RIGHT")
    totals.setStyle(TableStyle([("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"), ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    parties = Table([[_party("Billed to", invoice["billing"]), _party("Delivered to", invoice["ship_to"])]])
    story = [*heading, Spacer(1, 6 * mm), parties,
             Spacer(1, 6 * mm), table, Spacer(1, 4 * mm), totals, Spacer(1, 6 * mm),
             _p("Prices include VAT; the net amount and the VAT are shown above.")]
    return _build(f"{title} {invoice['number']}", story)


def packing_slip_pdf(slip: PackingSlipView) -> bytes:
    """A packing slip: order, parcel, ship-to and each item with its quantity, without prices."""
    parcel = f", parcel {slip.shipment_ref}" if slip.shipment_ref else ""
    story = [_p(f"Packing slip for order {slip.order_id}", "Title"),
             _p(f"Shipped from {slip.warehouse or 'our warehouse'}{parcel}."), Spacer(1, 6 * mm),
             _party("Ship to", slip.ship_to), Spacer(1, 6 * mm)]
    rows = [["SKU", "Item", "Qty"]] + [
        [line.sku, _p(line.name + (f" ({options_text(line.options)})" if line.options else "")), str(line.quantity)]
        for line in slip.lines
    ]
    table = Table(rows, colWidths=[35 * mm, 110 * mm, 20 * mm], repeatRows=1)
    table.setStyle(GRID)
    story += [table, Spacer(1, 4 * mm), _p(f"{sum(line.quantity for line in slip.lines)} item(s) in all.")]
    return _build(f"Packing slip {slip.order_id}", story)


class _Barcode(Flowable):
    """A Code 128 barcode of the tracking number, scaled to the label's width."""

    def __init__(self, value: str, width: float, height: float):
        super().__init__()
        self.code = Code128(value, barHeight=height, humanReadable=True)
        self.code.barWidth = self.code.barWidth * min(1.0, width / self.code.width)
        self.width, self.height = self.code.width, height + 12

    def draw(self) -> None:
        self.code.drawOn(self.canv, 0, 12)


def label_pdf(label: LabelView) -> bytes:
    """A 4x6 in shipping label: carrier, sender, recipient, order, weight and the tracking barcode."""
    weight = f", {label.weight_kg} kg" if label.weight_kg else ""
    story = [_p(label.carrier, "Heading1"), _party("From", label.sender), Spacer(1, 4 * mm),
             _party("To", label.recipient), Spacer(1, 4 * mm), _p(f"Order {label.order_id}{weight}"),
             Spacer(1, 4 * mm), _Barcode(label.tracking_number, LABEL_SIZE[0] - 16 * mm, 22 * mm),
             _p(f"Tracking {label.tracking_number}")]
    return _build(f"Label {label.tracking_number}", story, pagesize=LABEL_SIZE, margin=8 * mm)
