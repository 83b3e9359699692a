"""Every tool call is recorded after its own transaction, failed ones too, and recording never gets in the way."""

import logging

import pytest
from sqlalchemy import select

from db.models import AuditEvent, ToolCall
from tests import factories as f
from tools.errors import Forbidden, NotFound
from tools.monitoring import calls


async def records(sessions) -> list[tuple]:
    async with sessions() as s:
        rows = (await s.execute(select(ToolCall).order_by(ToolCall.id))).scalars().all()
    return [(r.tool, r.agent, str(r.role), str(r.via), r.ok, r.error_code) for r in rows]


async def test_every_rest_call_is_recorded_failed_ones_too(sessions, api):
    ava = await f.customer(sessions)
    boss = await f.staff_user(sessions, role="admin")
    as_ava = {"Authorization": f"Bearer {await f.api_key(sessions, owner=ava)}"}
    as_boss = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    statuses = [
        (await api.get(f"/api/v1/customers/{ava.id}", headers=as_ava)).status_code,          # ok
        (await api.get("/api/v1/orders/W0000001", headers=as_ava)).status_code,               # not found
        (await api.get("/api/v1/monitoring/overview", headers=as_ava)).status_code,           # forbidden role
        (await api.post("/api/v1/monitoring/alerts", json={"title": 7}, headers=as_boss)).status_code,  # bad body
        (await api.get("/api/v1/monitoring/metrics", params={"window": "2w"},
                       headers=as_boss)).status_code,                                        # bad query
        (await api.post("/api/v1/monitoring/alerts", json={"title": "Queue stuck"}, headers=as_boss)).status_code,
        (await api.get("/api/v1/monitoring/overview")).status_code,                           # no key: no caller
    ]
    assert statuses == [200, 404, 403, 422, 422, 201, 401]
    assert await records(sessions) == [
        ("get_customer_details", "customer", "customer", "rest", True, None),
        ("get_order_details", "order", "customer", "rest", False, "not_found"),
        ("get_system_overview", "monitoring", "customer", "rest", False, "forbidden"),
        ("create_system_alert", "monitoring", "admin", "rest", False, "invalid_input"),
        ("get_performance_metrics", "monitoring", "admin", "rest", False, "invalid_input"),
        ("create_system_alert", "monitoring", "admin", "rest", True, None),
    ]
    async with sessions() as s:
        principals = (await s.execute(select(ToolCall.principal).order_by(ToolCall.id))).scalars().all()
    assert principals[0] == f"customer:{ava.email}" and principals[-1] == f"staff:{boss.username}"


async def test_a_failed_call_keeps_its_error_and_rolls_back_but_is_recorded(sessions, call, as_customer):
    ava = as_customer(await f.customer(sessions))
    with pytest.raises(Forbidden):
        await call(ava, "create_system_alert", title="Nope")
    with pytest.raises(NotFound):
        await call(ava, "get_order_details", order_id="#W0000042")
    assert await records(sessions) == [
        ("create_system_alert", "monitoring", "customer", "internal", False, "forbidden"),
        ("get_order_details", "order", "customer", "internal", False, "not_found"),
    ]
    async with sessions() as s:
        assert (await s.execute(select(AuditEvent))).first() is None


async def test_recording_that_fails_never_replaces_the_tool_s_answer(sessions, call, admin, monkeypatch, caplog):
    def broken(_sessions):
        raise RuntimeError("record store unavailable")

    monkeypatch.setattr(calls, "unit_of_work", broken)
    caplog.set_level(logging.WARNING)
    alert = await call(admin, "create_system_alert", title="Still raised")
    with pytest.raises(NotFound):
        await call(admin, "get_system_alert", alert_id=alert.id + 1)
    assert "could not record the create_system_alert call" in caplog.text
    monkeypatch.undo()
    assert (await call(admin, "get_system_alert", alert_id=alert.id)).title == "Still raised"
    assert await records(sessions) == [("get_system_alert", "monitoring", "admin", "internal", True, None)]


async def test_a_bug_is_recorded_as_an_internal_error(sessions, call, admin, monkeypatch):
    from tools.monitoring import alerts

    async def crash(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(alerts, "get_alert", crash)
    with pytest.raises(ZeroDivisionError):
        await call(admin, "get_system_alert", alert_id=1)
    assert await records(sessions) == [("get_system_alert", "monitoring", "admin", "internal", False,
                                        "internal_error")]


async def test_the_record_is_written_after_the_tool_s_transaction(sessions, call, admin, monkeypatch):
    seen = []
    write = calls.write_call

    async def spy(sessions_, **kw):
        async with sessions_() as s:  # the tool's own rows are already committed and visible
            seen.append((await s.execute(select(AuditEvent.action))).scalars().all())
        await write(sessions_, **kw)

    monkeypatch.setattr(calls, "write_call", spy)
    await call(admin, "create_system_alert", title="Committed first", severity="info")
    assert seen == [["raised"]]
    assert [r[0] for r in await records(sessions)] == ["create_system_alert"]

