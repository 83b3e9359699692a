"""Invoices and credit notes: issuing (gapless numbers), crediting refunds, voiding, sending.

Consumer prices include VAT. An invoice's gross total is its lines plus shipping as charged; the VAT
inside it is gross x rate / (100 + rate), rounded half up to the cent on the total, and net = gross - VAT.
The rate is the `documents.vat_rate_pct` setting when the invoice is issued, and is kept on the invoice, so
a later change of the setting never alters an issued one; a credit note uses its invoice's rate.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentFormat, DocumentKind, InvoiceStatus, OrderChannel, OrderStatus, ShipmentStatus
from db.models import Customer, Document, Invoice, Order, OrderLine, Shipment
from tools.audit import audit, emit
from tools.config import catalogue
from tools.config.service import value
from tools.context import ToolContext
from tools.documents import store
from tools.documents.numbering import next_number
from tools.documents.pdf import invoice_pdf
from tools.errors import Conflict, NotFound
from tools.order.service import get_order
from tools.payment import service as payments
from tools.transitions import StateMachine

CENT = Decimal("0.01")
VAT_RATE = catalogue.declare(
    "documents.vat_rate_pct", "number", 20,
    "VAT rate in percent included in consumer prices; invoices show net, VAT and gross.", minimum=0, maximum=100)
SELLER = catalogue.declare("documents.seller_name", "string", "Shopcrew",
                           "Seller name printed on invoices and credit notes.")
S = InvoiceStatus
INVOICE = StateMachine("invoice", {S.ISSUED: {S.SENT, S.VOIDED}, S.SENT: {S.VOIDED}})
LEFT_WAREHOUSE = {ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY,
                  ShipmentStatus.DELIVERED}
AFTER_DELIVERY = {OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED}


def cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_split(gross: Decimal, rate_pct: Decimal) -> tuple[Decimal, Decimal]:
    """(net, VAT) of a VAT-inclusive amount: VAT = gross x rate / (100 + rate), on the total."""
    vat = cents(gross * rate_pct / (100 + rate_pct))
    return gross - vat, vat


def fields(invoice: Invoice, credits_number: str | None = None) -> dict[str, Any]:
    """The invoice as the PDF renderer reads it (the seed passes its rows in the same shape)."""
    columns = {c.key: getattr(invoice, c.key) for c in Invoice.__table__.columns}
    return {**columns, "credits_number": credits_number}


async def render(ctx: ToolContext, invoice: Invoice, credits_number: str | None = None) -> Document:
    """Render the invoice or credit note as PDF and keep it."""
    seller = await value(ctx.session, SELLER)
    content = invoice_pdf(fields(invoice, credits_number), seller)
    return await store.store(ctx, kind=invoice.kind, fmt=DocumentFormat.PDF, content=content,
                             filename=f"{invoice.number}.pdf", order_id=invoice.order_id, invoice_id=invoice.id)


async def current_invoice(session: AsyncSession, order_id: str) -> Invoice | None:
    """The order's invoice that is not voided (at most one exists)."""
    stmt = select(Invoice).where(Invoice.order_id == order_id, Invoice.kind == DocumentKind.INVOICE,
                                 Invoice.status != S.VOIDED)
    return await session.scalar(stmt)


async def find(session: AsyncSession, ref: str) -> Invoice:
    """An invoice or credit note by number, or an order's current invoice by order number."""
    ref = ref.strip()
    if store.NUMBER.match(ref):
        invoice = await session.scalar(select(Invoice).where(Invoice.number == ref.upper()))
        if invoice is None:
            raise NotFound(f"{ref.upper()} not found")
        return invoice
    order = await get_order(session, ref)
    invoice = await current_invoice(session, order.id)
    if invoice is None:
        raise NotFound(f"order {order.id} has no invoice yet (it is issued when the order ships)")
    return invoice


async def invoiceable(session: AsyncSession, order: Order) -> bool:
    """True once the order has left the warehouse, or for a staff order paid in full."""
    if order.status in AFTER_DELIVERY:
        return True
    shipped = await session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.order_id == order.id, Shipment.status.in_(LEFT_WAREHOUSE)))
    if shipped:
        return True
    paid = await payments.captured_total(session, order.id) - await payments.refunded_total(session, order.id)
    return order.channel == OrderChannel.STAFF and order.status != OrderStatus.CANCELLED and paid >= order.total


def line_snapshot(line: OrderLine, quantity: int) -> dict[str, Any]:
    """An order line as a document prints it: SKU, name, options, units and VAT-inclusive prices."""
    return {"sku": line.sku, "name": line.name, "options": line.options, "quantity": quantity,
            "unit_price": str(line.unit_price), "line_total": str(cents(line.unit_price * quantity))}


async def _parties(session: AsyncSession, order: Order) -> tuple[dict[str, Any], dict[str, Any]]:
    customer = await session.get(Customer, order.customer_id)
    name = f"{customer.first_name} {customer.last_name}".strip()
    billing = {"name": name, "email": customer.email, **(order.billing_address or order.shipping_address)}
    return billing, {"name": name, **order.shipping_address}


async def issue_invoice(ctx: ToolContext, order_id: str) -> Invoice:
    """The order's invoice, issued now with the next INV number if it has none (idempotent)."""
    order = await get_order(ctx.session, order_id, for_update=True)
    existing = await current_invoice(ctx.session, order.id)
    if existing is not None:
        return existing
    if not await invoiceable(ctx.session, order):
        raise Conflict(f"order {order.id} is {order.status} and has not shipped; its invoice is issued when it ships",
                       code="not_invoiceable")
    lines, rate = [line_snapshot(x, x.quantity) for x in order.lines], Decimal(str(await value(ctx.session, VAT_RATE)))
    gross = sum((Decimal(line["line_total"]) for line in lines), Decimal("0")) + order.shipping_cost
    net, vat = vat_split(gross, rate)
    billing, ship_to = await _parties(ctx.session, order)
    invoice = Invoice(
        id=str(uuid.uuid4()), number=await next_number(ctx.session, DocumentKind.INVOICE, ctx.now().year),
        order_id=order.id, kind=DocumentKind.INVOICE, status=S.ISSUED, currency=order.currency, lines=lines,
        shipping=order.shipping_cost, subtotal=net, tax=vat, total=gross, vat_rate_pct=rate, billing=billing,
        ship_to=ship_to, issued_at=ctx.now(),
    )
    ctx.session.add(invoice)
    facts = {"number": invoice.number, "order_id": order.id, "total": str(gross)}
    audit(ctx, "invoice", invoice.id, "issued", to_state=S.ISSUED, data=facts)
    emit(ctx, "invoice.issued", invoice.id, facts)
    await render(ctx, invoice)
    return invoice
