"""Opening a return (RMA): eligibility, the units asked for, the refund method, and the records.

The one implementation behind both `request_return` (after-sales) and the order agent's benchmark tools
`return_delivered_order_items` / `exchange_delivered_order_items`: all three build a ReturnAsk and call
open_return, so the rules and the records are the same whichever way a customer asks.
"""

import secrets
import string
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus, PaymentMethodKind, ReturnReason, ReturnResolution, RmaStatus
from db.models import (
    Exchange,
    ExchangeLine,
    Order,
    OrderLine,
    PaymentMethod,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
)
from tools.after_sales import rules
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, InvalidInput
from tools.order import amend, states
from tools.order.service import cents, status_label
from tools.payment import service as payments

CODE_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class ReturnAsk:
    """What a customer asks to send back: one entry per unit, and what they want for it."""

    items: list[str]
    reason: ReturnReason
    resolution: ReturnResolution
    method_id: str | None = None
    # Exchange: the replacement of each unit, paired with `items` in order.
    new_items: list[str] | None = None
    notes: str = ""
    lines: list[tuple[OrderLine, int]] = field(default_factory=list)


async def new_number(session: AsyncSession, prefix: str, model: type, column, now: datetime) -> str:
    """A fresh PREFIX-YYYYMMDD-XXXXXXXX number, not yet taken in the column."""
    while True:
        candidate = f"{prefix}-{now:%Y%m%d}-{''.join(secrets.choice(CODE_ALPHABET) for _ in range(8))}"
        if await session.scalar(select(model.id).where(column == candidate)) is None:
            return candidate


async def returned_units(session: AsyncSession, order_id: str) -> Counter:
    """Units per order line already in a return that counts (requested onwards, not rejected, cancelled or
    swapped in an exchange)."""
    rows = await session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.rma_id)
        .where(ReturnRequest.order_id == order_id, ReturnRequest.status.not_in(rules.NOT_RETURNED))
        .group_by(ReturnLine.order_line_id)
    )
    return Counter({line_id: int(units) for line_id, units in rows})


def returnable(order: Order, taken: Counter) -> dict[int, int]:
    """Units each line may still send back: delivered minus already returned (a delivered order was
    delivered in full: delivered_at is set when its last line reached the customer)."""
    return {line.id: max(0, line.quantity - taken[line.id]) for line in order.lines}


def lines_named(order: Order, ref: str) -> list[OrderLine]:
    """The order's lines a reference names: item id, SKU (any case), part of the product name, or words of it
    ("clacky keyboard" of the Clacky 87 Mechanical Keyboard)."""
    text = ref.strip().lower()
    for match in (lambda ln: ln.variant_id == ref.strip(), lambda ln: ln.sku.lower() == text,
                  lambda ln: text in ln.name.lower(), lambda ln: set(text.split()) <= set(ln.name.lower().split())):
        found = [ln for ln in order.lines if match(ln)]
        if found:
            break
    if len({ln.variant_id for ln in found}) > 1:
        raise Ambiguous(f"{len(found)} items of order {order.id} match {ref!r}; say which by item id or SKU",
                        details=[{"item_id": ln.variant_id, "sku": ln.sku, "name": ln.name, "options": ln.options}
                                 for ln in found])
    if not found:
        raise InvalidInput(f"item {ref} is not in order {order.id}", code="item_not_in_order",
                           details={"item_id": ref, "order_id": order.id})
    return found


def take_units(order: Order, items: list[str], left: dict[int, int]) -> list[OrderLine]:
    """The order line behind each listed unit, within what each line may still send back."""
    start, picked = dict(left), []
    for ref in items:
        candidates = lines_named(order, ref)
        line = next((ln for ln in candidates if left[ln.id] > 0), None)
        if line is None:
            delivered = sum(ln.quantity for ln in candidates)
            can = sum(start[ln.id] for ln in candidates)
            raise InvalidInput(
                f"{candidates[0].name} ({candidates[0].variant_id}): {delivered} delivered in order {order.id}, "
                f"{delivered - can} already returned or in a return, so at most {can} can come back; "
                f"{items.count(ref)} asked",
                code="quantity_exceeds_returnable",
                details={"item_id": candidates[0].variant_id, "asked": items.count(ref), "returnable": can},
            )
        left[line.id] -= 1
        picked.append(line)
    return picked


def everything(order: Order, left: dict[int, int]) -> list[str]:
    """One entry per unit the order may still send back, for 'return the whole order'."""
    units = [ln.variant_id for ln in order.lines for _ in range(left[ln.id])]
    if not units:
        raise Conflict(f"every item of order {order.id} is already returned or in a return",
                       code="nothing_to_return")
    return units


