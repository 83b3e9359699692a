"""The retail benchmark's changes of a pending order: address, payment and items. Checks come first; a later
refusal (say, stock taken in the meantime) leaves nothing behind because the caller's unit of work rolls back.
Returns and exchanges of delivered orders are opened by the after-sales service (tools/after_sales/returns.py),
which shares the replacement checks below."""

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus, PaymentMethodKind
from db.models import Order, OrderLine, PaymentMethod, ProductVariant
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InsufficientStock, InvalidInput, PaymentDeclined
from tools.inventory import service as inventory
from tools.order.service import cents, status_label
from tools.payment import service as payments
from tools.product import service as products


def require_status(order: Order, wanted: OrderStatus, action: str, *, unmodified: bool = False) -> None:
    """Refuse unless the order is exactly in the wanted status (and, when asked, its items never changed)."""
    if order.status != wanted or (unmodified and order.items_modified):
        raise Conflict(
            f"order {order.id} is {status_label(order)}; {action} needs a {wanted} order"
            + (" whose items were never modified" if unmodified else ""),
            code="invalid_status", details={"status": status_label(order)},
        )


def require_covers(method: PaymentMethod, amount: Decimal) -> None:
    """A gift card must hold at least the amount it is to pay."""
    if method.kind == PaymentMethodKind.GIFT_CARD and (method.balance or Decimal(0)) < amount:
        raise PaymentDeclined(
            f"gift card {method.id} has {method.balance} left, not enough to pay {amount}",
            code="insufficient_balance", details={"balance": str(method.balance), "amount": str(amount)},
        )


def pick_units(order: Order, item_ids: list[str]) -> list[OrderLine]:
    """The order line behind each listed item id, one unit each; an id must be there as often as listed."""
    left = {line.id: line.quantity - line.quantity_returned for line in order.lines}
    picked = []
    for item_id in item_ids:
        line = next((ln for ln in order.lines if ln.variant_id == item_id and left[ln.id] > 0), None)
        if line is None:
            raise InvalidInput(
                f"item {item_id} is not in order {order.id} as many times as listed",
                code="item_not_in_order", details={"item_id": item_id, "listed": item_ids.count(item_id)},
            )
        left[line.id] -= 1
        picked.append(line)
    return picked


async def replacements(
    session: AsyncSession, lines: list[OrderLine], new_ids: list[str], *, allow_same: bool
) -> list[ProductVariant]:
    """The new variant for each line: of the same product, available and (when tracked) in stock."""
    if len(lines) != len(new_ids):
        raise InvalidInput("item_ids and new_item_ids must have the same length", code="length_mismatch")
    variants = []
    for line, new_id in zip(lines, new_ids, strict=True):
        if new_id == line.variant_id and not allow_same:
            raise InvalidInput(f"the new item {new_id} is the item already ordered", code="same_item")
        variant = await products.get_variant(session, new_id)
        if variant.product_id != line.product_id:
            raise InvalidInput(
                f"item {variant.id} is not a variant of {line.name}; only options may change",
                code="different_product",
            )
        if not variant.available or variant.product.archived:
            raise Conflict(f"item {variant.id} is not available", code="unavailable")
        variants.append(variant)
    await require_stock(session, variants)
    return variants


async def require_stock(session: AsyncSession, variants: list[ProductVariant]) -> None:
    """Refuse tracked variants without enough available units for the request."""
    for variant_id, wanted in Counter(v.id for v in variants).items():
        available = await inventory.available_quantity(session, variant_id)
        if available is not None and available < wanted:
            raise InsufficientStock(
                f"item {variant_id} has {available} unit(s) available, {wanted} needed",
                details={"item_id": variant_id, "available": available, "wanted": wanted},
            )


def price_difference(lines: list[OrderLine], variants: list[ProductVariant]) -> Decimal:
    """Sum of new price minus old price over the pairs (> 0: the customer pays)."""
    return cents(sum((v.price - ln.unit_price for ln, v in zip(lines, variants, strict=True)), Decimal(0)))


def modify_address(ctx: ToolContext, order: Order, address: dict[str, Any]) -> None:
    """Replace the shipping address of a pending order (also once its items were modified)."""
    require_status(order, OrderStatus.PENDING, "changing the address")
    order.shipping_address = address
    audit(ctx, "order", order.id, "address_changed", data={"address": address})


