"""Orders held for fraud review: placed on hold by a high score, released or rejected, and REST parity."""

import pytest
from sqlalchemy import select

from db.enums import BlockedKind, FraudLevel, OrderStatus
from db.models import AuditEvent, FraudCheck, OutboxEvent
from tests import factories as f
from tests.tools.fraud_helpers import block
from tests.tools.order_helpers import allocated, balance, shop, snapshot
from tools.errors import Conflict, Forbidden, InvalidInput

IP = "203.0.113.7"


async def held(sessions, call, as_customer):
    """A fresh customer's order from a blocked IP: 15 + 40 = 55, high, so it is created on hold."""
    sh = await shop(sessions)
    await block(sessions, BlockedKind.IP, IP)
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED", "quantity": 2}],
                     payment_method_id=sh.gift.id, client_ip=IP)
    return sh, out


async def trail(sessions, order_id):
    async with sessions() as s:
        audits = (await s.execute(select(AuditEvent.action, AuditEvent.to_state, AuditEvent.actor).where(
            AuditEvent.entity == "order", AuditEvent.entity_id == order_id).order_by(AuditEvent.id))).all()
        topics = (await s.execute(select(OutboxEvent.topic).where(OutboxEvent.key == order_id)
                                  .order_by(OutboxEvent.id))).scalars().all()
        check = await s.scalar(select(FraudCheck).where(FraudCheck.order_id == order_id))
    return audits, topics, check


async def test_a_high_score_at_placement_holds_the_order_for_review(sessions, call, as_customer, support):
    sh, out = await held(sessions, call, as_customer)
    assert out.status == OrderStatus.ON_HOLD
    assert await allocated(sessions, sh.red) == (10, 2)  # stock held and paid like any order
    queue = await call(support, "get_hold_queue")
    assert queue.total == 1
    entry = queue.orders[0]
    assert (entry.order_id, entry.email, entry.score, entry.level) == (out.order_id, sh.customer.email, 55,
                                                                       FraudLevel.HIGH)
    assert entry.factors == {"new_account": 15, "bad_ip_reputation": 40}


async def test_release_puts_the_order_back_to_pending(sessions, call, as_customer, support):
    sh, out = await held(sessions, call, as_customer)
    done = await call(support, "release_held_order", order_id=out.order_id, note="called the customer")
    assert (done.status, done.outcome, done.reviewed_by, done.refunded) == ("pending", "released", support.label, 0)
    assert (await call(support, "get_order_details", order_id=out.order_id)).status == OrderStatus.PENDING
    audits, topics, check = await trail(sessions, out.order_id)
    assert ("status_changed", "pending", support.label) in audits and ("fraud_reviewed", None, support.label) in audits
    assert topics[-2:] == ["order.pending", "order.fraud_reviewed"]
    assert (check.reviewed_by, check.review_outcome, check.id) == (support.label, "released", done.check_id)
    assert check.reviewed_at == done.reviewed_at
    assert await allocated(sessions, sh.red) == (10, 2)
    assert (await call(support, "get_hold_queue")).total == 0


async def test_reject_cancels_refunds_and_releases_the_stock(sessions, call, as_customer, support):
    sh, out = await held(sessions, call, as_customer)
    assert await balance(sessions, sh.gift) == 500 - 178
    done = await call(support, "reject_held_order", order_id=out.order_id, reason="stolen card confirmed")
    assert (done.status, done.outcome, done.refunded) == ("cancelled", "rejected", 178)
    details = await call(support, "get_order_details", order_id=out.order_id)
    assert details.status == OrderStatus.CANCELLED and details.payment_history[-1].transaction_type == "refund"
    assert await balance(sessions, sh.gift) == 500 and await allocated(sessions, sh.red) == (10, 0)
    audits, topics, check = await trail(sessions, out.order_id)
    assert ("status_changed", "cancelled", support.label) in audits
    assert "order.cancelled" in topics and topics[-1] == "order.fraud_reviewed"
    assert (check.review_outcome, check.reviewed_by) == ("rejected", support.label)


