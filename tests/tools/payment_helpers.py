"""Test-only helpers for the payment tests: unpaid orders and a snapshot of everything money touches."""

import itertools
from decimal import Decimal

from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import OrderStatus
from db.models import AuditEvent, Customer, Order, OutboxEvent, Payment, PaymentMethod, PaymentTransaction

_seq = itertools.count(5_000_000)


async def unpaid_order(sessions, owner: Customer, total: str = "100.00") -> Order:
    """A pending order with a total and no payment yet."""
    row = Order(id=f"#W{next(_seq)}", customer_id=owner.id, status=OrderStatus.PENDING,
                shipping_address={"address1": "1 Rue de Rivoli", "city": "Paris", "country": "FR", "zip": "75001"},
                subtotal=Decimal(total), total=Decimal(total))
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def snapshot(sessions) -> dict:
    """Every row money touches, so a refusal can be shown to have changed nothing."""
    async with sessions() as s:
        payments = (await s.execute(select(Payment.id, Payment.status, Payment.amount_authorized,
                                           Payment.amount_captured, Payment.amount_refunded))).all()
        balances = (await s.execute(select(PaymentMethod.id, PaymentMethod.balance, PaymentMethod.active))).all()
        counts = {m.__name__: await s.scalar(select(func.count()).select_from(m))
                  for m in (PaymentTransaction, AuditEvent, OutboxEvent)}
    return {"payments": sorted(payments), "methods": sorted(balances), **counts}


async def balance(sessions, method_id: str) -> Decimal:
    """A payment method's balance as stored."""
    async with sessions() as s:
        return (await s.get(PaymentMethod, method_id)).balance


async def payment_row(sessions, payment_id: str) -> Payment:
    """A payment as stored."""
    async with sessions() as s:
        return await s.get(Payment, payment_id)


async def transaction_count(sessions) -> int:
    """How many ledger rows exist."""
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(PaymentTransaction))