async def modify_payment(ctx: ToolContext, order: Order, method_id: str) -> None:
    """Pay a pending order with another method: charge the new one, refund the old one."""
    require_status(order, OrderStatus.PENDING, "changing the payment method")
    history = await payments.history(ctx.session, order.id)
    if len(history) != 1 or history[0].transaction_type != "payment":
        raise Conflict(
            f"order {order.id} has {len(history)} payment entries; only a single payment can be moved",
            code="payment_not_modifiable",
        )
    old, amount = history[0].payment_method_id, Decimal(str(history[0].amount))
    if method_id == old:
        raise InvalidInput(f"order {order.id} is paid with {old} already; pick another", code="same_method")
    method = await payments.get_method(ctx.session, method_id, order.customer_id)
    require_covers(method, amount)
    who = {"order_id": order.id, "customer_id": order.customer_id}
    await payments.charge(ctx, **who, method_id=method.id, amount=amount)
    await payments.refund(ctx, **who, method_id=old, amount=amount, reason="payment method changed")
    audit(ctx, "order", order.id, "payment_method_changed", data={"from": old, "to": method.id})


def swap(order: Order, line: OrderLine, variant: ProductVariant) -> OrderLine:
    """Put one unit of the line on the new variant (splitting a line of several units); the split-off unit
    counts as shipped when the whole line had shipped (an exchange of a delivered order)."""
    if line.quantity > 1:
        shipped = int(line.quantity_shipped >= line.quantity)
        line.quantity -= 1
        line.quantity_allocated = min(line.quantity_allocated, line.quantity)
        line.quantity_shipped = min(line.quantity_shipped, line.quantity)
        line = OrderLine(
            position=len(order.lines), product_id=line.product_id, name=line.name, quantity=1,
            quantity_allocated=0, quantity_shipped=shipped, quantity_returned=0,
        )
        order.lines.append(line)
    line.variant_id, line.sku, line.unit_price = variant.id, variant.sku, variant.price
    line.options = dict(variant.options)
    return line


async def reallocate(ctx: ToolContext, order: Order, changed: list[OrderLine], touched: set[str]) -> None:
    """Release the order's stock of the touched variants and reserve again for the lines as they now are."""
    need: dict[str, list[tuple[OrderLine, int]]] = {}
    for line in order.lines:
        units = line.quantity if line in changed else line.quantity_allocated
        if line.variant_id in touched or line in changed:
            line.quantity_allocated = 0
            need.setdefault(line.variant_id, []).append((line, units))
    for variant_id in touched:
        await inventory.release(ctx, order_id=order.id, variant_id=variant_id)
    for variant_id, wants in need.items():
        total = sum(units for _, units in wants)
        held = await inventory.reserve(
            ctx, variant_id, total, order_id=order.id, reference=order.id, ttl_minutes=None
        ) if total else []
        for line, units in wants:
            line.quantity_allocated = units if held else 0


async def modify_items(
    ctx: ToolContext, order: Order, item_ids: list[str], new_ids: list[str], method_id: str
) -> Decimal:
    """Swap items of a pending order for other variants of the same products, once; returns the difference.

    Unlike the benchmark's code, each changed line takes its own new variant's price and options.
    """
    require_status(order, OrderStatus.PENDING, "changing items", unmodified=True)
    lines = pick_units(order, item_ids)
    variants = await replacements(ctx.session, lines, new_ids, allow_same=False)
    method = await payments.get_method(ctx.session, method_id, order.customer_id)
    difference = price_difference(lines, variants)
    require_covers(method, difference)
    touched = {ln.variant_id for ln in lines} | {v.id for v in variants}
    changed = [swap(order, line, variant) for line, variant in zip(lines, variants, strict=True)]
    await reallocate(ctx, order, changed, touched)
    order.items_modified = True
    order.subtotal += difference
    order.total += difference
    who = {"order_id": order.id, "customer_id": order.customer_id, "method_id": method.id}
    # The benchmark also books a 0.00 refund when prices match; our ledger only records real money moves.
    if difference > 0:
        await payments.charge(ctx, **who, amount=difference)
    elif difference < 0:
        await payments.refund(ctx, **who, amount=-difference, reason="items modified")
    audit(ctx, "order", order.id, "items_modified", data={"items": item_ids, "new_items": new_ids,
                                                          "difference": str(difference)})
    emit(ctx, "order.items_modified", order.id, {"difference": str(difference)})
    return difference
