"""Payment movements through the sandbox gateway: sale, authorize, capture, void, refund and lookups."""

from decimal import Decimal

import pytest

from db.enums import PaymentMethodKind, PaymentStatus, Role, TransactionResult
from tests import factories as f
from tests.tools.payment_helpers import balance, snapshot, unpaid_order
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound, PaymentDeclined

GIFT = PaymentMethodKind.GIFT_CARD


async def test_process_payment_charges_what_the_order_owes(sessions, call, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "100.00")
    out = await call(support, "process_payment", order_id=order.id.lstrip("#"), method_id=card.id)
    assert (out.transaction.kind, out.transaction.result, out.transaction.amount) == ("sale", "success", Decimal("100"))
    assert out.transaction.gateway_reference.startswith("sbx_sale_")
    assert out.payment.status == PaymentStatus.CAPTURED and out.payment.amount_captured == Decimal("100")
    assert out.summary.startswith("charged 100.00 EUR")


async def test_gift_card_sale_debits_and_an_uncovered_one_is_declined_with_nothing_written(sessions, call, support):
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, GIFT, balance=50)
    order = await unpaid_order(sessions, ava, "80.00")
    before = await snapshot(sessions)
    with pytest.raises(PaymentDeclined) as err:
        await call(support, "process_payment", order_id=order.id, method_id=gift.id)
    assert err.value.http_status == 402
    assert await snapshot(sessions) == before
    out = await call(support, "process_payment", order_id=order.id, method_id=gift.id, amount="30.00")
    assert out.transaction.result == TransactionResult.SUCCESS
    assert await balance(sessions, gift.id) == Decimal("20.00")


@pytest.mark.parametrize(("last_four", "amount"), [("0002", "40.00"), ("4242", "10.13")])
async def test_sandbox_test_triggers_decline_and_the_attempt_is_recorded(sessions, call, support, last_four, amount):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    if last_four != "4242":
        card = await call(support, "add_payment_method", customer_id=ava.id, kind="credit_card", brand="visa",
                          last_four=last_four)
    order = await unpaid_order(sessions, ava)
    out = await call(support, "process_payment", order_id=order.id, method_id=card.id, amount=amount)
    assert out.transaction.result == TransactionResult.DECLINED and "declined" in out.transaction.reason
    assert out.payment.status == PaymentStatus.FAILED and out.payment.amount_captured == 0
    assert "was declined" in out.summary
    # A later successful attempt on the same method opens a fresh payment.
    if last_four == "4242":
        retry = await call(support, "process_payment", order_id=order.id, method_id=card.id, amount="10.00")
        assert retry.payment.id != out.payment.id and retry.payment.status == PaymentStatus.CAPTURED


async def test_process_payment_refusals_change_nothing(sessions, call, support, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    card = await f.payment_method(sessions, ava)
    bobs_card = await f.payment_method(sessions, bob)
    order = await unpaid_order(sessions, ava)
    before = await snapshot(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "process_payment", order_id=order.id, method_id=card.id)
    with pytest.raises(NotFound):
        await call(support, "process_payment", order_id=order.id, method_id=bobs_card.id)
    with pytest.raises(NotFound):
        await call(support, "process_payment", order_id="#W9999999", method_id=card.id)
    with pytest.raises(InvalidInput):
        await call(support, "process_payment", order_id=order.id, method_id=card.id, amount="-5")
    await call(support, "process_payment", order_id=order.id, method_id=card.id)
    paid = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(support, "process_payment", order_id=order.id, method_id=card.id)
    assert err.value.code == "nothing_to_charge"
    assert await snapshot(sessions) == paid != before


async def test_authorize_then_capture_in_parts_never_beyond_the_authorization(sessions, call, merchant):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "100.00")
    auth = await call(merchant, "authorize_payment", order_id=order.id, method_id=card.id)
    assert auth.payment.status == PaymentStatus.AUTHORIZED and auth.payment.amount_authorized == Decimal("100")
    pid = auth.payment.id
    part = await call(merchant, "capture_payment", payment_id=pid, amount="40.00")
    assert part.payment.status == PaymentStatus.CAPTURED and part.payment.amount_captured == Decimal("40")
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(merchant, "capture_payment", payment_id=pid, amount="70.00")
    assert err.value.code == "capture_exceeds_authorized"
    assert await snapshot(sessions) == before
    rest = await call(merchant, "capture_payment", payment_id=pid)
    assert rest.transaction.amount == Decimal("60") and rest.payment.amount_captured == Decimal("100")


