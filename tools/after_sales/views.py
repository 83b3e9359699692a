"""RMAs, exchanges, claims and surveys as the tools show them."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import Disposition
from db.models import (
    Exchange,
    Order,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    SatisfactionSurvey,
    Warehouse,
    WarrantyClaim,
)
from tools.after_sales import records, rules
from tools.after_sales import schemas as s
from tools.after_sales.returns import Eligibility
from tools.after_sales.warranty import coverage, covered_until
from tools.context import ToolContext
from tools.order import service as orders


async def variants(session: AsyncSession, ids: set[str]) -> dict[str, ProductVariant]:
    """Variants by id, with their products."""
    rows = await session.execute(select(ProductVariant).options(selectinload(ProductVariant.product))
                                 .where(ProductVariant.id.in_(ids)))
    return {v.id: v for v in rows.scalars()}


def stock_effect(line: ReturnLine, variant: ProductVariant) -> str | None:
    """What receiving the line did to stock, in words."""
    if line.disposition is None:
        return None
    if not variant.track_stock:
        return "no stock records (drop-ship item)"
    if line.disposition == Disposition.RESTOCK:
        return "back in sellable stock"
    return f"written off: {rules.DESTINATIONS[line.disposition]}"


async def exchange_out(session: AsyncSession, exchange: Exchange) -> s.ExchangeOut:
    """An exchange with each unit's replacement."""
    found = await variants(session, {line.new_variant_id for line in exchange.lines})
    rma_number = None
    if exchange.rma_id:
        rma_number = await session.scalar(select(ReturnRequest.rma_number).where(ReturnRequest.id == exchange.rma_id))
    return s.ExchangeOut(
        exchange_id=exchange.id, order_id=exchange.order_id, rma_number=rma_number, status=exchange.status,
        price_difference=exchange.price_difference, payment_method_id=exchange.payment_method_id,
        lines=[s.ExchangeLineOut(item_id=ln.old_variant_id, new_item_id=ln.new_variant_id,
                                 new_sku=found[ln.new_variant_id].sku,
                                 new_options=dict(found[ln.new_variant_id].options), quantity=ln.quantity)
               for ln in exchange.lines],
        created_at=exchange.created_at,
    )


async def rma_out(session: AsyncSession, rma: ReturnRequest) -> s.RmaOut:
    """Everything about an RMA: lines with names and prices, amounts, next statuses, the exchange."""
    lines = await records.order_lines(session, [line.order_line_id for line in rma.lines])
    found = await variants(session, {line.variant_id for line in rma.lines})
    order = await session.get(Order, rma.order_id)
    warehouse = await session.get(Warehouse, rma.warehouse_id) if rma.warehouse_id else None
    exchange = await records.exchange_of(session, rma.id)
    out_lines = [
        # SKU and name from the variant returned: an exchange later moves its order line to the replacement.
        s.RmaLineOut(item_id=ln.variant_id, sku=found[ln.variant_id].sku, name=found[ln.variant_id].product.name,
                     quantity=ln.quantity, unit_price=lines[ln.order_line_id].unit_price, condition=ln.condition,
                     disposition=ln.disposition, stock_effect=stock_effect(ln, found[ln.variant_id]))
        for ln in rma.lines
    ]
    return s.RmaOut(
        rma_number=rma.rma_number, order_id=rma.order_id, customer_id=rma.customer_id, status=rma.status,
        reason=rma.reason, resolution=rma.resolution, lines=out_lines, received_items=[
            f"{ln.quantity} x {ln.name} ({ln.sku}): {ln.condition}, {ln.disposition.replace('_', ' ')}; "
            f"{ln.stock_effect}" for ln in out_lines if ln.condition],
        items_value=sum((ln.unit_price * ln.quantity for ln in out_lines), Decimal("0.00")),
        label_cost=rma.label_cost or None, refund_amount=rma.refund_amount, refund_method_id=rma.refund_method_id,
        currency=order.currency, next_statuses=rules.RMA_STATES.targets(rma.status), notes=rma.notes,
        warehouse=warehouse.code if warehouse else None, created_at=rma.created_at, received_at=rma.received_at,
        inspected_at=rma.inspected_at, resolved_at=rma.resolved_at,
        exchange=await exchange_out(session, exchange) if exchange else None,
    )


async def eligibility_out(ctx: ToolContext, order: Order, found: Eligibility) -> s.EligibilityOut:
    """An order's return eligibility with its windows' last days, the units left and its warranty."""
    delivered_at = order.delivered_at
    open_rma = None
    if found.state == rules.ReturnState.RETURN_IN_PROGRESS:
        open_rma = await orders.latest_rma(ctx.session, order.id)
    warranty, until = await coverage(ctx, order)
    return s.EligibilityOut(
        order_id=order.id, status=order.status, return_state=found.state, delivered_at=delivered_at,
        days_since_delivery=rules.days_since(delivered_at, ctx.now()) if delivered_at else None,
        return_window_days=found.window_days, defect_window_days=found.defect_window_days,
        return_until=rules.last_day(delivered_at, found.window_days) if delivered_at else None,
        defect_return_until=rules.last_day(delivered_at, found.defect_window_days) if delivered_at else None,
        items=[s.ReturnableItemOut(item_id=ln.variant_id, sku=ln.sku, name=ln.name, options=ln.options,
                                   delivered=ln.quantity, returnable=found.left[ln.id])
               for ln in order.lines if found.left.get(ln.id)],
        open_rma_number=open_rma.rma_number if open_rma else None,
        open_rma_status=open_rma.status if open_rma else None, warranty_state=warranty, warranty_until=until,
    )


async def summaries(session: AsyncSession, rmas: list[ReturnRequest]) -> list[s.RmaSummary]:
    """The rows of an RMA list, each with the names of what it returns ("the return for the t-shirt")."""
    found = await variants(session, {line.variant_id for rma in rmas for line in rma.lines})
    return [
        s.RmaSummary(rma_number=rma.rma_number, order_id=rma.order_id, customer_id=rma.customer_id,
                     status=rma.status, reason=rma.reason, resolution=rma.resolution,
                     units=sum(line.quantity for line in rma.lines),
                     item_names=[found[line.variant_id].product.name for line in rma.lines], created_at=rma.created_at)
        for rma in rmas
    ]


async def claim_out(session: AsyncSession, claim: WarrantyClaim) -> s.ClaimOut:
    """A warranty claim with the item's name and the end of its warranty."""
    variant = (await variants(session, {claim.variant_id}))[claim.variant_id]
    order = await session.get(Order, claim.order_id)
    return s.ClaimOut(
        claim_number=claim.claim_number, order_id=claim.order_id, customer_id=claim.customer_id,
        item_id=claim.variant_id, item_name=variant.product.name, description=claim.description,
        status=claim.status, resolution=claim.resolution, covered_until=await covered_until(session, order),
        created_at=claim.created_at,
    )


def survey_out(survey: SatisfactionSurvey) -> s.SurveyOut:
    """A survey as shown."""
    return s.SurveyOut(survey_id=survey.id, order_id=survey.order_id, customer_id=survey.customer_id,
                       rating=survey.rating, nps=survey.nps, comment=survey.comment, created_at=survey.created_at)
