"""Payment business logic through the sandbox test gateway; callers own the transaction.

Every money movement locks the order row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs
each transaction as BEGIN IMMEDIATE), so guards such as "refund <= captured - refunded" read
amounts no concurrent request can change underneath them. An Idempotency-Key is checked after
that lock, and every write of one movement happens inside a SAVEPOINT: if a concurrent duplicate
still wins the unique key, the savepoint is rolled back and the winner's transaction returned.
"""

import secrets
import uuid
from collections.abc import Awaitable, Callable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PaymentMethodKind, PaymentStatus, TransactionKind, TransactionResult
from db.models import Order, Payment, PaymentMethod, PaymentTransaction
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PaymentDeclined
from tools.payment.gateway import DEFAULT_GATEWAY, GatewayResult, gateway_for
from tools.payment.schemas import PaymentEntry
from tools.schemas import normalize_order_id
from tools.transitions import StateMachine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_IN = (TransactionKind.SALE, TransactionKind.CAPTURE)
S = PaymentStatus

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


def cents(amount: Decimal | float | str) -> Decimal:
    """Money rounded half-up to the cent."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


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


async def locked_payment(session: AsyncSession, payment_id: str) -> Payment:
    """A payment read fresh after locking its order, so its amounts cannot change under us."""
    order_id = await session.scalar(select(Payment.order_id).where(Payment.id == payment_id))
    if order_id is None:
        raise NotFound(f"payment {payment_id} not found")
    await lock_order(session, order_id)
    stmt = select(Payment).where(Payment.id == payment_id).execution_options(populate_existing=True)
    return await session.scalar(stmt)


async def payments_of(session: AsyncSession, order_id: str) -> list[Payment]:
    """The order's payments, oldest first."""
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


async def _open_payment(ctx: ToolContext, order_id: str, method_id: str) -> Payment:
    """The order's live payment on this method, or a new pending one (failed and voided ones are closed)."""
    payment = await ctx.session.scalar(
        select(Payment)
        .where(Payment.order_id == order_id, Payment.method_id == method_id,
               Payment.status.not_in([S.FAILED, S.VOIDED]))
        .order_by(Payment.created_at.desc(), Payment.id).limit(1)
        .execution_options(populate_existing=True)
    )
    if payment is None:
        payment = Payment(
            id=str(uuid.uuid4()), order_id=order_id, method_id=method_id, gateway=DEFAULT_GATEWAY,
            status=S.PENDING, currency="EUR", amount_authorized=ZERO, amount_captured=ZERO,
            amount_refunded=ZERO, created_at=ctx.now(),
        )
        ctx.session.add(payment)
    return payment


async def order_totals(session: AsyncSession, order_id: str) -> tuple[Decimal, Decimal]:
    """(captured, refunded) over the order's successful transactions."""
    rows = await session.execute(
        select(PaymentTransaction.kind, func.coalesce(func.sum(PaymentTransaction.amount), 0))
        .where(PaymentTransaction.order_id == order_id, PaymentTransaction.result == TransactionResult.SUCCESS)
        .group_by(PaymentTransaction.kind)
    )
    sums = {kind: cents(total) for kind, total in rows}
    captured = sum((sums.get(k, ZERO) for k in MONEY_IN), ZERO)
    return captured, sums.get(TransactionKind.REFUND, ZERO)


# --- ledger, state and idempotency ----------------------------------------------------------


def settled_status(payment: Payment) -> PaymentStatus:
    """The status the payment's amounts call for (a payment with nothing captured keeps its own)."""
    if payment.amount_captured <= 0:
        return S.AUTHORIZED if payment.amount_authorized > 0 and payment.status == S.PENDING else payment.status
    if payment.amount_refunded >= payment.amount_captured:
        return S.REFUNDED
    return S.PARTIALLY_REFUNDED if payment.amount_refunded > 0 else S.CAPTURED


def settle(ctx: ToolContext, payment: Payment) -> None:
    """Move the payment to the status its amounts call for, through the state machine."""
    target = settled_status(payment)
    if target != payment.status:
        PAYMENT.move(ctx, payment, target, data={"captured": str(payment.amount_captured),
                                                   "refunded": str(payment.amount_refunded)})


