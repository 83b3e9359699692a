"""Order business logic: place, read, list, change status, cancel; callers own the transaction."""

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import FraudLevel, OrderChannel, OrderStatus, ReturnResolution
from db.models import (
    Customer,
    Exchange,
    Order,
    OrderLine,
    OrderNote,
    PaymentTransaction,
    ProductVariant,
    ReturnRequest,
    Shipment,
)
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.customer import service as customers
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound
from tools.fraud import service as fraud
from tools.inventory import service as inventory
from tools.order import states
from tools.payment import service as payments
from tools.schemas import normalize_order_id
from tools.transport import rates
from tools.transport.states import close_unshipped

CENT = Decimal("0.01")
ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")


def cents(amount: Decimal) -> Decimal:
    """Money rounded to the cent, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def order_query() -> Select:
    """An order select with its lines and notes loaded."""
    return select(Order).options(selectinload(Order.lines), selectinload(Order.notes))


async def get_order(session: AsyncSession, ref: str, *, for_update: bool = False) -> Order:
    """An order by its number (#W2611340, W2611340 or 2611340), locked for writing when asked."""
    stmt = order_query().where(Order.id == normalize_order_id(ref))
    if for_update:
        stmt = stmt.with_for_update()
    order = (await session.execute(stmt)).scalar_one_or_none()
    if order is None:
        raise NotFound(f"order {normalize_order_id(ref)} not found")
    return order


async def get_visible_order(ctx: ToolContext, ref: str, *, for_update: bool = False) -> Order:
    """An order the caller may see: customers only their own (others read as not found)."""
    order = await get_order(ctx.session, ref, for_update=for_update)
    ctx.check_owner(order.customer_id, f"order {order.id}")
    return order


def status_label(order: Order) -> str:
    """The status in words, as the retail benchmark writes it (e.g. 'pending (item modified)')."""
    if order.status == OrderStatus.PENDING and order.items_modified:
        return "pending (item modified)"
    return str(order.status).replace("_", " ")


def default_address(customer: Customer) -> dict[str, Any]:
    """The customer's default address as an order address."""
    address = next((a for a in customers.sorted_addresses(customer) if a.is_default), None)
    if address is None:
        raise InvalidInput(f"customer {customer.id} has no default address; give a shipping address")
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def ensure_orderable(variant: ProductVariant) -> None:
    """Refuse a variant that is switched off or whose product is archived."""
    if not variant.available or variant.product.archived:
        raise Conflict(f"item {variant.id} ({variant.sku}) is not available", code="unavailable")


async def new_order_id(session: AsyncSession) -> str:
    """A fresh order number: #W and seven random digits, not yet taken."""
    while True:
        candidate = f"#W{secrets.randbelow(9_000_000) + 1_000_000}"
        if await session.get(Order, candidate) is None:
            return candidate


def build_lines(items: Iterable[tuple[ProductVariant, int]], prices: dict[str, Decimal]) -> list[OrderLine]:
    """Order lines with snapshots of each variant's name, SKU and options, at its unit price from `prices`."""
    return [
        OrderLine(
            position=position, product_id=variant.product_id, variant_id=variant.id, sku=variant.sku,
            name=variant.product.name, options=dict(variant.options),
            unit_price=prices[variant.id], quantity=quantity,
        )
        for position, (variant, quantity) in enumerate(items)
    ]


async def allocate(ctx: ToolContext, order: Order, lines: Iterable[OrderLine]) -> None:
    """Reserve stock for the lines until the order ships (untracked variants reserve nothing)."""
    for line in lines:
        held = await inventory.reserve(
            ctx, line.variant_id, line.quantity, order_id=order.id, reference=order.id, ttl_minutes=None
        )
        line.quantity_allocated = sum(r.quantity for r in held)


async def replayed_order(ctx: ToolContext, key: str | None) -> Order | None:
    """The order an earlier place_order with the same idempotency key created, if any."""
    if not key:
        return None
    stmt = select(PaymentTransaction.order_id).where(PaymentTransaction.idempotency_key == charge_key(key))
    order_id = await ctx.session.scalar(stmt)
    return await get_visible_order(ctx, order_id) if order_id else None


def charge_key(key: str) -> str:
    """The payment idempotency key of an order placed under the caller's key."""
    return f"place_order:{key}"


async def screen(
    ctx: ToolContext, customer: Customer, total: Decimal, shipping: dict[str, Any],
    billing: dict[str, Any] | None, client_ip: str | None, method_id: str,
) -> fraud.FraudScore:
    """Score the order about to be placed; a critical score refuses it before anything is written."""
    score = await fraud.score_order(
        ctx.session, customer=customer, amount=total, shipping_address=shipping, billing_address=billing,
        client_ip=client_ip, now=ctx.now(), payment_method_id=method_id,
    )
    if score.level == FraudLevel.CRITICAL:
        # The refusal rolls the call back; the check stays in the customer's fraud history all the same.
        fraud.record_check(ctx, score, order_id=None, customer_id=customer.id, client_ip=client_ip, lasting=True)
        raise Forbidden("this order cannot be accepted; please contact support", code="order_refused")
    return score


async def place(
    ctx: ToolContext,
    customer: Customer,
    items: list[tuple[ProductVariant, int]],
    *,
    method_id: str,
    shipping: dict[str, Any] | None,
    billing: dict[str, Any] | None,
    client_ip: str | None,
    channel: OrderChannel | None = None,
    prices: dict[str, Decimal] | None = None,
) -> Order:
    """Screen, create, allocate and charge an order; a critical fraud score refuses it outright.

    A marketplace import gives the channel and the prices the channel sold at (variant id -> unit price);
    otherwise the channel follows the caller and each variant sells at its own price.
    """
    method = await payments.get_method(ctx.session, method_id, customer.id)
    for variant, _ in items:
        ensure_orderable(variant)
    shipping = shipping or default_address(customer)
    unit = {v.id: (prices or {}).get(v.id, v.price) for v, _ in items}
    subtotal = cents(sum((unit[v.id] * q for v, q in items), Decimal(0)))
    weight = sum((v.weight_kg * q for v, q in items), Decimal(0))
    carrier_code, shipping_cost = await rates.order_shipping(ctx.session, shipping, weight, subtotal)
    total = subtotal + shipping_cost
    score = await screen(ctx, customer, total, shipping, billing, client_ip, method.id)
    order = Order(
        id=await new_order_id(ctx.session), customer_id=customer.id,
        status=OrderStatus.ON_HOLD if score.level == FraudLevel.HIGH else OrderStatus.PENDING,
        channel=channel or (OrderChannel.WEB if ctx.principal.is_customer else OrderChannel.STAFF),
        subtotal=subtotal, shipping_cost=shipping_cost, carrier_code=carrier_code, total=total,
        shipping_address=shipping,
        billing_address=billing, client_ip=client_ip, placed_at=ctx.now(), lines=build_lines(items, unit),
        notes=[],
    )
    ctx.session.add(order)
    await ctx.session.flush()
    await allocate(ctx, order, order.lines)
    key = charge_key(ctx.idempotency_key) if ctx.idempotency_key else None
    await payments.charge(
        ctx, order_id=order.id, customer_id=customer.id, method_id=method.id, amount=total,
        idempotency_key=key,
    )
    fraud.record_check(ctx, score, order_id=order.id, customer_id=customer.id, client_ip=client_ip)
    facts = {"customer_id": customer.id, "total": str(total), "shipping_cost": str(shipping_cost),
             "carrier": carrier_code, "status": str(order.status)}
    audit(ctx, "order", order.id, "placed", to_state=order.status, data={**facts, "fraud": str(score.level)})
    emit(ctx, "order.placed", order.id, facts)
    return order


async def list_orders(
    session: AsyncSession,
    *,
    customer_id: str | None,
    status: OrderStatus | None,
    placed_from: date | None,
    placed_to: date | None,
    limit: int,
    offset: int,
) -> tuple[list[Order], int]:
    """A page of orders, newest first, with the total count of matches."""
    stmt = select(Order)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if placed_from is not None:
        stmt = stmt.where(Order.placed_at >= day_start(placed_from))
    if placed_to is not None:
        stmt = stmt.where(Order.placed_at < day_start(placed_to + timedelta(days=1)))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.options(selectinload(Order.lines)).order_by(Order.placed_at.desc(), Order.id).limit(limit)
    return list((await session.execute(page.offset(offset))).scalars()), total or 0


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of the day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


async def refund_all(ctx: ToolContext, order: Order, reason: str) -> None:
    """Refund what each payment method still holds for the order, on that method."""
    held: dict[str, Decimal] = {}
    for entry in await payments.history(ctx.session, order.id):
        amount = Decimal(str(entry.amount)) * (1 if entry.transaction_type == "payment" else -1)
        held[entry.payment_method_id] = held.get(entry.payment_method_id, Decimal(0)) + amount
    for method_id, amount in held.items():
        if amount > 0:
            await payments.refund(
                ctx, order_id=order.id, customer_id=order.customer_id, method_id=method_id, amount=amount,
                reason=reason,
            )


async def release_stock(ctx: ToolContext, order: Order) -> None:
    """Give back every unit the order holds in stock."""
    await inventory.release(ctx, order_id=order.id)
    for line in order.lines:
        line.quantity_allocated = 0


async def cancel(ctx: ToolContext, order: Order, reason: str) -> None:
    """Cancel through the state machine, refund what was paid, release the stock and unpack its parcels."""
    await states.move(ctx, order, OrderStatus.CANCELLED, reason=reason)
    order.cancel_reason = reason
    await refund_all(ctx, order, f"order {order.id} cancelled: {reason}")
    await release_stock(ctx, order)
    await close_unshipped(ctx, order.id, reason)


async def cancel_pending(ctx: ToolContext, order: Order, reason: str) -> None:
    """The retail benchmark's cancellation: only an order exactly pending (items never modified)."""
    if order.status != OrderStatus.PENDING or order.items_modified:
        raise Conflict(
            f"order {order.id} is {status_label(order)}; only a pending order can be cancelled",
            code="invalid_status", details={"status": status_label(order)},
        )
    await cancel(ctx, order, reason)


def cancel_reason(reason: str | None) -> str:
    """The reason a staff cancellation must give."""
    if not reason:
        raise InvalidInput("say why the order is cancelled (reason)")
    return reason


async def change_status(ctx: ToolContext, order: Order, target: OrderStatus, reason: str | None) -> None:
    """A staff status change: cancelling refunds and releases, delivery earns loyalty points."""
    if target == OrderStatus.CANCELLED:
        await cancel(ctx, order, cancel_reason(reason))
        return
    if target == OrderStatus.DELIVERED:
        await mark_delivered(ctx, order, reason)
        return
    await states.move(ctx, order, target, **({"reason": reason} if reason else {}))


async def mark_delivered(ctx: ToolContext, order: Order, reason: str | None = None) -> None:
    """The one way an order becomes delivered (staff, or its last parcel delivered): delivered_at, points."""
    await states.move(ctx, order, OrderStatus.DELIVERED, **({"reason": reason} if reason else {}))
    order.delivered_at = ctx.now()
    customer = await customers.get_customer(ctx.session, order.customer_id)
    customers.award_points(ctx, customer, order.total, f"order {order.id} delivered")


def add_note(ctx: ToolContext, order: Order, body: str) -> OrderNote:
    """Attach a staff note to the order."""
    note = OrderNote(order_id=order.id, author=ctx.actor, body=body, created_at=ctx.now())
    order.notes.append(note)
    audit(ctx, "order", order.id, "note_added")
    return note


async def fulfillments(session: AsyncSession, order_id: str) -> list[Shipment]:
    """The order's shipments, oldest first."""
    stmt = select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.created_at, Shipment.id)
    return list((await session.execute(stmt)).scalars())


async def latest_rma(session: AsyncSession, order_id: str, *, exchanges: bool = True) -> ReturnRequest | None:
    """The order's most recent RMA (a return, or the RMA an exchange comes back under), with its lines."""
    stmt = (
        select(ReturnRequest).options(selectinload(ReturnRequest.lines))
        .where(ReturnRequest.order_id == order_id,
               *([] if exchanges else [ReturnRequest.resolution != ReturnResolution.EXCHANGE]))
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id).limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_return(session: AsyncSession, order_id: str) -> ReturnRequest | None:
    """The order's most recent return for a refund or store credit (an exchange is shown as the exchange)."""
    return await latest_rma(session, order_id, exchanges=False)


async def latest_exchange(session: AsyncSession, order_id: str) -> Exchange | None:
    """The order's most recent exchange, with its lines."""
    stmt = (
        select(Exchange).options(selectinload(Exchange.lines)).where(Exchange.order_id == order_id)
        .order_by(Exchange.created_at.desc(), Exchange.id).limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
