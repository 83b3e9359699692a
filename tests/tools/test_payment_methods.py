"""Payment gateways and saved payment methods: normal cases and refusals that change nothing."""

import re
from decimal import Decimal

import pytest

from db.enums import PaymentMethodKind, Role
from tests import factories as f
from tests.tools.payment_helpers import snapshot
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound


async def test_gateways_list_the_sandbox_with_its_triggers_and_channel_collection(sessions, call, as_customer):
    ava = await f.customer(sessions)
    out = await call(as_customer(ava), "list_payment_gateways")
    sandbox, channel = out.gateways
    assert sandbox.name == "sandbox" and sandbox.test_mode
    assert any("0002" in t for t in sandbox.test_triggers) and any(".13" in t for t in sandbox.test_triggers)
    assert set(sandbox.method_kinds) == set(PaymentMethodKind) - {PaymentMethodKind.MARKETPLACE}
    assert (channel.name, channel.test_mode, channel.test_triggers) == ("marketplace", False, [])
    assert channel.method_kinds == [PaymentMethodKind.MARKETPLACE]
    with pytest.raises(InvalidInput):
        await call(as_customer(ava), "list_payment_gateways", gateway="stripe")


async def test_customer_saves_a_card_with_last_four_only(sessions, call, as_customer):
    ava = await f.customer(sessions)
    out = await call(as_customer(ava), "add_payment_method", kind="credit_card", brand="visa", last_four="4242")
    assert re.fullmatch(r"credit_card_\d{7}", out.id)
    assert (out.customer_id, out.brand, out.last_four, out.balance) == (ava.id, "visa", "4242", None)
    listed = await call(as_customer(ava), "list_payment_methods", customer_id="me")
    assert [m.id for m in listed.methods] == [out.id]


async def test_customer_saves_paypal(sessions, call, as_customer):
    ava = await f.customer(sessions)
    out = await call(as_customer(ava), "add_payment_method", kind="paypal", paypal_email="Ava@Example.com")
    assert re.fullmatch(r"paypal_\d{7}", out.id) and out.paypal_email == "ava@example.com"


async def test_staff_issue_a_gift_card_with_a_balance(sessions, call, support):
    ava = await f.customer(sessions)
    out = await call(support, "add_payment_method", customer_id=ava.email, kind="gift_card", initial_balance="50")
    assert re.fullmatch(r"gift_card_\d{7}", out.id) and out.balance == Decimal("50.00")
    listed = await call(support, "list_payment_methods", customer_id=ava.id)
    assert listed.methods[0].balance == Decimal("50.00")


async def test_customer_may_not_issue_gift_cards(sessions, call, as_customer):
    ava = await f.customer(sessions)
    before = await snapshot(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "add_payment_method", kind="gift_card", initial_balance="500")
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("args", [
    {"kind": "credit_card", "brand": "visa", "last_four": "4242424242424242"},  # a full card number
    {"kind": "credit_card", "brand": "visa"},
    {"kind": "credit_card", "brand": "visa", "last_four": "4242", "paypal_email": "a@example.com"},
    {"kind": "paypal"},
    {"kind": "gift_card", "initial_balance": "-5"},
    {"kind": "credit_card", "brand": "visa", "last_four": "4242", "card_number": "4242424242424242"},
])
async def test_bad_method_input_is_refused(sessions, call, support, args):
    ava = await f.customer(sessions)
    before = await snapshot(sessions)
    with pytest.raises(InvalidInput):
        await call(support, "add_payment_method", customer_id=ava.id, **args)
    assert await snapshot(sessions) == before


async def test_duplicate_card_is_refused(sessions, call, as_customer):
    ava = await f.customer(sessions)
    await call(as_customer(ava), "add_payment_method", kind="credit_card", brand="visa", last_four="1111")
    before = await snapshot(sessions)
    with pytest.raises(Conflict) as err:
        await call(as_customer(ava), "add_payment_method", kind="credit_card", brand="visa", last_four="1111")
    assert err.value.code == "duplicate_payment_method"
    assert await snapshot(sessions) == before


async def test_customer_cannot_add_to_or_list_another_customers_methods(sessions, call, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    await f.payment_method(sessions, bob)
    before = await snapshot(sessions)
    with pytest.raises(NotFound):
        await call(as_customer(ava), "add_payment_method", customer_id=bob.id, kind="paypal",
                   paypal_email="ava@example.com")
    with pytest.raises(NotFound):
        await call(as_customer(ava), "list_payment_methods", customer_id=bob.id)
    assert await snapshot(sessions) == before


async def test_warehouse_staff_cannot_see_payment_methods(sessions, call, warehouse_staff):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(warehouse_staff, "list_payment_methods", customer_id=ava.id)


async def test_erased_customers_get_no_new_methods(sessions, call, support):
    ava = await f.customer(sessions)
    await call(support, "erase_customer", customer_id=ava.id)
    before = await snapshot(sessions)
    with pytest.raises(Conflict):
        await call(support, "add_payment_method", customer_id=ava.id, kind="paypal", paypal_email="x@example.com")
    assert await snapshot(sessions) == before


async def test_list_methods_over_rest_matches_a_direct_call(sessions, call, api):
    ava = await f.customer(sessions)
    await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=25)
    staff = await f.staff_user(sessions, Role.SUPPORT)
    key = await f.api_key(sessions, staff=staff)
    direct = await call(f.principal_of(ava), "list_payment_methods", customer_id="me")
    response = await api.get(f"/api/v1/payments/methods/{ava.id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
