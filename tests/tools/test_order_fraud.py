"""Fraud scoring (DESIGN 6): each rule alone, the cap, the levels, and what an order's score does to it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import BlockedKind, FraudLevel, OrderStatus, PaymentMethodKind
from db.models import BlockedEntity, FraudCheck, Order, PaymentMethod, PaymentTransaction, StockReservation
from tests import factories as f
from tests.tools.order_helpers import allocated, shop
from tools.errors import Forbidden
from tools.fraud import service as fraud
from tools.fraud.thresholds import Thresholds

OLD = utcnow() - timedelta(days=30)
HOME = {"address1": "1 Main St", "city": "Paris", "country": "FR", "zip": "75001"}


async def score(sessions, customer, amount="100.00", billing=None, ip=None, method_id=None):
    async with sessions() as s:
        return await fraud.score_order(
            s, customer=customer, amount=Decimal(amount), shipping_address=HOME, billing_address=billing,
            client_ip=ip, now=utcnow(), payment_method_id=method_id,
        )


async def block(sessions, kind, value, unblocked=False):
    async with unit_of_work(sessions) as s:
        s.add(BlockedEntity(kind=kind, value=value, blocked_by="admin",
                            unblocked_at=utcnow() if unblocked else None))


@pytest.mark.parametrize("score_value, level", [
    (0, FraudLevel.LOW), (24, FraudLevel.LOW), (25, FraudLevel.MEDIUM), (49, FraudLevel.MEDIUM),
    (50, FraudLevel.HIGH), (74, FraudLevel.HIGH), (75, FraudLevel.CRITICAL), (100, FraudLevel.CRITICAL),
])
def test_levels(score_value, level):
    assert Thresholds(flag=25, review=50, block=75).level_for(score_value) == level


def test_amount_and_velocity_formulas():
    assert fraud.amount_points(Decimal("1000")) == 0
    assert fraud.amount_points(Decimal("1550")) == Decimal("5.5")
    assert fraud.amount_points(Decimal("9000")) == 30
    assert [fraud.velocity_points(n) for n in (5, 6, 8, 9, 20)] == [0, 18, 24, 25, 25]


async def test_an_old_quiet_account_scores_zero(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    result = await score(sessions, ava)
    assert (result.score, result.level, result.decision, result.factors) == (0, FraudLevel.LOW, "approve", {})


async def test_high_amount_adds_up_to_30(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    assert (await score(sessions, ava, "1550.00")).factors == {"high_amount": 5.5}
    assert (await score(sessions, ava, "1550.00")).score == 6  # 5.5 rounds half up
    assert (await score(sessions, ava, "25000.00")).score == 30


async def test_more_than_five_orders_in_a_day(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions)
    for _ in range(5):
        await f.order(sessions, ava, [(kb.variants[0], 1)], card)
    assert (await score(sessions, ava)).factors == {}
    await f.order(sessions, ava, [(kb.variants[0], 1)], card)
    assert (await score(sessions, ava)).factors == {"order_velocity": 18}
    async with unit_of_work(sessions) as s:  # orders older than 24 hours no longer count
        await s.execute(update(Order).values(placed_at=utcnow() - timedelta(hours=25)))
    assert (await score(sessions, ava)).factors == {}


async def test_blocked_ip_adds_40_until_unblocked(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    await block(sessions, BlockedKind.IP, "198.51.100.1", unblocked=True)
    assert (await score(sessions, ava, ip="203.0.113.7")).factors == {"bad_ip_reputation": 40}
    assert (await score(sessions, ava, ip="198.51.100.1")).factors == {}
    assert (await score(sessions, ava, ip=None)).factors == {}


async def test_billing_country_mismatch_adds_20(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    assert (await score(sessions, ava, billing={**HOME, "country": "US"})).factors == {"address_mismatch": 20}
    assert (await score(sessions, ava, billing={**HOME, "country": "fr"})).factors == {}


async def test_new_account_adds_15(sessions):
    fresh = await f.customer(sessions)
    result = await score(sessions, fresh)
    assert result.factors == {"new_account": 15} and result.level == FraudLevel.LOW


async def test_three_new_payment_methods_in_a_week_add_15(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    for _ in range(2):
        await f.payment_method(sessions, ava)
    assert (await score(sessions, ava)).factors == {}
    old = await f.payment_method(sessions, ava)
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentMethod).where(PaymentMethod.id == old.id).values(created_at=OLD))
    assert (await score(sessions, ava)).factors == {}
    await f.payment_method(sessions, ava)
    assert (await score(sessions, ava)).factors == {"payment_method_churn": 15}


@pytest.mark.parametrize("kind", [BlockedKind.EMAIL, BlockedKind.CUSTOMER, BlockedKind.CARD])
async def test_blocked_email_customer_or_card_scores_100(sessions, kind):
    ava = await f.customer(sessions, created_at=OLD)
    card = await f.payment_method(sessions, ava)
    values = {BlockedKind.EMAIL: ava.email.upper(), BlockedKind.CUSTOMER: ava.id, BlockedKind.CARD: card.id}
    value = values[kind]
    await block(sessions, kind, value)
    result = await score(sessions, ava, method_id=card.id)
    assert (result.score, result.level, result.decision) == (100, FraudLevel.CRITICAL, "block")


async def test_rules_add_up_to_levels_and_cap_at_100(sessions):
    fresh = await f.customer(sessions)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    mismatch = {**HOME, "country": "US"}
    assert (await score(sessions, fresh, billing=mismatch)).level == FraudLevel.MEDIUM  # 15 + 20
    assert (await score(sessions, fresh, ip="203.0.113.7")).level == FraudLevel.HIGH  # 15 + 40
    high = await score(sessions, fresh, "9000.00", billing=mismatch, ip="203.0.113.7")  # 30+40+20+15
    assert (high.score, high.level) == (100, FraudLevel.CRITICAL)


async def test_medium_order_is_flagged_and_stays_pending(sessions, call, as_customer):
    sh = await shop(sessions)  # a fresh account: 15
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                     payment_method_id=sh.card.id, billing_address={**HOME, "country": "US"})
    assert out.status == OrderStatus.PENDING
    async with sessions() as s:
        check = await s.scalar(select(FraudCheck).where(FraudCheck.order_id == out.order_id))
    assert (check.score, check.level, check.decision) == (35, FraudLevel.MEDIUM, "flag")
    assert check.factors == {"new_account": 15.0, "address_mismatch": 20.0}


async def test_high_order_is_created_on_hold(sessions, call, as_customer):
    sh = await shop(sessions)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                     payment_method_id=sh.card.id, client_ip="203.0.113.7")
    assert out.status == OrderStatus.ON_HOLD and out.status_label == "on hold"
    async with sessions() as s:
        check = await s.scalar(select(FraudCheck).where(FraudCheck.order_id == out.order_id))
    assert (check.level, check.decision) == (FraudLevel.HIGH, "review")


async def test_critical_order_is_refused_and_only_its_check_is_kept(sessions, call, as_customer):
    sh = await shop(sessions)
    await block(sessions, BlockedKind.EMAIL, sh.customer.email)
    with pytest.raises(Forbidden) as err:
        await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                   payment_method_id=sh.gift.id)
    assert err.value.code == "order_refused"
    async with sessions() as s:
        for model in (Order, PaymentTransaction, StockReservation):
            assert await s.scalar(select(func.count()).select_from(model)) == 0
        assert (await s.get(PaymentMethod, sh.gift.id)).balance == Decimal("500.00")
        check = (await s.execute(select(FraudCheck))).scalar_one()  # kept for the customer's fraud history
    assert (check.order_id, check.customer_id, check.score, check.decision) == (None, sh.customer.id, 100, "block")
    assert await allocated(sessions, sh.red) == (10, 0)


async def test_score_is_not_affected_by_unrelated_kinds(sessions):
    ava = await f.customer(sessions, created_at=OLD)
    gift = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=10)
    await block(sessions, BlockedKind.IP, ava.email)  # an IP entry never matches an email
    assert (await score(sessions, ava, method_id=gift.id)).score == 0
