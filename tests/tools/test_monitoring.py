"""Monitoring: figures equal the rows they come from, the overview's rules at their boundaries, alerts, trails."""

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import AlertSeverity, AlertStatus, CallVia, Role, RunOutcome
from db.models import AgentRun, AuditEvent, OutboxEvent, SystemAlert, SystemConfig, ToolCall
from tests import factories as f
from tools.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from tools.monitoring.figures import ErrorRule, RunFigures
from tools.monitoring.overview import SystemStatus, system_status

A = AlertSeverity
# (minutes ago, agent, tool, ok, latency ms)
CALLS = [
    (10, "order", "place_order", True, 120), (20, "order", "place_order", False, 300),
    (30, "order", "get_order_details", True, 15), (50, "payment", "refund_payment", True, 80),
    (90, "order", "place_order", True, 95), (60 * 5, "payment", "refund_payment", False, 40),
    (60 * 30, "order", "get_order_details", True, 22), (60 * 24 * 3, "order", "place_order", True, 110),
    (60 * 24 * 10, "payment", "refund_payment", True, 70), (60 * 24 * 40, "order", "place_order", False, 999),
]


async def plant_calls(sessions, rows=CALLS) -> None:
    now = utcnow()
    async with unit_of_work(sessions) as s:
        s.add_all(ToolCall(tool=tool, agent=agent, role=Role.SUPPORT, principal="staff:planted", via=CallVia.REST,
                           ok=ok, error_code=None if ok else "conflict", latency_ms=ms,
                           created_at=now - timedelta(minutes=minutes))
                  for minutes, agent, tool, ok, ms in rows)


async def plant_runs(sessions, agent: str, outcomes: list[RunOutcome], minutes_ago: int = 5, latency: int = 100,
                     tokens: tuple[int, int] = (200, 20)) -> None:
    now = utcnow()
    async with unit_of_work(sessions) as s:
        s.add_all(AgentRun(thread_id=f"t{n}", principal="customer:x@example.com", agent=agent, request="hi",
                           tool_calls=[{"name": "x", "args": {}, "ok": True}], model_calls=2,
                           prompt_tokens=tokens[0], completion_tokens=tokens[1], latency_ms=latency + n,
                           outcome=outcome, created_at=now - timedelta(minutes=minutes_ago))
                  for n, outcome in enumerate(outcomes))


def nearest(values: list[int], pct: int) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(pct * len(ordered) / 100) - 1]


@pytest.mark.parametrize("window, span", [("1h", timedelta(hours=1)), ("24h", timedelta(hours=24)),
                                          ("7d", timedelta(days=7)), ("30d", timedelta(days=30))])
async def test_performance_metrics_equal_the_recorded_calls(sessions, call, admin, window, span):
    await plant_calls(sessions)
    async with sessions() as s:
        since = utcnow() - span
        rows = (await s.execute(select(ToolCall).where(ToolCall.created_at >= since))).scalars().all()
    out = await call(admin, "get_performance_metrics", window=window)
    assert out.overall.calls == len(rows) and out.overall.errors == sum(not r.ok for r in rows)
    for figures in out.tools:
        mine = [r for r in rows if (r.agent, r.tool) == (figures.agent, figures.tool)]
        latencies = [r.latency_ms for r in mine]
        assert (figures.calls, figures.errors) == (len(mine), sum(not r.ok for r in mine))
        assert (figures.p50_ms, figures.p95_ms) == (nearest(latencies, 50), nearest(latencies, 95))
        expected = (Decimal(100 * figures.errors) / figures.calls).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert figures.error_rate_pct == expected
    agents = {r.agent for r in rows}
    assert {a.agent: a.calls for a in out.agents} == {a: sum(r.agent == a for r in rows) for a in agents}
    only = await call(admin, "get_performance_metrics", window=window, agent="payment", tool="refund_payment")
    assert [t.tool for t in only.tools] == (["refund_payment"] if any(r.agent == "payment" for r in rows) else [])


