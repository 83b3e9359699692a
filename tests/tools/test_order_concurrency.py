"""Twenty simultaneous orders for a variant with five units: exactly five orders, stock never negative."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import PaymentMethodKind
from db.models import Order, PaymentTransaction, StockLevel, StockReservation
from tests import factories as f
from tools.errors import InsufficientStock
from tools.runner import execute


@pytest.mark.parametrize("same_customer", [True, False], ids=["same-customer", "twenty-customers"])
async def test_twenty_simultaneous_orders_for_five_units(sessions, same_customer):
    kb = await f.product(sessions)
    variant = kb.variants[0]
    await f.stock(sessions, await f.warehouse(sessions), variant, on_hand=5)
    buyers = []
    for n in range(1 if same_customer else 20):
        customer = await f.customer(sessions, first="Buyer", last=f"N{n}")
        card = await f.payment_method(sessions, customer, PaymentMethodKind.GIFT_CARD, balance=500)
        buyers.append((customer, card))
    if same_customer:
        buyers *= 20

    async def order(customer, card):
        args = {"lines": [{"item": variant.sku}], "payment_method_id": card.id}
        return await execute(sessions, f.principal_of(customer), "place_order", args)

    results = await asyncio.gather(*(order(c, m) for c, m in buyers), return_exceptions=True)
    placed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(placed) == 5 and len({o.order_id for o in placed}) == 5
    assert len(refused) == 15 and all(isinstance(e, InsufficientStock) for e in refused), refused[:1]
    async with sessions() as s:
        level = await s.scalar(select(StockLevel).where(StockLevel.variant_id == variant.id))
        assert (level.on_hand, level.allocated) == (5, 5)
        assert await s.scalar(select(func.count()).select_from(Order)) == 5
        assert await s.scalar(select(func.sum(StockReservation.quantity))) == 5
        assert await s.scalar(select(func.count()).select_from(PaymentTransaction)) == 5
        spent = await s.scalar(select(func.sum(PaymentTransaction.amount)))
    assert spent == Decimal("445.00")  # five keyboards at 89.00
