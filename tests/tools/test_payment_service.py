"""The payment service API the order domain calls: charge, refund, history, totals and get_method."""

from decimal import Decimal

import pytest
from sqlalchemy import update

from db.engine import unit_of_work
from db.enums import PaymentMethodKind, PaymentStatus, TransactionKind
from db.models import PaymentMethod
from tests import factories as f
from tests.tools.payment_helpers import balance, payment_row, snapshot, unpaid_order
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput, NotFound, PaymentDeclined
from tools.payment import service


async def run(sessions, principal, fn, **kwargs):
    """Call a service function in its own unit of work, as a tool would."""
    async with unit_of_work(sessions) as session:
        return await fn(ToolContext(session=session, principal=principal), **kwargs)


async def read(sessions, fn, *args):
    async with sessions() as session:
        return await fn(session, *args)


async def test_charge_adds_to_the_order_method_payment(sessions, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "150.00")
    common = {"order_id": order.id, "customer_id": ava.id, "method_id": card.id}
    first = await run(sessions, support, service.charge, amount=Decimal("100"), **common)
    second = await run(sessions, support, service.charge, amount=Decimal("50.004"), **common)
    assert (first.kind, second.amount) == (TransactionKind.SALE, Decimal("50.00"))
    assert first.payment_id == second.payment_id
    payment = await payment_row(sessions, first.payment_id)
    assert (payment.status, payment.amount_captured) == (PaymentStatus.CAPTURED, Decimal("150.00"))
    assert await read(sessions, service.captured_total, order.id) == Decimal("150.00")
    assert [e.model_dump() for e in await read(sessions, service.history, order.id)] == [
        {"transaction_type": "payment", "amount": Decimal("100.00"), "payment_method_id": card.id},
        {"transaction_type": "payment", "amount": Decimal("50.00"), "payment_method_id": card.id},
    ]


async def test_charge_refusals_write_nothing(sessions, support):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=10)
    card = await f.payment_method(sessions, ava)
    bobs = await f.payment_method(sessions, bob)
    order = await unpaid_order(sessions, ava, "40.00")
    before = await snapshot(sessions)
    cases = [
        (PaymentDeclined, {"method_id": gift.id, "amount": Decimal("40")}),
        (PaymentDeclined, {"method_id": card.id, "amount": Decimal("40.13")}),
        (NotFound, {"method_id": bobs.id, "amount": Decimal("40")}),
        (InvalidInput, {"method_id": card.id, "amount": Decimal("0")}),
    ]
    for error, args in cases:
        with pytest.raises(error):
            await run(sessions, support, service.charge, order_id=order.id, customer_id=ava.id, **args)
    with pytest.raises(NotFound):
        await run(sessions, support, service.charge, order_id=order.id, customer_id=bob.id, method_id=bobs.id,
                  amount=Decimal("1"))
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentMethod).where(PaymentMethod.id == card.id).values(active=False))
    with pytest.raises(NotFound):
        await run(sessions, support, service.charge, order_id=order.id, customer_id=ava.id, method_id=card.id,
                  amount=Decimal("1"))
    after = await snapshot(sessions)
    assert after["PaymentTransaction"] == before["PaymentTransaction"] == 0 and after["payments"] == []
    assert await balance(sessions, gift.id) == Decimal("10.00")


async def test_refund_as_store_credit_and_the_order_level_cap(sessions, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=5)
    order = await unpaid_order(sessions, ava, "100.00")
    common = {"order_id": order.id, "customer_id": ava.id}
    sale = await run(sessions, support, service.charge, method_id=card.id, amount=Decimal("100"), **common)
    credit = await run(sessions, support, service.refund, method_id=gift.id, amount=Decimal("30"),
                       reason="store credit", **common)
    assert credit.payment_id != sale.payment_id and await balance(sessions, gift.id) == Decimal("35.00")
    assert (await payment_row(sessions, credit.payment_id)).status == PaymentStatus.PENDING
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await run(sessions, support, service.refund, method_id=card.id, amount=Decimal("70.01"), **common)
    assert err.value.code == "refund_exceeds_captured"
    assert await snapshot(sessions) == before
    await run(sessions, support, service.refund, method_id=card.id, amount=Decimal("70"), **common)
    card_payment = await payment_row(sessions, sale.payment_id)
    assert (card_payment.status, card_payment.amount_refunded) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("70"))
    assert [(e.transaction_type, e.amount, e.payment_method_id) for e in await read(sessions, service.history,
                                                                                      order.id)] == [
        ("payment", Decimal("100"), card.id), ("refund", Decimal("30"), gift.id), ("refund", Decimal("70"), card.id)]


async def test_service_idempotency_keys(sessions, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "20.00")
    common = {"order_id": order.id, "customer_id": ava.id, "method_id": card.id}
    first = await run(sessions, support, service.charge, amount=Decimal("20"), idempotency_key="o-1", **common)
    again = await run(sessions, support, service.charge, amount=Decimal("20"), idempotency_key="o-1", **common)
    assert again.id == first.id and await read(sessions, service.captured_total, order.id) == Decimal("20")
    with pytest.raises(Conflict) as err:
        await run(sessions, support, service.refund, amount=Decimal("20"), idempotency_key="o-1", **common)
    assert err.value.code == "idempotency_key_reused"


async def test_get_method_returns_only_the_customers_active_method(sessions):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    card = await f.payment_method(sessions, ava)
    assert (await read(sessions, service.get_method, card.id, ava.id)).id == card.id
    with pytest.raises(NotFound):
        await read(sessions, service.get_method, card.id, bob.id)
    with pytest.raises(NotFound):
        await read(sessions, service.get_method, "credit_card_0000000", ava.id)