async def original_method(session: AsyncSession, order_id: str) -> str | None:
    """The payment method the order was first paid with."""
    history = await payments.history(session, order_id)
    return history[0].payment_method_id if history else None


async def refund_method(ctx: ToolContext, order: Order, method_id: str | None) -> PaymentMethod:
    """A refund goes to the order's original method or to one of the customer's gift cards."""
    original = await original_method(ctx.session, order.id)
    if method_id is None and original is None:
        raise InvalidInput("say which gift card the refund goes to", code="refund_method_required",
                           details=[{"field": "payment_method_id", "problem": "required"}])
    method = await payments.get_method(ctx.session, method_id or original, order.customer_id)
    if method.id != original and method.kind != PaymentMethodKind.GIFT_CARD:
        raise InvalidInput(f"a refund goes to the original payment method ({original}) or a gift card",
                           code="invalid_refund_method")
    return method


async def credit_card_given(ctx: ToolContext, order: Order, method_id: str | None) -> str | None:
    """Store credit lands on a gift card: the one named (the customer's), or one chosen at resolution."""
    if method_id is None:
        return None
    method = await payments.get_method(ctx.session, method_id, order.customer_id)
    if method.kind != PaymentMethodKind.GIFT_CARD:
        raise InvalidInput("store credit is issued on a gift card; name one of the customer's gift cards "
                           "or leave the payment method out", code="invalid_refund_method")
    return method.id


def open_for_return(order: Order) -> bool:
    """True when the order is delivered (with its delivery time) and not already in a return or exchange."""
    return order.status == OrderStatus.DELIVERED and order.delivered_at is not None


def require_returnable_order(order: Order) -> datetime:
    """The order must be delivered (and not already in a return or exchange); returns its delivery time."""
    if not open_for_return(order):
        raise Conflict(
            f"order {order.id} is {status_label(order)}; a return or exchange needs a delivered order"
            + (" without an open return or exchange" if order.status in states.AFTER_SALES else ""),
            code="invalid_status", details={"status": status_label(order)},
        )
    return order.delivered_at


def grouped(units: list[OrderLine]) -> list[tuple[OrderLine, int]]:
    """Units per line, in line order."""
    counts = Counter(line.id for line in units)
    return [(line, counts[line.id]) for line in sorted({ln.id: ln for ln in units}.values(),
                                                       key=lambda ln: ln.position)]


async def check(ctx: ToolContext, order: Order, ask: ReturnAsk) -> list[OrderLine]:
    """Every eligibility rule: delivered, within the window, and quantities within what may come back."""
    delivered_at = require_returnable_order(order)
    rules.require_within(delivered_at, ctx.now(), await rules.window_days(ctx.session, ask.reason), ask.reason)
    left = returnable(order, await returned_units(ctx.session, order.id))
    if not ask.items:
        if ask.resolution == ReturnResolution.EXCHANGE:
            raise InvalidInput("say which items to exchange and for what", code="items_required")
        ask.items = everything(order, left)
    units = take_units(order, ask.items, left)
    ask.lines = grouped(units)
    return units


@dataclass(frozen=True)
class Eligibility:
    """What an order may still send back now, by the rules `check` enforces, as a state instead of a refusal."""

    state: rules.ReturnState
    window_days: int
    defect_window_days: int
    # Units per order line that may still come back; empty when no return is possible.
    left: dict[int, int] = field(default_factory=dict)


async def eligibility(ctx: ToolContext, order: Order) -> Eligibility:
    """Whether and what the order may still return: status, then windows, then units left (check's order)."""
    window = await rules.window_days(ctx.session, ReturnReason.OTHER)  # the window of every reason but defects
    defect_window = await rules.window_days(ctx.session, ReturnReason.PRODUCT_DEFECT)
    found = partial(Eligibility, window_days=window, defect_window_days=defect_window)
    if order.status in states.AFTER_SALES:
        return found(rules.ReturnState.RETURN_IN_PROGRESS)
    if order.status == OrderStatus.CANCELLED:
        return found(rules.ReturnState.CANCELLED)
    if not open_for_return(order):
        return found(rules.ReturnState.NOT_DELIVERED)
    now = ctx.now()
    if rules.past_every_window(order.delivered_at, now, window, defect_window):
        return found(rules.ReturnState.WINDOW_CLOSED)
    left = returnable(order, await returned_units(ctx.session, order.id))
    if not any(left.values()):
        return found(rules.ReturnState.NOTHING_LEFT)
    within = rules.within(order.delivered_at, now, window)
    return found(rules.ReturnState.RETURNABLE if within else rules.ReturnState.DEFECTS_ONLY, left=left)


