"""Builders for the fraud tests: old quiet customers, orders with the facts a score reads, blocklist rows."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from db.base import utcnow
from db.engine import unit_of_work
from db.models import BlockedEntity, Order, PaymentMethod
from tests import factories as f

OLD = utcnow() - timedelta(days=30)
HOME = {"address1": "1 Rue de Rivoli", "address2": "", "city": "Paris", "state": "", "country": "FR", "zip": "75001"}


async def quiet_customer(sessions):
    """A month-old customer with one card saved a month ago: every signal at rest."""
    customer = await f.customer(sessions, created_at=OLD)
    card = await f.payment_method(sessions, customer)
    await backdate_method(sessions, card)
    return customer, card


async def backdate_method(sessions, method: PaymentMethod, when: datetime = OLD) -> None:
    """Pretend the method was saved at `when`."""
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentMethod).where(PaymentMethod.id == method.id).values(created_at=when))


async def placed(sessions, customer, card, product, *, at: datetime | None = None, total: str | None = None,
                 ip: str | None = None, billing: dict | None = None) -> Order:
    """An existing order of the customer with the placement facts a re-score reads."""
    order = await f.order(sessions, customer, [(product.variants[0], 1)], card)
    values = {"placed_at": at or utcnow(), "client_ip": ip, "billing_address": billing, "shipping_address": HOME}
    if total is not None:
        values.update(total=Decimal(total), subtotal=Decimal(total))
    async with unit_of_work(sessions) as s:
        await s.execute(update(Order).where(Order.id == order.id).values(**values))
    return order


async def block(sessions, kind, value, *, expires_at=None, unblocked=False) -> None:
    """A blocklist row."""
    async with unit_of_work(sessions) as s:
        s.add(BlockedEntity(kind=kind, value=value, blocked_by="staff:test", reason="test",
                            expires_at=expires_at, unblocked_at=utcnow() if unblocked else None))
