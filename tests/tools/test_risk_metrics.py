"""The five daily series, computed from orders, the payment ledger and return requests."""

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from db.engine import unit_of_work
from db.enums import ReturnReason, ReturnResolution, TransactionKind, TransactionResult
from db.models import Order, PaymentTransaction, ReturnRequest
from tests import factories as f
from tests.tools.risk_helpers import TODAY, noon
from tools.risk import metrics


async def test_money_failures_and_returns_per_day(sessions, call, merchant):
    yesterday = TODAY - timedelta(days=1)
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions)
    delivered = [await f.order(sessions, ava, [(kb.variants[0], 1)], card) for _ in range(4)]  # 89.00 each
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentTransaction).values(created_at=noon(yesterday)))
        await s.execute(update(Order).values(placed_at=noon(yesterday - timedelta(days=5)),
                                             delivered_at=noon(yesterday - timedelta(days=2))))
        payment_id = (await s.get(PaymentTransaction, 1)).payment_id
        for kind, result, amount in ((TransactionKind.REFUND, TransactionResult.SUCCESS, "30.00"),
                                     (TransactionKind.SALE, TransactionResult.DECLINED, "89.00"),
                                     (TransactionKind.SALE, TransactionResult.DECLINED, "12.00")):
            s.add(PaymentTransaction(payment_id=payment_id, order_id=delivered[0].id, method_id=card.id, kind=kind,
                                     result=result, amount=Decimal(amount), gateway_reference="sbx",
                                     created_at=noon(yesterday)))
        s.add(ReturnRequest(id=str(uuid.uuid4()), rma_number="RMA-1", order_id=delivered[1].id, customer_id=ava.id,
                            reason=ReturnReason.CHANGED_MIND, resolution=ReturnResolution.REFUND,
                            created_at=noon(yesterday)))
    async with sessions() as s:
        series = await metrics.compute(s, yesterday - timedelta(days=1), noon(TODAY))
    day = {name: values[yesterday] for name, values in series.items()}
    assert day == {"orders": 0, "revenue": Decimal("356.00"), "refunds": Decimal("30.00"), "payment_failures": 2,
                   "return_rate": Decimal("25.00")}  # 1 return for 4 orders delivered in the 30 days before
    assert {name: values[TODAY] for name, values in series.items()} == dict.fromkeys(series, 0)
    out = await call(merchant, "get_metric_history", metric="refunds", days=2)
    assert [(p.day, p.value) for p in out.points] == [(yesterday, Decimal("30.00")), (TODAY, 0)]
    assert out.unit == "EUR"
