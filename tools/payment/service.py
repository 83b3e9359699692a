"""Payment business logic through the sandbox test gateway; callers own the transaction.

Every money movement locks its order row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
each transaction as BEGIN IMMEDIATE), so guards such as "refund <= captured - refunded" read
amounts that no concurrent request can change underneath them; the Idempotency-Key is checked
after that lock (see ledger.idempotent).
"""

import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderChannel, PaymentMethodKind, PaymentStatus, TransactionKind, TransactionResult
from db.models import Order, Payment, PaymentMethod, PaymentTransaction
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, InvalidInput, InvalidTransition, NotFound, PaymentDeclined
from tools.payment import ledger
from tools.payment.gateway import gateway_for, gateway_name_for
from tools.payment.ledger import MONEY_IN, cents
from tools.payment.schemas import PaymentEntry
from tools.schemas import normalize_order_id
from tools.transitions import StateMachine

S = PaymentStatus
K = TransactionKind

PAYMENT = StateMachine("payment", {
    # A payment opened by a refund to a method not used on the order (store credit) stays pending
    # until money is taken on it, and may then be partially or fully refunded straight away.
    S.PENDING: {S.AUTHORIZED, S.CAPTURED, S.FAILED, S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.AUTHORIZED: {S.CAPTURED, S.VOIDED},
    S.CAPTURED: {S.PARTIALLY_REFUNDED, S.REFUNDED},
    S.PARTIALLY_REFUNDED: {S.REFUNDED},
    # A further sale or capture on the same method after a full refund.
    S.REFUNDED: {S.PARTIALLY_REFUNDED},
})


# --- payment methods ------------------------------------------------------------------------


async def methods_of(session: AsyncSession, customer_id: str) -> list[PaymentMethod]:
    """A customer's active payment methods, in the order they were saved."""
    rows = await session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.customer_id == customer_id, PaymentMethod.active.is_(True))
        .order_by(PaymentMethod.created_at, PaymentMethod.id)
    )
    return list(rows.scalars())


async def get_method(session: AsyncSession, method_id: str, customer_id: str) -> PaymentMethod:
    """The customer's active method by id; NotFound otherwise."""
    method = await session.get(PaymentMethod, method_id)
    if method is None or method.customer_id != customer_id or not method.active:
        raise NotFound(f"payment method {method_id!r} not found for customer {customer_id}")
    return method


async def new_method_id(session: AsyncSession, kind: PaymentMethodKind) -> str:
    """An unused id in the shop's style, e.g. credit_card_1234567."""
    while True:
        candidate = f"{kind}_{1_000_000 + secrets.randbelow(9_000_000)}"
        if await session.get(PaymentMethod, candidate) is None:
            return candidate


async def add_method(ctx: ToolContext, customer_id: str, kind: PaymentMethodKind, *, brand: str | None = None,
                     last_four: str | None = None, paypal_email: str | None = None,
                     balance: Decimal | None = None) -> PaymentMethod:
    """Save a card (brand and last four only), a PayPal account or a gift card with its balance."""
    paypal_email = paypal_email.lower() if paypal_email else None
    for existing in await methods_of(ctx.session, customer_id):
        same = (existing.kind, existing.brand, existing.last_four, existing.paypal_email)
        if kind != PaymentMethodKind.GIFT_CARD and same == (kind, brand, last_four, paypal_email):
            raise Conflict(f"this {kind} is already saved as {existing.id}", code="duplicate_payment_method")
    method = PaymentMethod(
        id=await new_method_id(ctx.session, kind), customer_id=customer_id, kind=kind, brand=brand,
        last_four=last_four, paypal_email=paypal_email, active=True, created_at=ctx.now(),
        balance=cents(balance) if kind == PaymentMethodKind.GIFT_CARD else None,
    )
    ctx.session.add(method)
    await ctx.session.flush()
    audit(ctx, "payment_method", method.id, "added", data={"customer_id": customer_id, "kind": str(kind)})
    emit(ctx, "payment_method.added", method.id, {"customer_id": customer_id, "kind": str(kind)})
    return method


# --- lookups --------------------------------------------------------------------------------


async def lock_order(session: AsyncSession, order_id: str, customer_id: str | None = None) -> Order:
    """The order, locked for the rest of the transaction (and the customer's, when one is given)."""
    order = await session.scalar(select(Order).where(Order.id == normalize_order_id(order_id)).with_for_update())
    if order is None or (customer_id is not None and order.customer_id != customer_id):
        raise NotFound(f"order {order_id} not found")
    return order


