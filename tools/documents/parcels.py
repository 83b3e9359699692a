"""Packing slips and shipping labels, built from the order, its shipment, carrier and warehouse."""

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentFormat, DocumentKind, OrderStatus
from db.models import Carrier, Customer, Document, Order, Shipment, Warehouse
from tools.context import ToolContext
from tools.documents import store
from tools.documents.label_formats import label_png, label_zpl
from tools.documents.pdf import label_pdf, packing_slip_pdf
from tools.documents.views import LabelView, PackingSlipView, SlipLine
from tools.errors import Ambiguous, Conflict, InvalidInput, NotFound
from tools.order.service import get_order

RENDER_LABEL = {
    DocumentFormat.PDF: label_pdf,
    DocumentFormat.PNG: label_png,
    DocumentFormat.ZPL: lambda label: label_zpl(label).encode("utf-8"),
}


async def find_shipment(session: AsyncSession, ref: str) -> Shipment:
    """A shipment by id or by one of its tracking numbers."""
    ref = ref.strip()
    shipment = await session.get(Shipment, ref)
    if shipment is None:
        # Tracking numbers live in a JSON list: narrow with a text match, then compare exactly.
        text_match = cast(Shipment.tracking_numbers, String).contains(ref)
        candidates = await session.scalars(select(Shipment).where(text_match))
        shipment = next((s for s in candidates if ref in s.tracking_numbers), None)
    if shipment is None:
        raise NotFound(f"shipment {ref} not found")
    return shipment


async def shipment_of(session: AsyncSession, order: Order) -> Shipment:
    """The order's only shipment (Ambiguous when it has several, NotFound when none)."""
    shipments = list(await session.scalars(select(Shipment).where(Shipment.order_id == order.id)
                                           .order_by(Shipment.created_at)))
    if not shipments:
        raise NotFound(f"order {order.id} has no shipment yet")
    if len(shipments) > 1:
        raise Ambiguous(f"order {order.id} has {len(shipments)} shipments; give the tracking number",
                        details=[{"shipment_id": s.id, "tracking_numbers": s.tracking_numbers} for s in shipments])
    return shipments[0]


async def recipient(session: AsyncSession, order: Order) -> dict:
    """The order's ship-to address with the customer's name."""
    customer = await session.get(Customer, order.customer_id)
    return {"name": f"{customer.first_name} {customer.last_name}".strip(), **order.shipping_address}


async def packing_slip(ctx: ToolContext, order_ref: str | None, shipment_ref: str | None) -> Document:
    """A PDF packing slip for an order (every line) or one shipment (its items only)."""
    if not order_ref and not shipment_ref:
        raise InvalidInput("give an order number or a shipment", details=[{"field": "order_id", "problem": "missing"}])
    shipment = await find_shipment(ctx.session, shipment_ref) if shipment_ref else None
    order = await get_order(ctx.session, shipment.order_id if shipment else order_ref)
    if order.status == OrderStatus.CANCELLED:
        raise Conflict(f"order {order.id} is cancelled; nothing will be packed")
    lines = [line for line in order.lines if shipment is None or line.variant_id in shipment.item_ids]
    warehouse = await ctx.session.get(Warehouse, shipment.warehouse_id) if shipment and shipment.warehouse_id else None
    view = PackingSlipView(
        order_id=order.id, ship_to=await recipient(ctx.session, order),
        lines=[SlipLine(x.sku, x.name, x.options, x.quantity) for x in lines],
        shipment_ref=(shipment.tracking_numbers or [shipment.id])[0] if shipment else "",
        warehouse=f"{warehouse.name} ({warehouse.code})" if warehouse else "",
    )
    suffix = f"-{view.shipment_ref}" if shipment else ""
    return await store.store(ctx, kind=DocumentKind.PACKING_SLIP, fmt=DocumentFormat.PDF,
                             content=packing_slip_pdf(view), filename=f"packing-slip-{order.id[1:]}{suffix}.pdf",
                             order_id=order.id, shipment_id=shipment.id if shipment else None)


async def label_view(session: AsyncSession, shipment: Shipment) -> LabelView:
    """What the shipment's label shows; a shipment without carrier, tracking number or warehouse has none yet."""
    if not shipment.carrier_code or not shipment.tracking_numbers or not shipment.warehouse_id:
        raise Conflict(f"shipment {shipment.id} has no carrier, tracking number or warehouse yet; "
                       "book it with a carrier first", code="label_not_ready")
    order = await get_order(session, shipment.order_id)
    carrier = await session.get(Carrier, shipment.carrier_code)
    warehouse = await session.get(Warehouse, shipment.warehouse_id)
    return LabelView(
        carrier=carrier.name, tracking_number=shipment.tracking_numbers[0],
        sender={"name": f"Shopcrew {warehouse.name}", "country": warehouse.country, **warehouse.address},
        recipient=await recipient(session, order), order_id=order.id,
        weight_kg=f"{shipment.weight_kg:.2f}" if shipment.weight_kg else "",
    )


async def shipping_label(ctx: ToolContext, shipment: Shipment, fmt: DocumentFormat) -> Document:
    """The shipment's label in PDF, PNG or ZPL, kept as a document."""
    view = await label_view(ctx.session, shipment)
    return await store.store(ctx, kind=DocumentKind.SHIPPING_LABEL, fmt=fmt, content=RENDER_LABEL[fmt](view),
                             filename=f"label-{view.tracking_number}.{fmt}", order_id=shipment.order_id,
                             shipment_id=shipment.id)