async def status_in_words(ctx: ToolContext, order: Order) -> str:
    """The order's status label, saying when a delivered order is past every return window (a defect's too): a chat
    can then tell at once that nothing of it can come back, before asking what to return."""
    label = status_label(order)
    if not open_for_return(order):
        return label  # every order read shows this label: its windows are read only when they can matter
    window = await rules.window_days(ctx.session, ReturnReason.OTHER)
    defect_window = await rules.window_days(ctx.session, ReturnReason.PRODUCT_DEFECT)
    if rules.past_every_window(order.delivered_at, ctx.now(), window, defect_window):
        # The windows themselves, so the person hears how long they had: "30 days, 90 for a defect".
        return f"{label} (return window closed: {window} days from delivery, {defect_window} for a defect)"
    return label


async def open_return(ctx: ToolContext, order: Order, ask: ReturnAsk) -> ReturnRequest:
    """Check the request and open the RMA (and its exchange); nothing is paid or moved until it resolves."""
    units = await check(ctx, order, ask)
    method_id, exchange = None, None
    if ask.resolution == ReturnResolution.REFUND:
        method_id = (await refund_method(ctx, order, ask.method_id)).id
    elif ask.resolution == ReturnResolution.STORE_CREDIT:
        method_id = await credit_card_given(ctx, order, ask.method_id)
    else:
        exchange = await build_exchange(ctx, order, units, ask)
    value = cents(sum((line.unit_price * qty for line, qty in ask.lines), Decimal(0)))
    label = Decimal("0.00")
    if ask.resolution != ReturnResolution.EXCHANGE:
        label = min(value, await rules.label_cost(ctx.session, ask.reason, order.shipping_address))
    rma = ReturnRequest(
        id=str(uuid.uuid4()), rma_number=await new_number(ctx.session, "RMA", ReturnRequest,
                                                           ReturnRequest.rma_number, ctx.now()),
        order_id=order.id, customer_id=order.customer_id, status=RmaStatus.REQUESTED, reason=ask.reason,
        resolution=ask.resolution, refund_method_id=method_id, label_cost=label,
        refund_amount=None if exchange else value - label, notes=ask.notes, created_at=ctx.now(),
        lines=[ReturnLine(order_line_id=line.id, variant_id=line.variant_id, quantity=qty) for line, qty in ask.lines],
    )
    ctx.session.add(rma)
    await ctx.session.flush()  # the RMA row first: the exchange refers to it
    if exchange is not None:
        exchange.rma_id = rma.id
        ctx.session.add(exchange)
        await ctx.session.flush()
    record_request(ctx, rma, exchange)
    target = OrderStatus.EXCHANGE_REQUESTED if exchange else OrderStatus.RETURN_REQUESTED
    await states.move(ctx, order, target, rma_number=rma.rma_number, items=[ln.variant_id for ln in units])
    return rma


async def build_exchange(ctx: ToolContext, order: Order, units: list[OrderLine], ask: ReturnAsk) -> Exchange:
    """The exchange of each unit for another variant of the same product; a gift card paying must cover
    the difference. Nothing is paid or reserved yet (stock is reserved when the RMA is approved)."""
    variants: list[ProductVariant] = await amend.replacements(ctx.session, units, ask.new_items or [],
                                                              allow_same=True)
    method_id = ask.method_id or await original_method(ctx.session, order.id)
    if method_id is None:
        raise InvalidInput("say which payment method pays or receives the price difference",
                           code="payment_method_required")
    method = await payments.get_method(ctx.session, method_id, order.customer_id)
    difference = amend.price_difference(units, variants)
    amend.require_covers(method, difference)
    return Exchange(
        id=str(uuid.uuid4()), order_id=order.id, payment_method_id=method.id, price_difference=difference,
        created_at=ctx.now(),
        lines=[ExchangeLine(position=i, order_line_id=ln.id, old_variant_id=ln.variant_id, new_variant_id=v.id)
               for i, (ln, v) in enumerate(zip(units, variants, strict=True))],
    )


def record_request(ctx: ToolContext, rma: ReturnRequest, exchange: Exchange | None) -> None:
    """The audit row and the rma.requested event of a new RMA."""
    facts = {"rma_number": rma.rma_number, "order_id": rma.order_id, "customer_id": rma.customer_id,
             "reason": str(rma.reason), "resolution": str(rma.resolution),
             "units": sum(line.quantity for line in rma.lines)}
    if exchange is not None:
        facts.update(exchange_id=exchange.id, price_difference=str(exchange.price_difference))
    else:
        facts.update(refund_amount=str(rma.refund_amount), label_cost=str(rma.label_cost))
    audit(ctx, "rma", rma.id, "requested", to_state=RmaStatus.REQUESTED, data=facts)
    emit(ctx, "rma.requested", rma.id, facts)