async def get_order(session: AsyncSession, order_id: str) -> Order:
    """The order by number, without locking it."""
    order = await session.get(Order, normalize_order_id(order_id))
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


async def get_payment(session: AsyncSession, payment_id: str) -> Payment:
    """A payment read fresh after locking its order, so its amounts cannot change under us."""
    order_id = await session.scalar(select(Payment.order_id).where(Payment.id == payment_id))
    if order_id is None:
        raise NotFound(f"payment {payment_id} not found")
    await lock_order(session, order_id)
    stmt = select(Payment).where(Payment.id == payment_id).execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def refundable_payment(session: AsyncSession, order_id: str, method_id: str | None) -> Payment:
    """The order's one payment (on the method, when given) with money left to refund."""
    order = await lock_order(session, order_id)
    candidates = [
        p for p in await payments_of(session, order.id)
        if p.amount_captured > p.amount_refunded and method_id in (None, p.method_id)
    ]
    if not candidates:
        raise Conflict(f"order {order.id} has no payment with money left to refund", code="nothing_to_refund")
    if len(candidates) > 1:
        raise Ambiguous(f"order {order.id} was paid with several methods; say which one",
                        details=[{"payment_id": p.id, "method_id": p.method_id} for p in candidates])
    return candidates[0]


async def payments_of(session: AsyncSession, order_id: str) -> list[Payment]:
    """The order's payments, oldest first, read fresh."""
    rows = await session.execute(
        select(Payment).where(Payment.order_id == order_id).order_by(Payment.created_at, Payment.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def transactions_of(session: AsyncSession, order_id: str) -> list[PaymentTransaction]:
    """The order's ledger, in order."""
    rows = await session.execute(
        select(PaymentTransaction).where(PaymentTransaction.order_id == order_id).order_by(PaymentTransaction.id)
    )
    return list(rows.scalars())


async def get_transaction(session: AsyncSession, transaction_id: int) -> PaymentTransaction:
    """One ledger row by id."""
    tx = await session.get(PaymentTransaction, transaction_id)
    if tx is None:
        raise NotFound(f"transaction {transaction_id} not found")
    return tx


async def payment_of(session: AsyncSession, tx: PaymentTransaction) -> Payment:
    """The current state of a transaction's payment."""
    stmt = select(Payment).where(Payment.id == tx.payment_id).execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def balance_due(session: AsyncSession, order: Order) -> Decimal:
    """What the order still owes: its total less the money kept so far."""
    captured, refunded = await ledger.order_totals(session, order.id)
    due = cents(order.total - (captured - refunded))
    if due <= 0:
        raise Conflict(f"order {order.id} is paid in full; give an amount to charge more", code="nothing_to_charge")
    return due


# --- money movements ------------------------------------------------------------------------


def settled_status(payment: Payment) -> PaymentStatus:
    """The status the payment's amounts call for (with nothing captured it keeps its own, or is authorized)."""
    if payment.amount_captured <= 0:
        return S.AUTHORIZED if payment.status == S.PENDING and payment.amount_authorized > 0 else payment.status
    if payment.amount_refunded >= payment.amount_captured:
        return S.REFUNDED
    return S.PARTIALLY_REFUNDED if payment.amount_refunded > 0 else S.CAPTURED


def settle(ctx: ToolContext, payment: Payment, *, declined: bool = False) -> None:
    """Move the payment where its amounts call for (a new payment whose first attempt is declined fails)."""
    target = S.FAILED if declined and payment.status == S.PENDING else settled_status(payment)
    if target != payment.status:
        PAYMENT.move(ctx, payment, target, data={"captured": str(payment.amount_captured),
                                                   "refunded": str(payment.amount_refunded)})


def _positive(amount: Decimal) -> Decimal:
    value = cents(amount)
    if value <= 0:
        raise InvalidInput(f"amount must be positive, not {amount}")
    return value


async def take(ctx: ToolContext, kind: TransactionKind, order: Order, method: PaymentMethod,
               amount: Decimal | None, key: str | None) -> PaymentTransaction:
    """Authorize or sell on the order's (locked) method; a gateway decline is recorded, not raised."""
    requested = None if amount is None else _positive(amount)
    expected = {"kind": kind, "order_id": order.id, "method_id": method.id, "amount": requested}
    if method.kind == PaymentMethodKind.MARKETPLACE and order.channel != OrderChannel.MARKETPLACE:
        raise Conflict(f"{method.id} records money a sales channel collected; it can only pay that channel's orders",
                       code="marketplace_method_only")

    async def run() -> PaymentTransaction:
        value = requested or await balance_due(ctx.session, order)
        await ledger.require_balance(ctx.session, method, value)
        gateway = gateway_for(gateway_name_for(method))
        answer = await (gateway.sale if kind == K.SALE else gateway.authorize)(method, value)
        statuses = ledger.TAKES_MONEY if kind == K.SALE else ledger.HOLDS_MONEY
        payment = await ledger.open_payment(ctx, order.id, method.id, statuses, gateway.name)
        if answer.approved:
            payment.amount_authorized += value
            if kind == K.SALE:
                await ledger.debit(ctx.session, method, value)
                payment.amount_captured += value
        settle(ctx, payment, declined=not answer.approved)
        return await ledger.record(ctx, payment, kind, answer, value, "", key)

    return await ledger.idempotent(ctx, key, expected, run)


async def process(ctx: ToolContext, kind: TransactionKind, order_id: str, method_id: str,
                  amount: Decimal | None, key: str | None) -> PaymentTransaction:
    """Authorize or sell on an order with one of its customer's methods (staff tools)."""
    order = await lock_order(ctx.session, order_id)
    method = await get_method(ctx.session, method_id, order.customer_id)
    return await take(ctx, kind, order, method, amount, key)


async def capture(ctx: ToolContext, payment: Payment, amount: Decimal | None, key: str | None) -> PaymentTransaction:
    """Take (part of) what is authorized and not yet captured."""
    requested = None if amount is None else _positive(amount)

    async def run() -> PaymentTransaction:
        if payment.status in (S.PENDING, S.VOIDED, S.FAILED):
            raise InvalidTransition(f"payment {payment.id} is {payment.status}; only authorized money can be captured",
                                    details={"from": str(payment.status), "to": str(S.CAPTURED)})
        left = payment.amount_authorized - payment.amount_captured
        value = requested or left
        if left <= 0 or value > left:
            raise Conflict(f"cannot capture {value}: {left} is authorized and not yet captured",
                           code="capture_exceeds_authorized", details={"left": str(left)})
        reference = await ledger.last_reference(ctx.session, payment, (K.AUTHORIZE,))
        answer = await gateway_for(payment.gateway).capture(reference or "", value)
        if answer.approved:
            await ledger.debit(ctx.session, await ctx.session.get(PaymentMethod, payment.method_id), value)
            payment.amount_captured += value
            settle(ctx, payment)
        return await ledger.record(ctx, payment, K.CAPTURE, answer, value, "", key)

    expected = {"kind": K.CAPTURE, "payment_id": payment.id, "amount": requested}
    return await ledger.idempotent(ctx, key, expected, run)


async def void(ctx: ToolContext, payment: Payment, reason: str, key: str | None) -> PaymentTransaction:
    """Release an authorization of which nothing was captured."""

    async def run() -> PaymentTransaction:
        if payment.amount_captured > 0:
            raise Conflict(f"payment {payment.id} has {payment.amount_captured} captured; refund it instead",
                           code="already_captured")
        if not PAYMENT.allowed(payment.status, S.VOIDED):
            raise InvalidTransition(f"payment {payment.id} is {payment.status}; only an authorization can be voided",
                                    details={"from": str(payment.status), "to": str(S.VOIDED)})
        reference = await ledger.last_reference(ctx.session, payment, (K.AUTHORIZE,))
        answer = await gateway_for(payment.gateway).void(reference or "")
        if answer.approved:
            PAYMENT.move(ctx, payment, S.VOIDED, data={"reason": reason})
        return await ledger.record(ctx, payment, K.VOID, answer, payment.amount_authorized, reason, key)

    return await ledger.idempotent(ctx, key, {"kind": K.VOID, "payment_id": payment.id}, run)


async def _give_back(ctx: ToolContext, payment: Payment, value: Decimal, reason: str,
                     key: str | None) -> PaymentTransaction:
    """Refund on the payment's method, never beyond what the order has captured in all."""
    captured, refunded = await ledger.order_totals(ctx.session, payment.order_id)
    if refunded + value > captured:
        raise Conflict(f"cannot refund {value}: order {payment.order_id} has {captured - refunded} left to refund",
                       code="refund_exceeds_captured", details={"left": str(captured - refunded)})
    method = await ctx.session.get(PaymentMethod, payment.method_id)
    original = await ledger.last_reference(ctx.session, payment, MONEY_IN)
    answer = await gateway_for(payment.gateway).refund(method, value, original)
    if answer.approved:
        await ledger.credit(ctx.session, method, value)
        payment.amount_refunded += value
        settle(ctx, payment)
    return await ledger.record(ctx, payment, K.REFUND, answer, value, reason, key)


async def refund_payment(ctx: ToolContext, payment: Payment, amount: Decimal | None, reason: str,
                         key: str | None) -> PaymentTransaction:
    """Refund (part of) a payment: at most what it captured less what it refunded."""
    requested = None if amount is None else _positive(amount)

    async def run() -> PaymentTransaction:
        left = payment.amount_captured - payment.amount_refunded
        value = requested or left
        if left <= 0 or value > left:
            raise Conflict(f"cannot refund {value}: payment {payment.id} has {left} left to refund",
                           code="refund_exceeds_captured", details={"left": str(left)})
        return await _give_back(ctx, payment, value, reason, key)

    expected = {"kind": K.REFUND, "payment_id": payment.id, "amount": requested}
    return await ledger.idempotent(ctx, key, expected, run)


# --- the API the order domain calls ---------------------------------------------------------


async def charge(ctx: ToolContext, *, order_id: str, customer_id: str, method_id: str, amount: Decimal,
                 idempotency_key: str | None = None) -> PaymentTransaction:
    """Take money now (a sale): the method must be the customer's and active; a gift card must cover it
    (PaymentDeclined otherwise) and is debited. Adds to the (order, method) Payment (creating it, status
    captured) and records a successful 'sale' transaction."""
    method = await get_method(ctx.session, method_id, customer_id)
    order = await lock_order(ctx.session, order_id, customer_id)
    tx = await take(ctx, K.SALE, order, method, _positive(amount), idempotency_key)
    if tx.result != TransactionResult.SUCCESS:
        raise PaymentDeclined(f"payment on {method.id} was {tx.reason}", details={"transaction_id": tx.id})
    return tx


async def refund(ctx: ToolContext, *, order_id: str, customer_id: str, method_id: str, amount: Decimal,
                 reason: str = "", idempotency_key: str | None = None) -> PaymentTransaction:
    """Give money back on a method of the customer: the order's total refunds may never exceed its total
    captured; a gift card is credited. Records a successful 'refund' transaction on the (order, method)
    Payment (created if the method was not used on the order, e.g. store credit to a gift card) and moves
    that payment's status (partially_refunded / refunded) where it has captured money."""
    method = await get_method(ctx.session, method_id, customer_id)
    order = await lock_order(ctx.session, order_id, customer_id)
    value = _positive(amount)

    async def run() -> PaymentTransaction:
        payment = await ledger.open_payment(ctx, order.id, method.id, ledger.TAKES_MONEY, gateway_name_for(method))
        return await _give_back(ctx, payment, value, reason, idempotency_key)

    expected = {"kind": K.REFUND, "order_id": order.id, "method_id": method.id, "amount": value}
    return await ledger.idempotent(ctx, idempotency_key, expected, run)


async def history(session: AsyncSession, order_id: str) -> list[PaymentEntry]:
    """The order's payment history as the retail benchmark shows it: successful sale/capture transactions as
    transaction_type 'payment' and refunds as 'refund', in ledger order, each with amount and payment_method_id."""
    rows = await session.execute(
        select(PaymentTransaction)
        .where(PaymentTransaction.order_id == normalize_order_id(order_id),
               PaymentTransaction.result == TransactionResult.SUCCESS,
               PaymentTransaction.kind.in_([*MONEY_IN, K.REFUND]))
        .order_by(PaymentTransaction.id)
    )
    return [
        PaymentEntry(transaction_type="refund" if tx.kind == K.REFUND else "payment", amount=tx.amount,
                     payment_method_id=tx.method_id)
        for tx in rows.scalars()
    ]


async def captured_total(session: AsyncSession, order_id: str) -> Decimal:
    """All money taken on the order (successful sales and captures), before refunds."""
    return (await ledger.order_totals(session, normalize_order_id(order_id)))[0]


async def refunded_total(session: AsyncSession, order_id: str) -> Decimal:
    """All money given back on the order."""
    return (await ledger.order_totals(session, normalize_order_id(order_id)))[1]
