"""What our database holds after a replay, rebuilt in the benchmark's shape from the rows themselves.

Orders and users go through db.seed.tau's reverse mappers (the one definition of that shape); the return
and exchange fields, which the benchmark keeps on the order, come from our after-sales tables.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Address, Customer, Exchange, Order, OrderLine, PaymentMethod, PaymentTransaction, ReturnRequest
from db.seed.tau import order_as_tau, user_as_tau
from tools.order.service import fulfillments, latest_exchange, latest_return


def after_sales(rma: ReturnRequest | None, exchange: Exchange | None) -> dict[str, Any]:
    """The benchmark's return_* and exchange_* order fields from the latest return and exchange."""
    return {
        "return_items": [ln.variant_id for ln in rma.lines for _ in range(ln.quantity)] if rma else None,
        "return_payment_method_id": rma.refund_method_id if rma else None,
        "exchange_items": [ln.old_variant_id for ln in exchange.lines for _ in range(ln.quantity)]
        if exchange else None,
        "exchange_new_items": [ln.new_variant_id for ln in exchange.lines for _ in range(ln.quantity)]
        if exchange else None,
        "exchange_payment_method_id": exchange.payment_method_id if exchange else None,
        "exchange_price_difference": exchange.price_difference if exchange else None,
    }


async def _rows(session: AsyncSession, model: type, *where: Any, order_by: tuple = ()) -> list[Any]:
    return list((await session.scalars(select(model).where(*where).order_by(*order_by))).all())


async def order_state(session: AsyncSession, order_id: str) -> dict[str, Any] | None:
    """One order as the benchmark shows it, or None when there is no such order."""
    order = await session.get(Order, order_id)
    if order is None:
        return None
    lines = await _rows(session, OrderLine, OrderLine.order_id == order_id, order_by=(OrderLine.position,))
    ledger = await _rows(session, PaymentTransaction, PaymentTransaction.order_id == order_id,
                         order_by=(PaymentTransaction.id,))
    shaped = order_as_tau(order, lines, await fulfillments(session, order_id), ledger)
    shaped.update(after_sales(await latest_return(session, order_id), await latest_exchange(session, order_id)))
    return shaped


async def user_state(session: AsyncSession, user_id: str) -> dict[str, Any] | None:
    """One user (default address, payment methods with balances, order numbers), or None when unknown."""
    customer = await session.get(Customer, user_id)
    if customer is None:
        return None
    addresses = await _rows(session, Address, Address.customer_id == user_id, Address.is_default.is_(True))
    methods = await _rows(session, PaymentMethod, PaymentMethod.customer_id == user_id,
                          order_by=(PaymentMethod.created_at, PaymentMethod.id))
    orders = await session.scalars(select(Order.id).where(Order.customer_id == user_id).order_by(Order.placed_at))
    return user_as_tau(customer, next(iter(addresses), None), methods, list(orders))


async def read_state(sessions: async_sessionmaker[AsyncSession], order_ids: list[str],
                     user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The named orders and users as the benchmark shows them (None for those that don't exist)."""
    async with sessions() as session:
        return {
            "orders": {order_id: await order_state(session, order_id) for order_id in order_ids},
            "users": {user_id: await user_state(session, user_id) for user_id in user_ids},
        }