async def test_agent_health_equals_the_run_records(sessions, call, support):
    await plant_runs(sessions, "order", [RunOutcome.ANSWERED] * 4 + [RunOutcome.ERROR, RunOutcome.LIMIT_REACHED])
    await plant_runs(sessions, "payment", [RunOutcome.ANSWERED, RunOutcome.REFUSED], tokens=(50, 5))
    await plant_runs(sessions, "order", [RunOutcome.ERROR], minutes_ago=60 * 30)  # outside 24h
    out = await call(support, "get_agent_health")
    order, payment = out.agents
    assert (order.agent, order.runs, order.errors, order.error_rate_pct) == ("order", 6, 2, Decimal("33.3"))
    assert order.outcomes == {"answered": 4, "error": 1, "limit_reached": 1} and order.shows_errors
    assert (order.prompt_tokens, order.completion_tokens, order.model_calls, order.tool_calls) == (1200, 120, 12, 6)
    assert (order.p50_ms, order.p95_ms) == (102, 105)
    assert (payment.runs, payment.errors, payment.shows_errors, payment.prompt_tokens) == (2, 0, False, 100)
    week = await call(support, "get_agent_health", window="7d", agent="order")
    assert [(a.agent, a.runs, a.errors) for a in week.agents] == [("order", 7, 3)]
    assert (out.rule.min_runs, out.rule.error_rate_pct) == (5, 20)


def figures(runs: int, errors: int) -> RunFigures:
    data = RunFigures("x", outcomes={"answered": runs - errors, "error": errors} if errors else {"answered": runs})
    return data


@pytest.mark.parametrize("runs, errors, judged, shows", [
    (4, 4, False, False),   # too few runs to judge, however bad
    (5, 1, True, False),    # exactly 20 %: not above
    (5, 2, True, True),     # 40 %
    (10, 2, True, False),   # 20 % again
    (10, 3, True, True),    # 30 %
    (0, 0, False, False),
])
def test_an_agent_shows_errors_above_the_rate_with_enough_runs(runs, errors, judged, shows):
    rule = ErrorRule(min_runs=5, rate=Decimal(20))
    assert (rule.judged(figures(runs, errors)), rule.shows_errors(figures(runs, errors))) == (judged, shows)


@pytest.mark.parametrize("alerts, judged, failing, status, reasons", [
    ({}, 10, 3, SystemStatus.HEALTHY, 0),                 # 30 % of agents: not more than 30 %
    ({}, 10, 4, SystemStatus.DEGRADED, 1),                # 40 %
    ({}, 3, 1, SystemStatus.DEGRADED, 1),                 # 33.3 %
    ({}, 0, 0, SystemStatus.HEALTHY, 0),                  # nobody judged
    ({A.INFO: 1}, 10, 0, SystemStatus.WARNING, 1),        # any open alert
    ({A.WARNING: 2}, 10, 9, SystemStatus.WARNING, 2),     # warning before degraded; both said
    ({A.CRITICAL: 1, A.INFO: 3}, 10, 9, SystemStatus.CRITICAL, 3),
])
def test_overview_rules_at_their_boundaries(alerts, judged, failing, status, reasons):
    verdict = system_status({**dict.fromkeys(A, 0), **alerts}, [f"a{n}" for n in range(judged)],
                            [f"a{n}" for n in range(failing)])
    assert verdict.status == status and len(verdict.reasons) == reasons


async def test_overview_from_alerts_and_runs_through_the_tool(sessions, call, admin, support):
    await plant_runs(sessions, "order", [RunOutcome.ANSWERED] * 5)
    await plant_runs(sessions, "payment", [RunOutcome.ANSWERED] * 5)
    await plant_runs(sessions, "customer", [RunOutcome.ANSWERED] * 4 + [RunOutcome.ERROR])  # 20 %: fine
    await plant_runs(sessions, "warehouse", [RunOutcome.ERROR] * 4)  # too few runs to be judged
    assert (await call(support, "get_system_overview")).status == "healthy"
    await plant_runs(sessions, "customer", [RunOutcome.ERROR])  # 2 of 6: the customer agent shows errors
    out = await call(support, "get_system_overview")
    assert (out.status, out.agents_judged, out.agents_with_errors) == ("degraded", ["customer", "order", "payment"],
                                                                      ["customer"])
    alert = await call(admin, "create_system_alert", title="Disk almost full", severity="info")
    await call(admin, "acknowledge_system_alert", alert_id=alert.id)
    assert (await call(support, "get_system_overview")).status == "warning"  # acknowledged is still open
    critical = await call(admin, "create_system_alert", title="Database down", severity="critical")
    assert (await call(support, "get_system_overview")).open_alerts == {"info": 1, "warning": 0, "critical": 1}
    assert (await call(support, "get_system_overview")).status == "critical"
    await call(admin, "resolve_system_alert", alert_id=critical.id, note="restarted")
    await call(admin, "resolve_system_alert", alert_id=alert.id, outcome="dismissed")
    assert (await call(support, "get_system_overview")).status == "degraded"
    # The rule is a setting: with a higher bar no agent shows errors.
    async with unit_of_work(sessions) as s:
        s.add(SystemConfig(key="monitoring.errors_rate_percent", value=50, description="", updated_by="test"))
    assert (await call(support, "get_system_overview")).status == "healthy"


