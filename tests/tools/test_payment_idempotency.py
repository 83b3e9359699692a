"""Idempotency-Key on money movements: one transaction per key, over REST, concurrently and on a lost race."""

import asyncio
from decimal import Decimal

import pytest

from db.enums import PaymentMethodKind, Role
from tests import factories as f
from tests.tools.payment_helpers import balance, snapshot, transaction_count, unpaid_order
from tools.errors import Conflict
from tools.payment import ledger


async def staff_headers(sessions, key: str | None = None) -> dict:
    staff = await f.staff_user(sessions, Role.SUPPORT)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=staff)}"}
    return headers | ({"Idempotency-Key": key} if key else {})


async def test_the_same_payment_sent_twice_over_rest_creates_one_transaction(sessions, api):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "70.00")
    headers = await staff_headers(sessions, "pay-70-once")
    body = {"order_id": order.id, "method_id": card.id, "amount": 70}
    first = await api.post("/api/v1/payments/process", json=body, headers=headers)
    second = await api.post("/api/v1/payments/process", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert await transaction_count(sessions) == 1
    assert Decimal(str(second.json()["payment"]["amount_captured"])) == Decimal("70")


async def test_the_same_refund_sent_twice_over_rest_creates_one_transaction(sessions, api):
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=0)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 1)], gift)  # 89.00 taken
    headers = await staff_headers(sessions, "refund-10-once")
    body = {"order_id": order.id, "amount": 10, "reason": "late delivery"}
    first = await api.post("/api/v1/payments/refunds", json=body, headers=headers)
    second = await api.post("/api/v1/payments/refunds", json=body, headers=headers)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert await transaction_count(sessions) == 2  # the factory's sale and one refund
    assert await balance(sessions, gift.id) == Decimal("10.00")


async def test_concurrent_duplicates_over_rest_create_one_transaction(sessions, api):
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=100)
    order = await unpaid_order(sessions, ava, "60.00")
    headers = await staff_headers(sessions, "concurrent-60")
    body = {"order_id": order.id, "method_id": gift.id}
    responses = await asyncio.gather(*[api.post("/api/v1/payments/process", json=body, headers=headers)
                                       for _ in range(2)])
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json()["transaction"] == responses[1].json()["transaction"]
    assert await transaction_count(sessions) == 1
    assert await balance(sessions, gift.id) == Decimal("40.00")


async def test_a_key_reused_for_another_request_is_refused(sessions, call, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "50.00")
    await call(support, "process_payment", idempotency_key="k-1", order_id=order.id, method_id=card.id, amount="20")
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(support, "process_payment", idempotency_key="k-1", order_id=order.id, method_id=card.id,
                   amount="25")
    assert err.value.code == "idempotency_key_reused" and err.value.details["differs"] == ["amount"]
    with pytest.raises(Conflict) as err:
        await call(support, "authorize_payment", idempotency_key="k-1", order_id=order.id, method_id=card.id)
    assert err.value.code == "idempotency_key_reused"
    assert await snapshot(sessions) == before


async def test_replays_do_not_rerun_guards(sessions, call, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "30.00")
    auth = await call(support, "authorize_payment", order_id=order.id, method_id=card.id)
    first = await call(support, "capture_payment", idempotency_key="cap", payment_id=auth.payment.id)
    # Nothing is left to capture now, yet the retry answers with the original capture.
    again = await call(support, "capture_payment", idempotency_key="cap", payment_id=auth.payment.id)
    assert again == first
    voided = await call(support, "void_payment", idempotency_key="void", payment_id=(
        await call(support, "authorize_payment", order_id=order.id, method_id=card.id, amount="5")).payment.id)
    assert await call(support, "void_payment", idempotency_key="void", payment_id=voided.payment.id) == voided


async def test_a_lost_race_rolls_back_to_the_savepoint_and_returns_the_winner(sessions, call, support, monkeypatch):
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=100)
    order = await unpaid_order(sessions, ava, "100.00")
    args = {"order_id": order.id, "method_id": gift.id, "amount": "40.00"}
    first = await call(support, "process_payment", idempotency_key="race", **args)
    before = await snapshot(sessions)
    real, lookups = ledger.by_key, []

    async def blind_first_lookup(session, key):
        # The duplicate checks before the winner's row is visible, as a concurrent request would.
        lookups.append(key)
        return None if len(lookups) == 1 else await real(session, key)

    monkeypatch.setattr(ledger, "by_key", blind_first_lookup)
    second = await call(support, "process_payment", idempotency_key="race", **args)
    assert lookups == ["race", "race"]  # the unique key failed at flush and the winner was read back
    assert second == first
    assert await snapshot(sessions) == before  # the debit, payment amounts and audit rows were rolled back
    assert await balance(sessions, gift.id) == Decimal("60.00")
