"""Staff tools over event deliveries: dead letters are visible, a retry delivers them, statistics add up."""

import pytest
from sqlalchemy import select

from db.enums import DeliveryStatus
from db.models import AuditEvent
from tests import factories as f
from tests.tools.event_helpers import Clock, deliveries, dispatcher, emit_events, handled, recorder
from tools.errors import Conflict, Forbidden, NotFound
from tools.events.registry import HandlerRegistry
from tools.events.relay import RELAY


async def dead_letter(sessions):
    """One event whose handler failed three times (a dead letter) and one it delivered; the clock at the end."""
    registry = HandlerRegistry()
    bad, good = await emit_events(sessions, ("order.placed", "#W1000001"), ("customer.created", "c1"))
    failures = recorder(registry, "test.reactions", "order.placed", "customer.created", fail={bad: 3})
    clock = Clock()
    events = dispatcher(sessions, registry, clock)
    for wait in (0, 5, 10):
        clock.advance(wait)
        await events.drain()
    return events, clock, bad, good, failures


async def test_a_dead_letter_is_listed_and_a_staff_retry_delivers_it(sessions, call, support):
    events, clock, bad, good, _ = await dead_letter(sessions)
    listed = await call(support, "list_event_deliveries")
    [row] = listed.deliveries
    assert (row.event_id, row.topic, row.handler, row.status, row.attempts) == (
        bad, "order.placed", "test.reactions", DeliveryStatus.DEAD, 3)
    assert "cannot handle" in row.last_error and row.next_attempt_at is None and listed.total == 1

    retried = await call(support, "retry_event_delivery", delivery_id=row.id)
    assert (retried.delivery.status, retried.delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert "queued again" in retried.message
    # The retry is queued at the tools' clock (now); the dispatcher's clock is later still.
    clock.advance(60)
    assert (await events.drain()).delivered == 1
    assert [i for _, i in await handled(sessions, "test.reactions")] == [good, bad]
    assert (await call(support, "list_event_deliveries")).total == 0
    async with sessions() as s:
        actors = (await s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "retry_requested"))).all()
    assert actors == ["staff:support-tester"]


async def test_retry_refuses_delivered_queued_and_unknown_deliveries(sessions, call, admin):
    await dead_letter(sessions)
    rows = await deliveries(sessions, "test.reactions")
    delivered = next(r for r in rows.values() if r.status == DeliveryStatus.DELIVERED)
    with pytest.raises(Conflict, match="already delivered"):
        await call(admin, "retry_event_delivery", delivery_id=delivered.id)
    relay = next(iter((await deliveries(sessions, RELAY)).values()))
    with pytest.raises(Conflict, match="already waiting"):
        await call(admin, "retry_event_delivery", delivery_id=relay.id)
    with pytest.raises(NotFound):
        await call(admin, "retry_event_delivery", delivery_id=99999)


async def test_a_waiting_retry_is_brought_forward(sessions, call, admin):
    registry = HandlerRegistry()
    [event_id] = await emit_events(sessions, ("order.placed", "#W1000001"))
    recorder(registry, "test.reactions", "order.placed", fail={event_id: 1})
    clock = Clock()
    events = dispatcher(sessions, registry, clock)
    await events.drain()
    row = (await deliveries(sessions, "test.reactions"))[event_id]
    assert row.status == DeliveryStatus.RETRYING
    retried = await call(admin, "retry_event_delivery", delivery_id=row.id)
    assert (retried.delivery.status, retried.delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert retried.delivery.next_attempt_at < row.next_attempt_at
    # The tool ran on the real clock, some time after the dispatcher's (more than a second on a loaded machine):
    # the dispatcher's clock moves to the retry's time, still before the retry it replaced.
    clock.now = retried.delivery.next_attempt_at
    assert (await events.drain()).delivered == 1


async def test_statistics_count_events_and_deliveries_per_handler(sessions, call, merchant):
    await dead_letter(sessions)
    stats = await call(merchant, "get_event_delivery_stats")
    assert (stats.events, stats.waiting_for_dispatch, stats.published, stats.unpublished) == (2, 0, 0, 2)
    assert (stats.dead_letters, stats.retrying) == (1, 0)
    by_name = {h.handler: h for h in stats.handlers}
    assert (by_name[RELAY].pending, by_name[RELAY].delivered) == (2, 0)
    assert by_name[RELAY].oldest_open_event_at is not None
    reactions = by_name["test.reactions"]
    assert (reactions.delivered, reactions.dead, reactions.oldest_open_event_at) == (1, 1, None)


async def test_filters_by_status_handler_and_topic(sessions, call, admin):
    await dead_letter(sessions)
    relay = await call(admin, "list_event_deliveries", status="pending", handler=RELAY)
    assert relay.total == 2 and {d.handler for d in relay.deliveries} == {RELAY}
    placed = await call(admin, "list_event_deliveries", status="all", topic="order.placed")
    assert {(d.handler, d.status) for d in placed.deliveries} == {
        (RELAY, DeliveryStatus.PENDING), ("test.reactions", DeliveryStatus.DEAD)}


async def test_customers_cannot_see_or_retry_deliveries(sessions, call, as_customer):
    customer = as_customer(await f.customer(sessions))
    for name, args in [("list_event_deliveries", {}), ("get_event_delivery_stats", {}),
                       ("retry_event_delivery", {"delivery_id": 1})]:
        with pytest.raises(Forbidden):
            await call(customer, name, **args)
