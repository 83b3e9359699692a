"""Packing slips and shipping labels: real PDF, PNG and ZPL files from the order, shipment and warehouse."""

import io
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.models import Document, Shipment
from tests.tools.documents_helpers import parcel
from tools.errors import Conflict, Forbidden, NotFound


async def content(sessions, document_id: str) -> bytes:
    async with sessions() as s:
        return (await s.get(Document, document_id)).content


async def test_packing_slip_lists_items_quantities_and_ship_to_without_prices(sessions, call, warehouse_staff):
    p = await parcel(sessions)
    slip = await call(warehouse_staff, "create_packing_slip", order_id=p.order.id)
    assert (slip.kind, slip.format, slip.media_type) == ("packing_slip", "pdf", "application/pdf")
    text = PdfReader(io.BytesIO(await content(sessions, slip.document_id))).pages[0].extract_text()
    for expected in (p.order.id, p.order.lines[0].sku, p.order.lines[1].sku, "Chloé Dubois", "1 Rue de Rivoli",
                     "3 item(s) in all"):
        assert expected in text
    assert "EUR" not in text and "94.50" not in text


async def test_packing_slip_for_a_shipment_and_regenerating_returns_the_same_document(sessions, call, warehouse_staff):
    p = await parcel(sessions)
    first = await call(warehouse_staff, "create_packing_slip", shipment_ref=p.tracking)
    again = await call(warehouse_staff, "create_packing_slip", shipment_ref=p.shipment.id)
    assert first.document_id == again.document_id and first.shipment_id == p.shipment.id
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Document)) == 1


async def test_label_pdf_png_and_zpl(sessions, call, warehouse_staff):
    p = await parcel(sessions)
    pdf = await call(warehouse_staff, "create_shipping_label", order_id=p.order.id)
    text = PdfReader(io.BytesIO(await content(sessions, pdf.document_id))).pages[0].extract_text()
    for expected in ("Colissimo", p.tracking, "Chloé Dubois", "75018 Paris", "2.40 kg"):
        assert expected in text
    png = await call(warehouse_staff, "create_shipping_label", shipment_ref=p.tracking, format="png")
    image = Image.open(io.BytesIO(await content(sessions, png.document_id)))
    assert (image.format, image.size, png.media_type) == ("PNG", (812, 1218), "image/png")
    assert 0.02 < sum(1 for px in image.get_flattened_data() if not px) / (812 * 1218) < 0.5  # ink, but mostly paper
    zpl = await call(warehouse_staff, "create_shipping_label", shipment_ref=p.tracking, format="zpl")
    code = (await content(sessions, zpl.document_id)).decode()
    assert code.startswith("^XA") and code.rstrip().endswith("^XZ") and f"^FD{p.tracking}^FS" in code
    assert "^BC" in code and "Chloé Dubois" in code and zpl.media_type == "application/zpl"


async def test_label_needs_a_booked_shipment(sessions, call, merchant):
    p = await parcel(sessions)
    async with unit_of_work(sessions) as s:
        (await s.get(Shipment, p.shipment.id)).tracking_numbers = []
    with pytest.raises(Conflict, match="book it with a carrier"):
        await call(merchant, "create_shipping_label", shipment_ref=p.shipment.id)
    with pytest.raises(NotFound):
        await call(merchant, "create_shipping_label", shipment_ref="NOPE123")


async def test_customers_and_support_cannot_print_labels(sessions, call, support, as_customer):
    p = await parcel(sessions)
    for who in (support, as_customer(p.customer)):
        with pytest.raises(Forbidden):
            await call(who, "create_shipping_label", order_id=p.order.id)
    with pytest.raises(Forbidden):
        await call(as_customer(p.customer), "create_packing_slip", order_id=p.order.id)


async def test_order_documents_list_with_download_paths(sessions, call, support, warehouse_staff, as_customer):
    p = await parcel(sessions)
    invoice = await call(support, "issue_invoice", order_id=p.order.id)
    await call(warehouse_staff, "create_shipping_label", order_id=p.order.id, format="zpl")
    mine = await call(as_customer(p.customer), "list_order_documents", order_id=p.order.id)
    assert [(d.kind, d.number) for d in mine.documents] == [("invoice", invoice.number), ("shipping_label", None)]
    assert all(d.download_path == f"/api/v1/documents/{d.document_id}/file" for d in mine.documents)
    found = await call(as_customer(p.customer), "get_document", document_ref=invoice.number)
    assert found.document_id == invoice.document_id and found.size_bytes > 1000
    assert invoice.gross == Decimal("283.50")
