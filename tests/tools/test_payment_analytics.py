"""Transaction, refund and revenue analytics over the last N days."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import PaymentMethodKind, Role
from db.models import PaymentTransaction
from tests import factories as f
from tests.tools.payment_helpers import unpaid_order
from tools.errors import Forbidden, InvalidInput


@pytest.fixture
async def ledger(sessions, call, support):
    """Two paid orders (card 100, gift card 50), one declined sale, three refunds, and an old sale."""
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=50)
    kb = await f.product(sessions, variants=[{"sku": "OLD-1", "options": {}, "price": Decimal("999.00")}])
    old = await f.order(sessions, ava, [(kb.variants[0], 1)], card)
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentTransaction).where(PaymentTransaction.order_id == old.id)
                        .values(created_at=utcnow() - timedelta(days=40)))
    first, second = await unpaid_order(sessions, ava, "100.00"), await unpaid_order(sessions, ava, "50.00")
    await call(support, "process_payment", order_id=first.id, method_id=card.id)
    await call(support, "process_payment", order_id=second.id, method_id=gift.id)
    await call(support, "process_payment", order_id=second.id, method_id=card.id, amount="10.13")  # declined
    for amount, reason in (("20", "damaged"), ("5", "damaged"), ("10", "")):
        await call(support, "refund_payment", order_id=first.id, amount=amount, reason=reason)


async def test_transaction_analytics(sessions, call, merchant, ledger):
    out = await call(merchant, "get_transaction_analytics", days=30)
    by_kind = {k.kind: (k.count, k.succeeded, k.declined, k.amount) for k in out.by_kind}
    assert by_kind == {"sale": (3, 2, 1, Decimal("150")), "refund": (3, 3, 0, Decimal("35"))}
    assert (out.total, out.declined, out.success_rate) == (6, 1, 0.8333)
    assert (await call(merchant, "get_transaction_analytics", days=60)).by_kind[1].amount == Decimal("1149")


async def test_refund_analytics(sessions, call, admin, ledger):
    out = await call(admin, "get_refund_analytics", days=30)
    assert (out.refunds, out.refunded, out.captured) == (3, Decimal("35"), Decimal("150"))
    assert (out.refund_rate, out.average_refund) == (0.2333, Decimal("11.67"))
    assert [(r.reason, r.count, r.amount) for r in out.top_reasons] == [
        ("damaged", 2, Decimal("25")), ("unspecified", 1, Decimal("10"))]


async def test_revenue_analytics(sessions, call, merchant, ledger):
    out = await call(merchant, "get_revenue_analytics", days=30)
    assert (out.gross, out.refunded, out.net, out.orders_paid) == (Decimal("150"), Decimal("35"), Decimal("115"), 2)
    assert out.average_order_payment == Decimal("75")
    assert [(d.day, d.gross, d.net) for d in out.by_day] == [(utcnow().date().isoformat(), Decimal("150"),
                                                               Decimal("115"))]
    assert {(m.kind, m.gross) for m in out.by_method} == {("credit_card", Decimal("100")), ("gift_card", Decimal("50"))}
    assert (await call(merchant, "get_revenue_analytics", days=60)).gross == Decimal("1149")


async def test_analytics_refusals(sessions, call, support, merchant):
    for name in ("get_transaction_analytics", "get_refund_analytics", "get_revenue_analytics"):
        with pytest.raises(Forbidden):
            await call(support, name, days=30)
        with pytest.raises(InvalidInput):
            await call(merchant, name, days=0)
    empty = await call(merchant, "get_refund_analytics")
    assert (empty.days, empty.refunds, empty.refund_rate, empty.top_reasons) == (30, 0, 0.0, [])


async def test_revenue_analytics_over_rest(sessions, call, api, merchant, ledger):
    staff = await f.staff_user(sessions, Role.MERCHANT)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=staff)}"}
    response = await api.get("/api/v1/payments/analytics/revenue", params={"days": 30}, headers=headers)
    assert response.status_code == 200
    direct = (await call(merchant, "get_revenue_analytics", days=30)).model_dump(mode="json")
    got = response.json()
    got.pop("since"), direct.pop("since")  # each call's window starts at its own "now"
    assert got == direct