async def test_gift_card_authorization_must_be_covered_and_capture_debits(sessions, call, support):
    ava = await f.customer(sessions)
    gift = await f.payment_method(sessions, ava, GIFT, balance=60)
    order = await unpaid_order(sessions, ava, "100.00")
    before = await snapshot(sessions)
    with pytest.raises(PaymentDeclined):
        await call(support, "authorize_payment", order_id=order.id, method_id=gift.id)
    assert await snapshot(sessions) == before
    auth = await call(support, "authorize_payment", order_id=order.id, method_id=gift.id, amount="60.00")
    assert await balance(sessions, gift.id) == Decimal("60.00")
    await call(support, "capture_payment", payment_id=auth.payment.id)
    assert await balance(sessions, gift.id) == Decimal("0.00")


async def test_void_releases_an_authorization_only_when_nothing_was_captured(sessions, call, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "50.00")
    auth = await call(support, "authorize_payment", order_id=order.id, method_id=card.id)
    out = await call(support, "void_payment", payment_id=auth.payment.id, reason="order cancelled")
    assert out.payment.status == PaymentStatus.VOIDED and out.transaction.kind == "void"
    assert out.transaction.amount == Decimal("50") and out.transaction.reason == "order cancelled"
    before = await snapshot(sessions)
    with pytest.raises(InvalidTransition):
        await call(support, "void_payment", payment_id=auth.payment.id)
    with pytest.raises(InvalidTransition):
        await call(support, "capture_payment", payment_id=auth.payment.id)
    assert await snapshot(sessions) == before
    again = await call(support, "authorize_payment", order_id=order.id, method_id=card.id)
    await call(support, "capture_payment", payment_id=again.payment.id, amount="10.00")
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(support, "void_payment", payment_id=again.payment.id)
    assert err.value.code == "already_captured"
    assert await snapshot(sessions) == before


async def test_unknown_payment_and_wrong_roles_are_refused(sessions, call, support, warehouse_staff, as_customer):
    ava = await f.customer(sessions)
    with pytest.raises(NotFound):
        await call(f.principal_of(ava), "get_transaction", transaction_id=999)
    with pytest.raises(NotFound):
        await call(support, "capture_payment", payment_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidInput):
        await call(support, "void_payment", payment_id="not-a-payment")
    for name in ("capture_payment", "void_payment"):
        with pytest.raises(Forbidden):
            await call(warehouse_staff, name, payment_id="00000000-0000-0000-0000-000000000000")
        with pytest.raises(Forbidden):
            await call(as_customer(ava), name, payment_id="00000000-0000-0000-0000-000000000000")


async def test_refunds_in_parts_up_to_what_was_captured(sessions, call, merchant):
    # A merchant refunds any amount at once; support's large partial refunds wait for approval (test_backoffice_*).
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 1)], card)  # 89.00 taken
    part = await call(merchant, "refund_payment", order_id=order.id, amount="20.00", reason="damaged box")
    assert part.payment.status == PaymentStatus.PARTIALLY_REFUNDED and part.transaction.reason == "damaged box"
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(merchant, "refund_payment", payment_id=part.payment.id, amount="80.00")
    assert err.value.code == "refund_exceeds_captured"
    assert await snapshot(sessions) == before
    rest = await call(merchant, "refund_payment", payment_id=part.payment.id)
    assert rest.transaction.amount == Decimal("69") and rest.payment.status == PaymentStatus.REFUNDED
    with pytest.raises(Conflict):
        await call(merchant, "refund_payment", order_id=order.id)


