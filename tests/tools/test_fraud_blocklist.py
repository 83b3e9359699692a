"""The blocklist: block and unblock each kind, expiry, listing, and what a block does at checkout."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import OrderStatus
from db.models import AuditEvent, BlockedEntity, FraudCheck, Order, OutboxEvent
from tests import factories as f
from tests.tools.fraud_helpers import quiet_customer
from tests.tools.order_helpers import shop
from tools.errors import Forbidden, InvalidInput, NotFound


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("field", "kind"), [("email", "email"), ("ip", "ip"), ("customer_id", "customer"),
                                             ("payment_method_id", "card")])
async def test_block_and_unblock_each_kind(sessions, call, support, merchant, field, kind):
    ava, card = await quiet_customer(sessions)
    value = {"email": "Scam@Example.org", "ip": "203.0.113.7", "customer_id": ava.email,
             "payment_method_id": card.id}[field]
    out = await call(support, "block_entity", **{field: value}, reason="chargeback fraud")
    stored = {"email": "scam@example.org", "ip": "203.0.113.7", "customer_id": ava.id, "payment_method_id": card.id}
    assert (out.entry.kind, out.entry.value, out.entry.status, out.was_active) == (kind, stored[field], "active", False)
    assert out.entry.blocked_by == support.label and out.entry.expires_at is None
    listed = await call(support, "list_blocklist")
    assert [e.value for e in listed.entries] == [stored[field]] and listed.total == 1
    with pytest.raises(Forbidden):  # lifting a block needs a merchant or admin
        await call(support, "unblock_entity", **{field: value}, reason="cleared")
    out = await call(merchant, "unblock_entity", **{field: value}, reason="cleared")
    assert out.entry.status == "unblocked"
    assert (await call(support, "list_blocklist")).total == 0
    assert (await call(support, "list_blocklist", include_inactive=True)).entries[0].status == "unblocked"
    async with sessions() as s:
        topics = (await s.execute(select(OutboxEvent.topic).order_by(OutboxEvent.id))).scalars().all()
        actions = (await s.execute(select(AuditEvent.action).order_by(AuditEvent.id))).scalars().all()
    assert topics == ["blocked_entity.blocked", "blocked_entity.unblocked"] and actions == ["blocked", "unblocked"]


async def test_blocking_again_renews_the_entry(sessions, call, support):
    first = await call(support, "block_entity", ip="203.0.113.7", reason="bots", expires_in_days=1)
    again = await call(support, "block_entity", ip="203.0.113.7", reason="more bots", expires_in_days=30)
    assert again.was_active and again.entry.id == first.entry.id and again.entry.reason == "more bots"
    assert again.entry.expires_at - first.entry.expires_at >= timedelta(days=29)
    assert await count(sessions, BlockedEntity) == 1


async def test_an_expired_block_no_longer_counts(sessions, call, support, admin, as_customer):
    sh = await shop(sessions)
    out = await call(support, "block_entity", email=sh.customer.email, reason="suspicious", expires_in_days=2)
    with pytest.raises(Forbidden):
        await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}], payment_method_id=sh.card.id)
    async with unit_of_work(sessions) as s:  # two days later: the block has lapsed
        entry = await s.get(BlockedEntity, out.entry.id)
        entry.expires_at = utcnow() - timedelta(seconds=1)
    placed = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                        payment_method_id=sh.card.id)
    assert placed.status == OrderStatus.PENDING
    listed = await call(support, "list_blocklist", include_inactive=True)
    assert (listed.entries[0].status, (await call(support, "list_blocklist")).total) == ("expired", 0)
    with pytest.raises(NotFound):  # nothing active left to unblock
        await call(admin, "unblock_entity", email=sh.customer.email, reason="identity checked")


async def test_blocked_ip_from_the_request_holds_the_order(sessions, call, support, as_customer):
    sh = await shop(sessions)
    await call(support, "block_entity", ip="203.0.113.7", reason="card testing")
    out = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}],
                     payment_method_id=sh.card.id, client_ip="203.0.113.7")
    assert out.status == OrderStatus.ON_HOLD  # new account 15 + bad IP 40 = 55: review


@pytest.mark.parametrize(("args", "error"), [
    ({"reason": "x y z"}, InvalidInput),
    ({"email": "a@b.co", "ip": "203.0.113.7", "reason": "both"}, InvalidInput),
    ({"ip": "999.1.1.1", "reason": "bad ip"}, InvalidInput),
    ({"email": "a@b.co", "reason": "x"}, InvalidInput),
    ({"email": "a@b.co", "reason": "never", "expires_in_days": 0}, InvalidInput),
    ({"customer_id": "nobody_here_1", "reason": "unknown"}, NotFound),
    ({"payment_method_id": "credit_card_404", "reason": "unknown"}, NotFound),
])
async def test_bad_block_requests_change_nothing(sessions, call, support, args, error):
    with pytest.raises(error):
        await call(support, "block_entity", **args)
    assert await count(sessions, BlockedEntity) == 0 and await count(sessions, AuditEvent) == 0


async def test_customers_and_warehouse_staff_cannot_touch_the_blocklist(sessions, call, as_customer,
                                                                       warehouse_staff, admin):
    ava = await f.customer(sessions)
    for principal in (as_customer(ava), warehouse_staff):
        for name, args in (("block_entity", {"email": "x@y.zz", "reason": "test"}), ("list_blocklist", {}),
                           ("unblock_entity", {"email": "x@y.zz", "reason": "cleared"})):
            with pytest.raises(Forbidden):
                await call(principal, name, **args)
    with pytest.raises(NotFound):
        await call(admin, "unblock_entity", email="never@blocked.example", reason="cleared")
    with pytest.raises(InvalidInput):  # a written reason is required
        await call(admin, "unblock_entity", email="never@blocked.example")
    assert await count(sessions, BlockedEntity) == 0


async def test_a_refused_attempt_is_in_the_customers_fraud_history(sessions, call, support, as_customer):
    sh = await shop(sessions)
    await call(support, "block_entity", payment_method_id=sh.card.id, reason="stolen card")
    with pytest.raises(Forbidden) as refused:
        await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED"}], payment_method_id=sh.card.id,
                   client_ip="198.51.100.4")
    assert refused.value.code == "order_refused"
    assert await count(sessions, Order) == 0
    ok = await call(as_customer(sh.customer), "place_order", lines=[{"item": "MUG-W"}], payment_method_id=sh.gift.id)
    history = await call(support, "get_customer_fraud_history", customer_id=sh.customer.email)
    assert (history.total, history.refused_attempts, history.blocked) == (2, 1, True)
    assert [e.kind for e in history.block_entries] == ["card"]
    latest, attempt = history.checks
    assert (latest.order_id, latest.refused, latest.decision) == (ok.order_id, False, "approve")
    assert (attempt.order_id, attempt.refused, attempt.score, attempt.decision) == (None, True, 100, "block")
    assert (attempt.amount, attempt.client_ip, attempt.factors) == (89, "198.51.100.4", {"blocked_entity": 100})
    async with sessions() as s:
        assert set((await s.execute(select(FraudCheck.checked_by))).scalars()) == {f"customer:{sh.customer.email}"}
