"""The demo's fraud and risk fixtures are what the real tools find on the seeded shop."""

from datetime import timedelta

import pytest

from db.engine import make_engine, make_sessionmaker
from db.enums import Role
from db.seed.base import today_midnight
from db.seed.run import seed_database
from tests.conftest import staff_principal
from tests.db.test_seed import fresh_sqlite
from tools.context import Principal
from tools.runner import execute


@pytest.fixture
async def seeded(tmp_path):
    url = fresh_sqlite(tmp_path / "demo.db")
    seed_database(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_the_detector_finds_the_seeded_alerts_on_the_seeded_shop(seeded):
    boss = staff_principal("merchant")
    listed = await execute(seeded, boss, "list_risk_alerts", {})
    assert [(a.id, a.day, a.status) for a in listed.alerts] == [
        (2, (today_midnight() - timedelta(days=1)).date(), "open"),
        (1, (today_midnight() - timedelta(days=4)).date(), "acknowledged")]
    found = (await execute(seeded, boss, "detect_anomalies", {"metric": "orders"})).metrics[0]
    by_day = {p.day: p for p in found.anomalies}
    for alert in listed.alerts:
        point = by_day[alert.day]
        assert (point.alert_id, point.value, point.severity) == (alert.id, alert.value, alert.severity)
        assert (found.lower_fence, found.upper_fence) == (alert.lower_fence, alert.upper_fence)


async def test_the_seeded_blocklist_flags_an_order_from_the_blocked_ip(seeded):
    support = staff_principal("support")
    listed = await execute(seeded, support, "list_blocklist", {})
    assert {(e.kind, e.value, e.status) for e in listed.entries} == {
        ("email", "chargeback.king@example.org", "active"), ("ip", "203.0.113.66", "active")}
    ava = Principal(Role.CUSTOMER, "ava_martin_7243", "ava.martin@example.com")
    order = await execute(seeded, ava, "place_order", {"lines": [{"item": "KB-CLICKY-01"}],
                                                       "payment_method_id": "credit_card_8228365"},
                          client_ip="203.0.113.66")
    history = await execute(seeded, support, "get_customer_fraud_history", {"customer_id": "ava_martin_7243"})
    latest = history.checks[0]
    assert (latest.order_id, latest.factors, latest.decision) == (order.order_id, {"bad_ip_reputation": 40}, "flag")
