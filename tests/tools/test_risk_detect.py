"""Anomaly detection by IQR fences (DESIGN 6) on metric series computed from the shop's data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import AlertSeverity, Role
from db.models import AuditEvent, MetricSample, OutboxEvent, RiskAlert
from tests import factories as f
from tests.conftest import staff_principal
from tests.tools.risk_helpers import TODAY, orders_per_day, steady
from tools.errors import Forbidden, InvalidInput
from tools.risk.detect import Fences, NotEnoughHistory, fences, judge

D = Decimal


def test_fences_are_q1_and_q3_plus_or_minus_one_and_a_half_iqr():
    limits = fences([D(v) for v in (2, 4, 4, 5, 6, 7, 9, 10)])
    assert (limits.q1, limits.q3, limits.iqr) == (D("4"), D("7.5"), D("3.5"))
    assert (limits.lower, limits.upper, limits.points) == (D("-1.25"), D("12.75"), 8)


def test_the_detector_refuses_to_judge_fewer_than_five_points():
    with pytest.raises(NotEnoughHistory, match="at least 5"):
        fences([D(3), D(4), D(5), D(6)])
    assert fences([D(3), D(4), D(5), D(6), D(7)]).points == 5


def test_a_planted_spike_is_flagged_and_a_normal_week_is_not():
    history = [D(v) for v in (3, 4, 2, 3, 5, 3, 4, 3, 4, 2, 3, 5, 3, 4)]
    limits = fences(history)  # q1 3, q3 4: fences 1.5 and 5.5
    normal_week = [D(v) for v in (4, 3, 5, 2, 3, 4, 3)]
    assert [judge(v, limits) for v in normal_week] == [(None, None)] * 7
    assert judge(D(7), limits) == ("above", AlertSeverity.WARNING)
    assert judge(D(20), limits) == ("above", AlertSeverity.CRITICAL)  # beyond q3 + 3 iqr
    assert judge(D(0), limits) == ("below", AlertSeverity.WARNING)
    assert judge(D(0), limits, partial=True) == (None, None)  # today is not over: never "too low" yet


def test_a_flat_history_flags_any_change_as_a_warning():
    limits = Fences(D(0), D(0), 10)
    assert judge(D(1), limits) == ("above", AlertSeverity.WARNING) and judge(D(0), limits) == (None, None)


async def test_detection_flags_a_planted_spike_in_the_orders(sessions, call, merchant):
    counts = steady(40)
    counts[TODAY - timedelta(days=2)] = 18  # the spike
    await orders_per_day(sessions, counts)
    out = await call(merchant, "detect_anomalies", metric="orders")
    orders = out.metrics[0]
    assert (orders.metric, orders.judged, orders.history_points) == ("orders", True, 28)
    assert (orders.q1, orders.q3, orders.lower_fence, orders.upper_fence) == (3, 4, D("1.5"), D("5.5"))
    assert [(p.day, p.value, p.direction, p.severity) for p in orders.anomalies] == [
        (TODAY - timedelta(days=2), 18, "above", AlertSeverity.CRITICAL)]
    assert out.period_start == TODAY - timedelta(days=6) and out.period_end == TODAY
    assert out.anomalies_found == 1 and out.alerts_raised == 1
    async with sessions() as s:
        alert = (await s.execute(select(RiskAlert))).scalar_one()
        topics = (await s.execute(select(OutboxEvent.topic))).scalars().all()
        audits = (await s.execute(select(AuditEvent.action))).scalars().all()
    assert (alert.id, alert.metric, alert.period_start.date(), alert.value) == (
        orders.anomalies[0].alert_id, "orders", TODAY - timedelta(days=2), 18)
    assert (alert.lower_fence, alert.upper_fence, alert.status) == (D("1.5"), D("5.5"), "open")
    assert topics == ["risk_alert.raised"] and audits == ["raised"]


async def test_a_normal_week_raises_nothing(sessions, call, merchant):
    await orders_per_day(sessions, steady(40))
    out = await call(merchant, "detect_anomalies", metric="orders")
    assert out.metrics[0].judged and out.anomalies_found == 0 and out.alerts_raised == 0
    points = out.metrics[0].points
    assert len(points) == 7 and [p.partial for p in points] == [False] * 6 + [True] and points[-1].value == 0
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(RiskAlert)) == 0


async def test_an_alert_is_raised_once_per_metric_and_day(sessions, call, merchant):
    counts = steady(40)
    counts[TODAY - timedelta(days=1)] = 9
    await orders_per_day(sessions, counts)
    first = await call(merchant, "detect_anomalies", metric="orders")
    again = await call(merchant, "detect_anomalies", metric="orders", days=3)
    assert first.alerts_raised == 1 and again.alerts_raised == 0 and again.anomalies_found == 1
    assert again.metrics[0].anomalies[0].alert_id == first.metrics[0].anomalies[0].alert_id
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(RiskAlert)) == 1


async def test_too_little_history_is_not_judged_and_raises_nothing(sessions, call, merchant):
    await orders_per_day(sessions, steady(10))  # 4 trading days before the week judged
    out = await call(merchant, "detect_anomalies", days=7)
    assert all(not m.judged and m.history_points == 0 and m.upper_fence is None for m in out.metrics)
    assert "only 4 history points" in out.metrics[0].reason and out.alerts_raised == 0
    assert (await call(merchant, "assess_risk")).level == "unknown"


async def test_risk_assessment_names_the_anomalous_metrics_and_a_level(sessions, call, merchant):
    counts = steady(40)
    counts[TODAY - timedelta(days=3)] = 6  # above the fence of 5.5, not beyond 3 IQR (7): a warning
    await orders_per_day(sessions, counts)
    out = await call(merchant, "assess_risk")
    assert (out.level, out.anomalous_metrics, out.alerts_raised, out.open_alerts) == ("medium", ["orders"], 1, 1)
    assert "orders left its usual range on 1 day(s)" in out.explanation
    assert "Within their usual range over the last 7 day(s): revenue, refunds, payment_failures, return_rate" \
        in out.explanation
    quiet = await call(merchant, "assess_risk", days=2)
    assert quiet.level == "low" and quiet.alerts_raised == 0


async def test_metric_history_is_computed_from_the_data_and_stored(sessions, call, merchant):
    await orders_per_day(sessions, {TODAY - timedelta(days=1): 2, TODAY - timedelta(days=3): 5}, total="25.50")
    out = await call(merchant, "get_metric_history", metric="orders", days=4)
    assert [(p.day, p.value) for p in out.points] == [
        (TODAY - timedelta(days=3), 5), (TODAY - timedelta(days=2), 0), (TODAY - timedelta(days=1), 2), (TODAY, 0)]
    assert (out.minimum, out.maximum, out.total, out.average, out.unit) == (0, 5, 7, D("1.75"), "orders")
    async with sessions() as s:
        stored = (await s.execute(select(MetricSample.metric, func.count()).group_by(MetricSample.metric))).all()
    assert dict(stored) == {m: 4 for m in ("orders", "revenue", "refunds", "payment_failures", "return_rate")}


async def test_backfill_stores_every_metric_for_each_day(sessions, call, admin, merchant):
    """Merchants may run the backfill too; support staff may not."""
    await orders_per_day(sessions, steady(5))
    out = await call(admin, "backfill_risk_metrics", days=10)
    assert (out.samples_written, out.first_day, out.last_day) == (50, TODAY - timedelta(days=9), TODAY)
    again = await call(admin, "backfill_risk_metrics", days=10)  # idempotent: samples are updated in place
    assert again.samples_written == 50
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(MetricSample)) == 50
    assert (await call(merchant, "backfill_risk_metrics", days=1)).samples_written == 5
    with pytest.raises(Forbidden):
        await call(staff_principal(Role.SUPPORT), "backfill_risk_metrics", days=10)


async def test_bad_requests_customers_and_other_staff_are_refused(sessions, call, merchant, as_customer):
    ava = await f.customer(sessions)
    for principal in (as_customer(ava), staff_principal(Role.SUPPORT), staff_principal(Role.WAREHOUSE)):
        for name, args in (("detect_anomalies", {}), ("assess_risk", {}), ("list_risk_alerts", {}),
                           ("get_metric_history", {"metric": "orders"}), ("acknowledge_risk_alert", {"alert_id": 1})):
            with pytest.raises(Forbidden):
                await call(principal, name, **args)
    with pytest.raises(InvalidInput):
        await call(merchant, "detect_anomalies", metric="weather")
    with pytest.raises(InvalidInput):
        await call(merchant, "detect_anomalies", days=0)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(MetricSample)) == 0
