"""Risk alerts through the shared alert state machine: list, acknowledge, resolve or dismiss; REST parity."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEvent, OutboxEvent, RiskAlert
from tests import factories as f
from tests.tools.risk_helpers import TODAY, orders_per_day, steady
from tools.errors import Forbidden, InvalidTransition, NotFound


async def two_alerts(sessions, call, merchant):
    """A warning and a critical alert on orders, raised by a real detection."""
    counts = steady(40)
    counts[TODAY - timedelta(days=2)] = 6
    counts[TODAY - timedelta(days=4)] = 30
    await orders_per_day(sessions, counts)
    out = await call(merchant, "detect_anomalies", metric="orders")
    return [p.alert_id for p in out.metrics[0].anomalies]


async def test_list_and_filter(sessions, call, merchant):
    critical, warning = await two_alerts(sessions, call, merchant)
    listed = await call(merchant, "list_risk_alerts")
    assert [(a.id, a.day, a.severity) for a in listed.alerts] == [
        (warning, TODAY - timedelta(days=2), "warning"), (critical, TODAY - timedelta(days=4), "critical")]
    assert listed.alerts[0].description.endswith("6.00 orders, above the upper fence of 5.50")
    assert [a.id for a in (await call(merchant, "list_risk_alerts", severity="critical")).alerts] == [critical]
    assert (await call(merchant, "list_risk_alerts", metric="refunds")).total == 0


async def test_acknowledge_then_resolve(sessions, call, merchant, admin):
    critical, _ = await two_alerts(sessions, call, merchant)
    acked = await call(merchant, "acknowledge_risk_alert", alert_id=critical, note="checking the campaign")
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", merchant.label)
    done = await call(admin, "resolve_risk_alert", alert_id=critical, note="a planned promotion")
    assert (done.status, done.resolved_by) == ("resolved", admin.label) and done.resolved_at is not None
    assert [a.id for a in (await call(merchant, "list_risk_alerts")).alerts] != [critical]
    assert (await call(merchant, "list_risk_alerts", status="resolved")).alerts[0].id == critical
    async with sessions() as s:
        moves = (await s.execute(select(AuditEvent.from_state, AuditEvent.to_state, AuditEvent.actor).where(
            AuditEvent.entity == "risk_alert", AuditEvent.entity_id == str(critical)).order_by(AuditEvent.id))).all()
        topics = (await s.execute(select(OutboxEvent.topic).where(OutboxEvent.key == str(critical))
                                  .order_by(OutboxEvent.id))).scalars().all()
    assert moves[1:] == [("open", "acknowledged", merchant.label), ("acknowledged", "resolved", admin.label)]
    assert topics == ["risk_alert.raised", "risk_alert.acknowledged", "risk_alert.resolved"]


async def test_dismiss_straight_from_open(sessions, call, merchant):
    _, warning = await two_alerts(sessions, call, merchant)
    out = await call(merchant, "resolve_risk_alert", alert_id=warning, outcome="dismissed", note="false alarm")
    assert out.status == "dismissed"


async def test_refusals_change_nothing(sessions, call, merchant, as_customer):
    critical, _ = await two_alerts(sessions, call, merchant)
    await call(merchant, "resolve_risk_alert", alert_id=critical)
    for name in ("acknowledge_risk_alert", "resolve_risk_alert"):
        with pytest.raises(InvalidTransition):
            await call(merchant, name, alert_id=critical)
        with pytest.raises(NotFound):
            await call(merchant, name, alert_id=999)
        with pytest.raises(Forbidden):
            await call(as_customer(await f.customer(sessions)), name, alert_id=critical)
    async with sessions() as s:
        alert = await s.get(RiskAlert, critical)
        audits = (await s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(critical)))).scalars().all()
    assert alert.status == "resolved" and alert.acknowledged_by is None and len(audits) == 2


async def test_rest_parity(sessions, call, api, merchant):
    critical, _ = await two_alerts(sessions, call, merchant)
    user = await f.staff_user(sessions, role="merchant")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=user)}"}
    listed = await call(merchant, "list_risk_alerts")
    response = await api.get("/api/v1/risk/alerts", headers=auth)
    assert response.status_code == 200 and response.json() == listed.model_dump(mode="json")
    response = await api.post(f"/api/v1/risk/alerts/{critical}/acknowledge", json={"note": "on it"}, headers=auth)
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    assert response.json()["acknowledged_by"] == f"staff:{user.username}"
    response = await api.post(f"/api/v1/risk/alerts/{critical}/acknowledge", headers=auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    response = await api.get("/api/v1/risk/metrics/orders?days=3", headers=auth)
    assert response.status_code == 200 and len(response.json()["points"]) == 3
    response = await api.post("/api/v1/risk/detect", json={"metric": "orders", "days": 0}, headers=auth)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "days"
    assessed = await call(merchant, "assess_risk")
    response = await api.post("/api/v1/risk/assess", headers=auth)
    assert response.status_code == 200 and response.json()["level"] == assessed.level == "critical"
