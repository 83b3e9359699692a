"""Resolving an inspected RMA: a refund, store credit on a gift card, or the exchange shipped.

Money moves only through the payment service, each movement under an idempotency key derived from the
RMA (`rma:<id>:refund`, `rma:<id>:store_credit`, `rma:<id>:exchange`): resolving twice is refused by the
RMA's state machine (it is no longer inspected), and even a retried call could not move money twice.
The RMA's move comes first, so a refused move leaves nothing behind.
"""

from decimal import Decimal

from sqlalchemy import select

from db.enums import ExchangeStatus, PaymentMethodKind, ReturnResolution, RmaStatus
from db.models import Order, PaymentMethod, ProductVariant, ReturnRequest
from tools.after_sales import lifecycle, records, returns, rules
from tools.audit import audit
from tools.context import ToolContext
from tools.customer import service as customers
from tools.errors import Conflict
from tools.inventory import service as inventory
from tools.order import amend
from tools.order import service as orders
from tools.payment import service as payments


def key(rma: ReturnRequest, purpose: str) -> str:
    """The idempotency key of the RMA's one money movement of this purpose."""
    return f"rma:{rma.id}:{purpose}"


async def take_back_points(ctx: ToolContext, order: Order, amount: Decimal, rma: ReturnRequest) -> None:
    """Loyalty points earned on the returned value are taken back (customer earning rules)."""
    if amount > 0:
        customer = await customers.get_customer(ctx.session, order.customer_id)
        customers.award_points(ctx, customer, -amount, f"return {rma.rma_number}")


async def refund(ctx: ToolContext, rma: ReturnRequest, order: Order) -> None:
    """Refund the RMA's amount (the items less any label) to its refund method."""
    amount = rma.refund_amount or Decimal("0.00")
    method_id = rma.refund_method_id or await returns.original_method(ctx.session, order.id)
    if method_id is None:
        raise Conflict(f"order {order.id} has no payment to refund", code="nothing_to_refund")
    lifecycle.move(ctx, rma, RmaStatus.REFUNDED, amount=str(amount), method_id=method_id)
    if amount > 0:
        await payments.refund(ctx, order_id=order.id, customer_id=order.customer_id, method_id=method_id,
                              amount=amount, reason=f"return {rma.rma_number}", idempotency_key=key(rma, "refund"))
    rma.refund_method_id = method_id
    await take_back_points(ctx, order, amount, rma)


async def credit_card(ctx: ToolContext, rma: ReturnRequest, customer_id: str) -> PaymentMethod:
    """The gift card store credit goes on: the RMA's, else the customer's first active one, else a new one."""
    if rma.refund_method_id:
        return await payments.get_method(ctx.session, rma.refund_method_id, customer_id)
    existing = await ctx.session.scalar(
        select(PaymentMethod).where(PaymentMethod.customer_id == customer_id, PaymentMethod.active.is_(True),
                                    PaymentMethod.kind == PaymentMethodKind.GIFT_CARD)
        .order_by(PaymentMethod.created_at, PaymentMethod.id).limit(1)
    )
    return existing or await payments.add_method(ctx, customer_id, PaymentMethodKind.GIFT_CARD,
                                                 balance=Decimal("0.00"))


async def store_credit(ctx: ToolContext, rma: ReturnRequest, order: Order) -> None:
    """Credit the RMA's amount to a gift card of the customer; the RMA is closed (rma-handling procedure)."""
    amount = rma.refund_amount or Decimal("0.00")
    card = await credit_card(ctx, rma, order.customer_id)
    lifecycle.move(ctx, rma, RmaStatus.CLOSED, resolution="store_credit", amount=str(amount), gift_card=card.id)
    if amount > 0:
        await payments.refund(ctx, order_id=order.id, customer_id=order.customer_id, method_id=card.id,
                              amount=amount, reason=f"store credit for return {rma.rma_number}",
                              idempotency_key=key(rma, "store_credit"))
    rma.refund_method_id = card.id
    await take_back_points(ctx, order, amount, rma)


async def settle_difference(ctx: ToolContext, rma: ReturnRequest, order: Order, difference: Decimal,
                            method_id: str) -> None:
    """Charge a positive price difference, refund a negative one, on the exchange's method."""
    who = {"order_id": order.id, "customer_id": order.customer_id, "method_id": method_id,
           "idempotency_key": key(rma, "exchange")}
    if difference > 0:
        await payments.charge(ctx, **who, amount=difference)
    elif difference < 0:
        await payments.refund(ctx, **who, amount=-difference, reason=f"exchange {rma.rma_number}")


async def exchange(ctx: ToolContext, rma: ReturnRequest, order: Order) -> None:
    """Ship the replacements held since approval, settle the difference and put the units on their new
    variants (the order's lines and totals then show what the customer has)."""
    swap = await records.exchange_of(ctx.session, rma.id)
    if swap is None or swap.status != ExchangeStatus.REQUESTED:
        raise Conflict(f"RMA {rma.rma_number} has no open exchange", code="no_exchange")
    lifecycle.move(ctx, rma, RmaStatus.EXCHANGED, exchange_id=swap.id, price_difference=str(swap.price_difference))
    await settle_difference(ctx, rma, order, swap.price_difference, swap.payment_method_id)
    shipped = await inventory.consume(ctx, order.id)
    lines = {line.id: line for line in order.lines}
    for pair in swap.lines:
        variant = await ctx.session.get(ProductVariant, pair.new_variant_id)
        # Each unit of a line swaps in turn: the first ones split off, the last one changes the line itself.
        amend.swap(order, lines[pair.order_line_id], variant)
    order.subtotal += swap.price_difference
    order.total += swap.price_difference
    rules.EXCHANGE_STATES.move(ctx, swap, ExchangeStatus.COMPLETED, data=lifecycle.facts(rma, units_shipped=shipped))
    audit(ctx, "order", order.id, "items_exchanged", data={"rma_number": rma.rma_number, "exchange_id": swap.id})


RESOLVE = {ReturnResolution.REFUND: refund, ReturnResolution.STORE_CREDIT: store_credit,
           ReturnResolution.EXCHANGE: exchange}


async def resolve(ctx: ToolContext, rma: ReturnRequest) -> None:
    """Carry out the RMA's resolution (it must be inspected) and bring its order back to delivered."""
    order = await orders.get_order(ctx.session, rma.order_id, for_update=True)
    await RESOLVE[rma.resolution](ctx, rma, order)
    rma.resolved_at = ctx.now()
    await lifecycle.end(ctx, rma)
