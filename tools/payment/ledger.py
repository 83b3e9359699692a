"""Ledger primitives of the payment service: transaction rows, idempotency and gift card balances.

Every write of one money movement happens inside a SAVEPOINT opened by `idempotent`: if a
concurrent duplicate still wins the unique Idempotency-Key, the savepoint is rolled back (the
caller's transaction survives) and the winner's transaction is returned instead.
"""

import uuid
from collections.abc import Awaitable, Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PaymentMethodKind, PaymentStatus, TransactionKind, TransactionResult
from db.models import Payment, PaymentMethod, PaymentTransaction
from tools.audit import emit
from tools.context import ToolContext
from tools.errors import Conflict, PaymentDeclined
from tools.payment.gateway import DEFAULT_GATEWAY, GatewayResult

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_IN = (TransactionKind.SALE, TransactionKind.CAPTURE)


def cents(amount: Decimal | float | str) -> Decimal:
    """Money rounded half-up to the cent."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


# Which of an order's payments on a method a new movement adds to: sales and refunds extend the
# payment that holds captured money (or a store-credit one still pending); an authorization extends
# only a payment still at the authorization stage, so it can be voided on its own.
TAKES_MONEY = (PaymentStatus.PENDING, PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED,
               PaymentStatus.REFUNDED)
HOLDS_MONEY = (PaymentStatus.AUTHORIZED,)


async def open_payment(ctx: ToolContext, order_id: str, method_id: str,
                       statuses: tuple[PaymentStatus, ...], gateway: str = DEFAULT_GATEWAY) -> Payment:
    """The order's latest payment on this method in one of the statuses (preferring one with money left
    to refund), or a new pending payment."""
    payment = await ctx.session.scalar(
        select(Payment)
        .where(Payment.order_id == order_id, Payment.method_id == method_id, Payment.status.in_(statuses))
        .order_by((Payment.amount_captured > Payment.amount_refunded).desc(), Payment.created_at.desc(),
                  Payment.id)
        .limit(1).execution_options(populate_existing=True)
    )
    if payment is None:
        payment = Payment(
            id=str(uuid.uuid4()), order_id=order_id, method_id=method_id, gateway=gateway,
            status=PaymentStatus.PENDING, currency="EUR", amount_authorized=ZERO, amount_captured=ZERO,
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


async def last_reference(session: AsyncSession, payment: Payment, kinds: tuple[TransactionKind, ...]) -> str | None:
    """The gateway reference of the payment's latest successful operation of these kinds."""
    return await session.scalar(
        select(PaymentTransaction.gateway_reference)
        .where(PaymentTransaction.payment_id == payment.id, PaymentTransaction.kind.in_(kinds),
               PaymentTransaction.result == TransactionResult.SUCCESS)
        .order_by(PaymentTransaction.id.desc()).limit(1)
    )


async def record(ctx: ToolContext, payment: Payment, kind: TransactionKind, answer: GatewayResult,
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
    emit(ctx, "payment_transaction.recorded", payment.id, {
        "transaction_id": tx.id, "order_id": tx.order_id, "kind": str(kind), "result": str(tx.result),
        "amount": str(amount),
    })
    return tx


async def by_key(session: AsyncSession, key: str) -> PaymentTransaction | None:
    """The transaction stored under an idempotency key, if any."""
    return await session.scalar(select(PaymentTransaction).where(PaymentTransaction.idempotency_key == key))


def replayed(tx: PaymentTransaction, expected: dict[str, Any]) -> PaymentTransaction:
    """The stored result for a repeated key, refusing a key reused for a different request."""
    differ = sorted(k for k, v in expected.items() if v is not None and getattr(tx, k) != v)
    if differ:
        raise Conflict(
            "this Idempotency-Key was already used for a different payment request",
            code="idempotency_key_reused", details={"transaction_id": tx.id, "differs": differ},
        )
    return tx


async def idempotent(ctx: ToolContext, key: str | None, expected: dict[str, Any],
                     run: Callable[[], Awaitable[PaymentTransaction]]) -> PaymentTransaction:
    """Run one money movement once per key (`expected` names what the request was); lock the order first."""
    if key and (done := await by_key(ctx.session, key)):
        return replayed(done, expected)
    try:
        async with ctx.session.begin_nested():
            return await run()
    except IntegrityError:
        # A concurrent duplicate committed the key first: its result is ours.
        if key and (winner := await by_key(ctx.session, key)):
            return replayed(winner, expected)
        raise


def _declined(method: PaymentMethod, amount: Decimal) -> PaymentDeclined:
    return PaymentDeclined(f"gift card {method.id} has {method.balance} left; it does not cover {amount}",
                           details={"balance": str(method.balance), "amount": str(amount)})


async def require_balance(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Decline a gift card whose balance does not cover the amount (other methods pass)."""
    if method.kind == PaymentMethodKind.GIFT_CARD:
        await session.refresh(method, ["balance"])
        if (method.balance or ZERO) < amount:
            raise _declined(method, amount)


async def debit(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Take the amount off a gift card in one conditional UPDATE, or decline (other methods: nothing)."""
    if method.kind != PaymentMethodKind.GIFT_CARD:
        return
    result = await session.execute(
        update(PaymentMethod).where(PaymentMethod.id == method.id, PaymentMethod.balance >= amount)
        .values(balance=PaymentMethod.balance - amount).execution_options(synchronize_session=False)
    )
    await session.refresh(method, ["balance"])
    if result.rowcount != 1:
        raise _declined(method, amount)


async def credit(session: AsyncSession, method: PaymentMethod, amount: Decimal) -> None:
    """Put the amount back on a gift card (other methods: nothing, the gateway refunds them)."""
    if method.kind != PaymentMethodKind.GIFT_CARD:
        return
    await session.execute(
        update(PaymentMethod).where(PaymentMethod.id == method.id)
        .values(balance=func.coalesce(PaymentMethod.balance, 0) + amount)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(method, ["balance"])
