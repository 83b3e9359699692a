"""Fraud scores from our data (DESIGN 6): each signal alone, combined, capped, blocked, and re-scores."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import BlockedKind, FraudLevel, OrderStatus, Role
from db.models import FraudCheck
from tests import factories as f
from tests.conftest import staff_principal
from tests.tools.fraud_helpers import HOME, backdate_method, block, placed, quiet_customer
from tests.tools.order_helpers import shop
from tools.config import service as config
from tools.context import ToolContext
from tools.errors import Forbidden, NotFound
from tools.fraud.countries import country_of, iso_code

NOW = utcnow()


async def rescore(call, support, order):
    return await call(support, "score_order_fraud", order_id=order.id)


async def test_a_quiet_order_scores_zero(sessions, call, support):
    ava, card = await quiet_customer(sessions)
    order = await placed(sessions, ava, card, await f.product(sessions))
    out = await rescore(call, support, order)
    assert (out.score, out.level, out.decision, out.factors) == (0, FraudLevel.LOW, "approve", {})
    assert out.thresholds.model_dump() == {"flag": 25, "review": 50, "block": 75}


@pytest.mark.parametrize(("total", "points", "score"), [("1000.00", None, 0), ("1550.00", 5.5, 6),
                                                         ("2000.00", 10, 10), ("9000.00", 30, 30)])
async def test_amount_alone(sessions, call, support, total, points, score):
    ava, card = await quiet_customer(sessions)
    out = await rescore(call, support, await placed(sessions, ava, card, await f.product(sessions), total=total))
    assert out.factors == ({"high_amount": points} if points else {}) and out.score == score
    assert out.signals.amount == Decimal(total)


@pytest.mark.parametrize(("others", "points"), [(5, None), (6, 18), (8, 24), (9, 25)])
async def test_velocity_alone_counts_the_other_orders_of_the_24_hours_before(sessions, call, support, others, points):
    ava, card = await quiet_customer(sessions)
    kb = await f.product(sessions)
    for i in range(others):
        await placed(sessions, ava, card, kb, at=NOW - timedelta(hours=1 + i))
    await placed(sessions, ava, card, kb, at=NOW - timedelta(hours=30))  # outside the window
    target = await placed(sessions, ava, card, kb, at=NOW)
    out = await rescore(call, support, target)
    assert out.signals.orders_last_24h == others
    assert out.factors == ({"order_velocity": points} if points else {})


async def test_bad_ip_alone_and_only_while_blocked(sessions, call, support):
    ava, card = await quiet_customer(sessions)
    kb = await f.product(sessions)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    await block(sessions, BlockedKind.IP, "198.51.100.1", unblocked=True)
    await block(sessions, BlockedKind.IP, "198.51.100.2", expires_at=NOW - timedelta(minutes=1))
    assert (await rescore(call, support, await placed(sessions, ava, card, kb, ip="203.0.113.7"))).factors == {
        "bad_ip_reputation": 40}
    for ip in ("198.51.100.1", "198.51.100.2", None):
        assert (await rescore(call, support, await placed(sessions, ava, card, kb, ip=ip))).factors == {}


@pytest.mark.parametrize(("country", "points"), [
    ("United States", 20), ("US", 20), ("GB", 20), ("France", None), ("fr", None), ("FRA", None), (" FR ", None),
])
async def test_country_mismatch_alone_compares_normalised_countries(sessions, call, support, country, points):
    ava, card = await quiet_customer(sessions)
    order = await placed(sessions, ava, card, await f.product(sessions), billing={**HOME, "country": country})
    out = await rescore(call, support, order)
    assert out.factors == ({"address_mismatch": points} if points else {})
    assert out.signals.countries_differ is bool(points)


def test_country_normalisation():
    assert {iso_code(x) for x in ("FR", "France", "fr", "FRA", "france ")} == {"FR"}
    assert {iso_code(x) for x in ("US", "USA", "United States", "United States of America")} == {"US"}
    assert iso_code("UK") == iso_code("United Kingdom") == "GB"
    assert iso_code("Atlantis") == "ATLANTIS" and country_of(None) == "" and country_of({"country": ""}) == ""


async def test_new_account_alone(sessions, call, support):
    fresh = await f.customer(sessions, created_at=NOW - timedelta(hours=3))
    card = await f.payment_method(sessions, fresh)
    await backdate_method(sessions, card, NOW - timedelta(days=10))
    out = await rescore(call, support, await placed(sessions, fresh, card, await f.product(sessions), at=NOW))
    assert out.factors == {"new_account": 15} and out.signals.account_under_a_day


async def test_payment_method_churn_alone_needs_more_than_two_in_the_week_before(sessions, call, support):
    ava, card = await quiet_customer(sessions)
    kb = await f.product(sessions)
    for days in (1, 3):
        await backdate_method(sessions, await f.payment_method(sessions, ava), NOW - timedelta(days=days))
    assert (await rescore(call, support, await placed(sessions, ava, card, kb))).factors == {}
    await backdate_method(sessions, await f.payment_method(sessions, ava), NOW - timedelta(days=6))
    out = await rescore(call, support, await placed(sessions, ava, card, kb))
    assert out.factors == {"payment_method_churn": 15} and out.signals.payment_methods_added_7d == 3


async def test_signals_add_up_and_cap_at_100(sessions, call, support):
    fresh = await f.customer(sessions, created_at=NOW - timedelta(hours=3))
    card = await f.payment_method(sessions, fresh)
    kb = await f.product(sessions)
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    medium = await placed(sessions, fresh, card, kb, total="2000.00", billing={**HOME, "country": "USA"})
    out = await rescore(call, support, medium)  # 10 + 20 + 15 = 45
    assert (out.score, out.level, out.decision) == (45, FraudLevel.MEDIUM, "flag")
    high = await placed(sessions, fresh, card, kb, total="1000.00", ip="203.0.113.7")
    out = await rescore(call, support, high)  # 40 + 15 = 55
    assert (out.score, out.level, out.decision) == (55, FraudLevel.HIGH, "review")
    for _ in range(2):
        await f.payment_method(sessions, fresh)  # 3 methods this week: +15
    for _ in range(6):
        await placed(sessions, fresh, card, kb)  # with the two above, 8 other orders today: +24
    worst = await placed(sessions, fresh, card, kb, total="4000.00", ip="203.0.113.7",
                         billing={**HOME, "country": "DE"})
    out = await rescore(call, support, worst)  # 30 + 24 + 40 + 20 + 15 + 15 = 144, capped
    assert out.factors == {"high_amount": 30, "order_velocity": 24, "bad_ip_reputation": 40, "address_mismatch": 20,
                           "new_account": 15, "payment_method_churn": 15}
    assert (out.score, out.level, out.decision) == (100, FraudLevel.CRITICAL, "block")


@pytest.mark.parametrize("kind", [BlockedKind.EMAIL, BlockedKind.CUSTOMER, BlockedKind.CARD])
async def test_a_blocked_email_customer_or_card_scores_100(sessions, call, support, kind):
    ava, card = await quiet_customer(sessions)
    order = await placed(sessions, ava, card, await f.product(sessions))
    await block(sessions, kind, {BlockedKind.EMAIL: ava.email.upper(), BlockedKind.CUSTOMER: ava.id,
                                 BlockedKind.CARD: card.id}[kind])
    out = await rescore(call, support, order)
    assert (out.score, out.level, out.factors, out.signals.blocked_entity) == (
        100, FraudLevel.CRITICAL, {"blocked_entity": 100}, str(kind))


async def test_a_rescore_does_not_count_the_order_itself(sessions, call, support, as_customer):
    sh = await shop(sessions)
    for _ in range(5):
        await placed(sessions, sh.customer, sh.card, sh.keyboard)
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                     payment_method_id=sh.card.id)
    again = await call(support, "score_order_fraud", order_id=out.order_id)
    async with sessions() as s:
        first = await s.scalar(select(FraudCheck).where(FraudCheck.source == "checkout"))
    assert again.signals.orders_last_24h == 5 and "order_velocity" not in again.factors
    assert (again.score, again.factors) == (first.score, first.factors) == (15, {"new_account": 15})
    assert again.signals.amount == Decimal("89.00")  # its own total, nothing else


async def test_a_rescore_reads_todays_blocklist(sessions, call, support):
    ava, card = await quiet_customer(sessions)
    order = await placed(sessions, ava, card, await f.product(sessions), ip="203.0.113.9",
                         at=NOW - timedelta(days=3))
    assert (await rescore(call, support, order)).score == 0
    await block(sessions, BlockedKind.IP, "203.0.113.9")
    assert (await rescore(call, support, order)).factors == {"bad_ip_reputation": 40}
    async with sessions() as s:
        sources = (await s.execute(select(FraudCheck.source, func.count()).group_by(FraudCheck.source))).all()
    assert sources == [("rescore", 2)]


async def test_thresholds_are_settings_read_by_the_one_scoring_path(sessions, call, support, admin, as_customer):
    sh = await shop(sessions)  # a fresh account scores 15
    async with unit_of_work(sessions) as s:
        ctx = ToolContext(session=s, principal=admin)
        await config.set_value(ctx, "fraud.flag_threshold", 10)
        await config.set_value(ctx, "fraud.review_threshold", 15)
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                     payment_method_id=sh.card.id)
    assert out.status == OrderStatus.ON_HOLD  # 15 is now "high": held for review
    again = await call(support, "score_order_fraud", order_id=out.order_id)
    assert (again.level, again.thresholds.review) == (FraudLevel.HIGH, 15)


async def test_customer_score_uses_the_last_day_of_orders(sessions, call, support):
    ava, card = await quiet_customer(sessions)
    kb = await f.product(sessions)
    await placed(sessions, ava, card, kb, total="700.00", at=NOW - timedelta(hours=2), ip="203.0.113.7",
                 billing={**HOME, "country": "Belgium"})
    await placed(sessions, ava, card, kb, total="900.00", at=NOW - timedelta(hours=5))
    await placed(sessions, ava, card, kb, total="5000.00", at=NOW - timedelta(days=2))
    await block(sessions, BlockedKind.IP, "203.0.113.7")
    out = await call(support, "score_customer_fraud", customer_id=ava.email)
    # 1600 in the last 24 h: 6 points; a blocked IP on one of them: 40; latest order billed abroad: 20
    assert out.factors == {"high_amount": 6, "bad_ip_reputation": 40, "address_mismatch": 20}
    assert (out.subject, out.order_id, out.score, out.level) == ("customer", None, 66, FraudLevel.HIGH)
    assert out.signals.orders_last_24h == 2


async def test_refusals_change_nothing(sessions, call, support, as_customer):
    ava, card = await quiet_customer(sessions)
    order = await placed(sessions, ava, card, await f.product(sessions))
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "score_order_fraud", order_id=order.id)
    with pytest.raises(Forbidden):
        await call(staff_principal(Role.WAREHOUSE), "score_customer_fraud", customer_id=ava.id)
    with pytest.raises(NotFound):
        await call(support, "score_order_fraud", order_id="#W0000001")
    with pytest.raises(NotFound):
        await call(support, "score_customer_fraud", customer_id="nobody@example.com")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(FraudCheck)) == 0