async def test_refund_to_a_gift_card_credits_its_balance(sessions, call, admin):
    ava = await f.customer(sessions)
    other_gift = await f.payment_method(sessions, ava, GIFT, balance=0)
    gift = await f.payment_method(sessions, ava, GIFT, balance=30)
    order = await unpaid_order(sessions, ava, "30.00")
    await call(admin, "process_payment", order_id=order.id, method_id=gift.id)
    assert await balance(sessions, gift.id) == Decimal("0.00")
    out = await call(admin, "refund_payment", order_id=order.id, amount="12.50")
    assert out.payment.method_id == gift.id
    assert await balance(sessions, gift.id) == Decimal("12.50")
    assert await balance(sessions, other_gift.id) == Decimal("0.00")


async def test_refund_by_order_asks_which_method_when_several_were_used(sessions, call, merchant, as_customer):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    paypal = await f.payment_method(sessions, ava, PaymentMethodKind.PAYPAL)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 1)], card)
    await call(merchant, "process_payment", order_id=order.id, method_id=paypal.id, amount="10.00")
    before = await snapshot(sessions)
    with pytest.raises(Ambiguous) as err:
        await call(merchant, "refund_payment", order_id=order.id, amount="5.00")
    assert {c["method_id"] for c in err.value.details} == {card.id, paypal.id}
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "refund_payment", order_id=order.id, method_id=paypal.id)
    with pytest.raises(InvalidInput):
        await call(merchant, "refund_payment", amount="5.00")
    assert await snapshot(sessions) == before
    out = await call(merchant, "refund_payment", order_id=order.id, method_id=paypal.id, amount="5.00")
    assert out.payment.method_id == paypal.id and out.payment.status == PaymentStatus.PARTIALLY_REFUNDED


async def test_customers_see_their_own_transactions_only(sessions, call, support, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava)
    paid = await call(support, "process_payment", order_id=order.id, method_id=card.id)
    mine = await call(as_customer(ava), "get_transaction", transaction_id=paid.transaction.id)
    assert mine == paid
    with pytest.raises(NotFound):
        await call(as_customer(bob), "get_transaction", transaction_id=paid.transaction.id)
    with pytest.raises(NotFound):
        await call(as_customer(bob), "get_order_payments", order_id=order.id)


async def test_order_payments_show_the_benchmark_history(sessions, call, merchant, as_customer):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 2)], card)  # 178.00 taken
    await call(merchant, "refund_payment", order_id=order.id, amount="89.00")
    out = await call(as_customer(ava), "get_order_payments", order_id=order.id)
    assert [(e.transaction_type, e.amount, e.payment_method_id) for e in out.payment_history] == [
        ("payment", Decimal("178"), card.id), ("refund", Decimal("89"), card.id)]
    assert (out.captured_total, out.refunded_total) == (Decimal("178"), Decimal("89"))
    assert [len(p.transactions) for p in out.payments] == [2]


async def test_rest_parity_and_errors_for_payments(sessions, call, api):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    order = await unpaid_order(sessions, ava, "42.00")
    staff = await f.staff_user(sessions, Role.SUPPORT)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=staff)}"}
    response = await api.post("/api/v1/payments/process", json={"order_id": order.id, "method_id": card.id},
                              headers=headers)
    assert response.status_code == 200
    direct = await call(f.principal_of(ava), "get_transaction", transaction_id=response.json()["transaction"]["id"])
    assert response.json() == direct.model_dump(mode="json")
    listed = await api.get(f"/api/v1/payments/orders/{order.id.lstrip('#')}", headers=headers)
    assert listed.json() == (await call(f.principal_of(ava), "get_order_payments", order_id=order.id)).model_dump(
        mode="json")
    gift = await f.payment_method(sessions, ava, GIFT, balance=1)
    declined = await api.post("/api/v1/payments/process", headers=headers,
                              json={"order_id": order.id, "method_id": gift.id, "amount": 5})
    assert declined.status_code == 402 and declined.json()["error"]["code"] == "payment_declined"