async def test_a_status_change_off_hold_is_the_same_review_decision(sessions, call, as_customer, support):
    """The order specialist's status change and the review queue are one path: who decided is recorded."""
    sh, out = await held(sessions, call, as_customer)
    done = await call(support, "update_order_status", order_id=out.order_id, status="pending", reason="phoned her")
    assert done.status == OrderStatus.PENDING
    audits, topics, check = await trail(sessions, out.order_id)
    assert ("fraud_reviewed", None, support.label) in audits and topics[-1] == "order.fraud_reviewed"
    assert (check.review_outcome, check.reviewed_by) == ("released", support.label)


async def test_cancelling_a_held_order_by_status_rejects_it_after_review(sessions, call, as_customer, support):
    sh, out = await held(sessions, call, as_customer)
    with pytest.raises(InvalidInput):
        await call(support, "update_order_status", order_id=out.order_id, status="cancelled")
    done = await call(support, "update_order_status", order_id=out.order_id, status="cancelled",
                      reason="not placed by the account holder")
    assert done.status == OrderStatus.CANCELLED and done.payment_history[-1].transaction_type == "refund"
    _, _, check = await trail(sessions, out.order_id)
    assert (check.review_outcome, check.reviewed_by) == ("rejected", support.label)


async def test_warehouse_staff_may_not_take_an_order_off_hold(sessions, call, as_customer, warehouse_staff):
    sh, out = await held(sessions, call, as_customer)
    before = await snapshot(sessions, out.order_id, sh.gift)
    for status in ("pending", "cancelled"):
        with pytest.raises(Forbidden):
            await call(warehouse_staff, "update_order_status", order_id=out.order_id, status=status, reason="ok")
    assert await snapshot(sessions, out.order_id, sh.gift) == before


async def test_only_held_orders_are_reviewed_and_refusals_change_nothing(sessions, call, as_customer, support,
                                                                        warehouse_staff):
    sh = await shop(sessions)
    pending = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                         payment_method_id=sh.gift.id)
    before = await snapshot(sessions, pending.order_id, sh.gift)
    for name, args in (("release_held_order", {"note": "all fine"}), ("reject_held_order", {"reason": "looks odd"})):
        with pytest.raises(Conflict) as err:
            await call(support, name, order_id=pending.order_id, **args)
        assert err.value.code == "not_on_hold"
        for principal in (as_customer(sh.customer), warehouse_staff):
            with pytest.raises(Forbidden):
                await call(principal, name, order_id=pending.order_id, **args)
    for name in ("reject_held_order", "release_held_order"):  # a written reason is required
        with pytest.raises(InvalidInput):
            await call(support, name, order_id=pending.order_id)
    assert await snapshot(sessions, pending.order_id, sh.gift) == before
    with pytest.raises(Forbidden):
        await call(as_customer(sh.customer), "get_hold_queue")
    with pytest.raises(Forbidden):
        await call(as_customer(sh.customer), "get_customer_fraud_history", customer_id=sh.customer.id)


async def test_rest_parity(sessions, call, api, as_customer):
    sh, out = await held(sessions, call, as_customer)
    boss = await f.staff_user(sessions, role="support")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    principal = await _principal(boss)
    queue = await call(principal, "get_hold_queue")
    response = await api.get("/api/v1/fraud/hold-queue", headers=auth)
    assert response.status_code == 200 and response.json() == queue.model_dump(mode="json")
    number = out.order_id.lstrip("#")
    response = await api.post(f"/api/v1/fraud/orders/{number}/score", headers=auth)
    assert response.status_code == 200 and response.json()["score"] == 55 and response.json()["decision"] == "review"
    history = await call(principal, "get_customer_fraud_history", customer_id=sh.customer.id)
    response = await api.get(f"/api/v1/fraud/customers/{sh.customer.id}/history", headers=auth)
    assert response.status_code == 200 and response.json() == history.model_dump(mode="json")
    response = await api.post("/api/v1/fraud/blocklist", json={"ip": IP, "email": "a@b.co", "reason": "both"},
                              headers=auth)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    response = await api.post(f"/api/v1/fraud/orders/{number}/release", json={"note": "called her"}, headers=auth)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    customer_auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    response = await api.get("/api/v1/fraud/blocklist", headers=customer_auth)
    assert response.status_code == 403


async def _principal(user):
    from tools.context import Principal

    return Principal(role=user.role, subject=user.username, display=user.username)