async def test_alert_lifecycle_through_the_shared_table(sessions, call, admin, support, warehouse_staff):
    raised = await call(warehouse_staff, "create_system_alert", title="Scanner offline", severity="warning",
                        agent="warehouse", source="warehouse", description="Dock 2")
    other = await call(admin, "create_system_alert", title="Slow replies", severity="critical")
    listed = await call(support, "list_system_alerts")
    assert [a.title for a in listed.alerts] == ["Slow replies", "Scanner offline"] and listed.total == 2
    acked = await call(support, "acknowledge_system_alert", alert_id=raised.id, note="on it")
    assert (acked.status, acked.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, "staff:support-tester")
    with pytest.raises(InvalidTransition):
        await call(support, "acknowledge_system_alert", alert_id=raised.id)
    closed = await call(admin, "resolve_system_alert", alert_id=raised.id, note="cable replaced")
    assert (closed.status, closed.resolved_by, closed.resolution) == ("resolved", "staff:admin-tester",
                                                                      "cable replaced")
    with pytest.raises(InvalidTransition):
        await call(admin, "resolve_system_alert", alert_id=raised.id)
    assert [a.id for a in (await call(support, "list_system_alerts")).alerts] == [other.id]
    assert [a.id for a in (await call(support, "list_system_alerts", status="resolved")).alerts] == [raised.id]
    assert (await call(support, "get_system_alert", alert_id=raised.id)).acknowledged_at is not None
    async with sessions() as s:
        topics = (await s.execute(select(OutboxEvent.topic).where(OutboxEvent.key == str(raised.id))
                                  .order_by(OutboxEvent.id))).scalars().all()
    assert topics == ["system_alert.raised", "system_alert.acknowledged", "system_alert.resolved"]


async def test_monitoring_refusals_change_nothing(sessions, call, support, as_customer):
    ava = as_customer(await f.customer(sessions))
    for name, args in [("get_system_overview", {}), ("get_agent_health", {}), ("list_system_alerts", {}),
                       ("create_system_alert", {"title": "Hacked!"}), ("list_audit_events", {})]:
        with pytest.raises(Forbidden):
            await call(ava, name, **args)
    for name in ("list_recent_tool_calls", "list_audit_events"):
        with pytest.raises(Forbidden):
            await call(support, name)
    with pytest.raises(InvalidInput):
        await call(support, "get_performance_metrics", window="2w")
    with pytest.raises(InvalidInput):
        await call(support, "create_system_alert", title="x", severity="apocalyptic")
    with pytest.raises(NotFound):
        await call(support, "resolve_system_alert", alert_id=404)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SystemAlert)) == 0
        assert await s.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_audit_events_filtered_by_record_actor_and_time(sessions, call, admin, merchant):
    first = await call(admin, "create_system_alert", title="One")
    await call(merchant, "create_system_alert", title="Two")
    await call(merchant, "acknowledge_system_alert", alert_id=first.id)
    everything = await call(admin, "list_audit_events")
    assert [(e.entity_id, e.action) for e in everything.events][:1] == [(str(first.id), "status_changed")]
    by_record = await call(admin, "list_audit_events", entity="system_alert", entity_id=str(first.id))
    assert [e.action for e in by_record.events] == ["status_changed", "raised"] and by_record.total == 2
    by_actor = await call(admin, "list_audit_events", actor="MERCHANT")
    assert {e.actor for e in by_actor.events} == {"staff:merchant-tester"} and by_actor.total == 2
    later = await call(admin, "list_audit_events", since=utcnow() + timedelta(minutes=1))
    assert later.events == [] and later.total == 0


async def test_recent_tool_calls_and_rest_parity(sessions, call, api, merchant):
    await plant_calls(sessions)
    failed = await call(merchant, "list_recent_tool_calls", ok=False, window="24h")
    assert [(c.tool, c.latency_ms) for c in failed.calls] == [("place_order", 300), ("refund_payment", 40)]
    boss = await f.staff_user(sessions, role="merchant")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    direct = await call(merchant, "get_system_overview")
    response = await api.get("/api/v1/monitoring/overview", headers=auth)
    assert response.status_code == 200 and response.json()["status"] == direct.status
    assert response.json()["tool_calls"] == direct.tool_calls + 1  # the direct call itself was recorded
    listed = await call(merchant, "list_recent_tool_calls", tool="place_order", limit=2)
    response = await api.get("/api/v1/monitoring/tool-calls", params={"tool": "place_order", "limit": 2}, headers=auth)
    assert response.status_code == 200 and response.json() == listed.model_dump(mode="json")