async def _record(ctx: ToolContext, payment: Payment, kind: TransactionKind, answer: GatewayResult,
                  amount: Decimal, reason: str, key: str | None) -> PaymentTransaction:
    """Write the ledger row (flushing, so a duplicate idempotency key fails here) and its event."""
    tx = PaymentTransaction(
        payment_id=payment.id, order_id=payment.order_id, method_id=payment.method_id, kind=kind,
        result=TransactionResult.SUCCESS if answer.approved else TransactionResult.DECLINED,
        amount=amount, currency=payment.currency, gateway_reference=answer.reference,
        idempotency_key=key, reason=reason if answer.approved else answer.message, created_at=ctx.now(),
    )
    ctx.session.add(tx)
    await ctx.session.flush()
    emit(ctx, f"payment.{kind}", payment.id, {
        "transaction_id": tx.id, "order_id": tx.order_id, "result": str(tx.result), "amount": str(amount),
    })
    return tx


async def _by_key(session: AsyncSession, key: str) -> PaymentTransaction | None:
    return await session.scalar(select(PaymentTransaction).where(PaymentTransaction.idempotency_key == key))


def _replayed(tx: PaymentTransaction, expected: dict) -> PaymentTransaction:
    """The stored result for a repeated key, refusing a key reused for a different request."""
    differ = {k: str(v) for k, v in expected.items() if v is not None and getattr(tx, k) != v}
    if differ:
        raise Conflict(
            "this Idempotency-Key was already used for a different payment request",
            code="idempotency_key_reused", details={"transaction_id": tx.id, "differs": sorted(differ)},
        )
    return tx


async def _idempotent(ctx: ToolContext, key: str | None, expected: dict,
                      run: Callable[[], Awaitable[PaymentTransaction]]) -> PaymentTransaction:
    """Run one money movement once per key; call with the order already locked."""
    if key and (done := await _by_key(ctx.session, key)):
        return _replayed(done, expected)
    try:
        async with ctx.session.begin_nested():
            return await run()
    except IntegrityError:
        # A concurrent duplicate committed the key first: its result is ours.
        if key and (winner := await _by_key(ctx.session, key)):
            return _replayed(winner, expected)
        raise


async def _debit_gift_card(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Take the amount off the gift card in one conditional UPDATE, or decline."""
    result = await session.execute(
        update(PaymentMethod).where(PaymentMethod.id == method.id, PaymentMethod.balance >= amount)
        .values(balance=PaymentMethod.balance - amount).execution_options(synchronize_session=False)
    )
    await session.refresh(method, ["balance"])
    if result.rowcount != 1:
        raise PaymentDeclined(f"gift card {method.id} has {method.balance} left; it does not cover {amount}",
                              details={"balance": str(method.balance), "amount": str(amount)})


async def _credit_gift_card(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Put the amount back on the gift card."""
    await session.execute(
        update(PaymentMethod).where(PaymentMethod.id == method.id)
        .values(balance=func.coalesce(PaymentMethod.balance, 0) + amount)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(method, ["balance"])


async def _require_balance(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Decline a gift card whose balance does not cover the amount."""
    if method.kind != PaymentMethodKind.GIFT_CARD:
        return
    await session.refresh(method, ["balance"])
    if (method.balance or ZERO) < amount:
        raise PaymentDeclined(f"gift card {method.id} has {method.balance} left; it does not cover {amount}",
                              details={"balance": str(method.balance), "amount": str(amount)})


async def _last_reference(session: AsyncSession, payment: Payment, kinds: tuple[TransactionKind, ...]) -> str | None:
    """The gateway reference of the payment's latest successful operation of these kinds."""
    return await session.scalar(
        select(PaymentTransaction.gateway_reference)
        .where(PaymentTransaction.payment_id == payment.id, PaymentTransaction.kind.in_(kinds),
               PaymentTransaction.result == TransactionResult.SUCCESS)
        .order_by(PaymentTransaction.id.desc()).limit(1)
    )
