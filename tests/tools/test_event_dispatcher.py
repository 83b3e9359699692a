"""The dispatcher: at least once, in order per aggregate, effects atomic with their delivery row, dead letters."""

import asyncio

import pytest
from sqlalchemy import func, select

from db.engine import make_engine, make_sessionmaker
from db.enums import DeliveryStatus
from db.models import AuditEvent, Customer, EventDelivery, OutboxEvent
from tests.tools.event_helpers import POLICY, Clock, deliveries, dispatcher, emit_events, handled, recorder
from tools.events.registry import HandlerRegistry
from tools.events.relay import RELAY

A, B = "#W1000001", "#W1000002"
BASE = POLICY.retry_base


async def test_a_handler_receives_each_aggregates_events_in_order_as_the_system(sessions):
    registry = HandlerRegistry()
    recorder(registry, "test.orders", "order.*")
    ids = await emit_events(sessions, ("order.placed", A), ("order.placed", B), ("order.processed", A),
                            ("customer.created", "c1"), ("order.processed", B), ("order.cancelled", A))
    report = await dispatcher(sessions, registry, Clock()).drain()
    assert (report.dispatched, report.delivered, report.failed, report.dead) == (6, 5, 0, 0)
    seen = await handled(sessions, "test.orders")
    assert [i for key, i in seen if key == A] == [ids[0], ids[2], ids[5]]
    assert [i for key, i in seen if key == B] == [ids[1], ids[4]]
    async with sessions() as s:
        actors = set((await s.scalars(select(AuditEvent.actor).where(AuditEvent.action == "test.orders"))).all())
    assert actors == {"system:test.orders"}


async def test_a_failing_handler_is_retried_with_backoff_and_its_effect_is_applied_once(sessions):
    registry = HandlerRegistry()
    first, second, other = await emit_events(sessions, ("order.placed", A), ("order.processed", A),
                                             ("order.placed", B))
    recorder(registry, "test.orders", "order.*", fail={first: 2})
    clock = Clock()
    events = dispatcher(sessions, registry, clock)

    report = await events.drain()
    assert (report.delivered, report.failed) == (1, 1)
    row = (await deliveries(sessions, "test.orders"))[first]
    assert (row.status, row.attempts) == (DeliveryStatus.RETRYING, 1)
    assert row.next_attempt_at == clock.now + BASE and "cannot handle" in row.last_error
    # The failed attempt's write rolled back with it; the aggregate's next event waits; B went ahead.
    assert await handled(sessions, "test.orders") == [(B, other)]

    clock.advance(4)
    assert not await events.drain()
    clock.advance(1)
    assert (await events.drain()).failed == 1
    row = (await deliveries(sessions, "test.orders"))[first]
    assert (row.attempts, row.next_attempt_at) == (2, clock.now + 2 * BASE)

    clock.advance(10)
    assert (await events.drain()).delivered == 2
    assert await handled(sessions, "test.orders") == [(B, other), (A, first), (A, second)]
    row = (await deliveries(sessions, "test.orders"))[first]
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.DELIVERED, 3, None)
    assert row.delivered_at == clock.now


async def test_a_handler_that_keeps_failing_is_dead_lettered_and_later_events_go_on(sessions):
    registry = HandlerRegistry()
    first, second = await emit_events(sessions, ("order.placed", A), ("order.processed", A))
    recorder(registry, "test.orders", "order.*", fail={first: 99})
    clock = Clock()
    events = dispatcher(sessions, registry, clock)
    await events.drain()
    clock.advance(5)
    report = await events.drain()
    assert (report.dead, report.delivered) == (0, 0)
    clock.advance(10)
    report = await events.drain()
    # Third attempt = POLICY.max_attempts: parked as a dead letter, so the aggregate's next event is delivered.
    assert (report.dead, report.delivered) == (1, 1)
    rows = await deliveries(sessions, "test.orders")
    assert (rows[first].status, rows[first].attempts) == (DeliveryStatus.DEAD, 3)
    assert rows[second].status == DeliveryStatus.DELIVERED
    clock.advance(3600)
    assert not await events.drain()


async def test_relay_deliveries_wait_while_no_broker_is_configured(sessions):
    [event_id] = await emit_events(sessions, ("customer.created", "c1"))
    report = await dispatcher(sessions, HandlerRegistry(), Clock()).drain()
    assert (report.dispatched, report.delivered) == (1, 0)
    row = (await deliveries(sessions, RELAY))[event_id]
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    async with sessions() as s:
        event = await s.get(OutboxEvent, event_id)
    assert event.dispatched_at is not None and event.published_at is None


async def test_events_a_handler_emits_are_dispatched_in_the_same_drain(sessions):
    registry = HandlerRegistry()
    recorder(registry, "test.customers", "customer.created")

    @registry.handles("order.placed", name="test.welcome")
    async def welcome(ctx, event):
        from tools.audit import emit

        emit(ctx, "customer.created", f"from-{event.key}", {})

    await emit_events(sessions, ("order.placed", A))
    report = await dispatcher(sessions, registry, Clock()).drain()
    assert report.dispatched == 2 and await handled(sessions, "test.customers") == [(f"from-{A}", 2)]


async def test_a_handler_whose_write_breaks_a_constraint_fails_cleanly_and_is_retried(sessions):
    registry = HandlerRegistry()
    [event_id] = await emit_events(sessions, ("customer.created", "c1"))
    contexts = []

    @registry.handles("customer.created", name="test.twins")
    async def twins(ctx, event):
        contexts.append((ctx.principal.label, ctx.idempotency_key))
        for n in range(2):  # the second breaks the unique email
            ctx.session.add(Customer(id=f"twin-{n}", email="twin@example.com", first_name="T", last_name="Win"))
        await ctx.session.flush()

    clock = Clock()
    report = await dispatcher(sessions, registry, clock).drain()
    assert report.failed == 1
    row = (await deliveries(sessions, "test.twins"))[event_id]
    assert (row.status, row.attempts) == (DeliveryStatus.RETRYING, 1) and "IntegrityError" in row.last_error
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Customer)) == 0
    assert contexts == [("system:test.twins", f"event:{event_id}:test.twins")]


def test_handlers_name_catalogued_topics_and_are_registered_once():
    registry = HandlerRegistry()

    async def noop(ctx, event):
        return None

    with pytest.raises(ValueError, match="matches no topic"):
        registry.handles("order.shipped_to_mars", name="test.noop")(noop)
    registry.handles("order.*", name="test.noop")(noop)
    with pytest.raises(ValueError, match="registered twice"):
        registry.handles("order.placed", name="test.noop")(noop)
    with pytest.raises(TypeError, match="async def"):
        registry.handles("order.placed", name="test.sync")(lambda ctx, event: None)


async def test_two_dispatchers_deliver_each_event_once_per_handler_in_order(sessions, database_url):
    registry = HandlerRegistry()
    recorder(registry, "test.first", "order.*", pause_odd=0.02)
    recorder(registry, "test.second", "order.placed", "order.cancelled", pause_odd=0.02)
    keys = [f"#W200000{k}" for k in range(3)]
    topics = ["order.placed", "order.processed", "order.cancelled"]
    ids = await emit_events(sessions, *[(topics[n % 3], keys[n // 2 % 3]) for n in range(24)])
    engines = [make_engine(database_url, pool_size=2), make_engine(database_url, pool_size=2)]
    try:
        clock = Clock()
        workers = [dispatcher(make_sessionmaker(e), registry, clock) for e in engines]
        reports = await asyncio.gather(*(until_idle(sessions, w) for w in workers))
    finally:
        for engine in engines:
            await engine.dispose()
    first, second = await handled(sessions, "test.first"), await handled(sessions, "test.second")
    assert sorted(i for _, i in first) == ids
    async with sessions() as s:
        wanted = set((await s.scalars(select(OutboxEvent.id).where(OutboxEvent.topic != "order.processed"))).all())
        open_rows = await s.scalar(select(func.count()).select_from(EventDelivery).where(
            EventDelivery.handler != RELAY, EventDelivery.status != DeliveryStatus.DELIVERED))
    assert sorted(i for _, i in second) == sorted(wanted)
    assert open_rows == 0 and sum(reports) == len(first) + len(second)
    for seen in (first, second):
        for key in keys:
            in_key = [i for k, i in seen if k == key]
            assert in_key == sorted(in_key)


async def until_idle(sessions, worker) -> int:
    """Drain again and again while the other worker still holds work; returns deliveries made."""
    delivered = 0
    for _ in range(500):
        delivered += (await worker.drain()).delivered
        async with sessions() as s:
            busy = await s.scalar(select(func.count()).select_from(EventDelivery).where(
                EventDelivery.handler != RELAY, EventDelivery.status != DeliveryStatus.DELIVERED))
            fresh = await s.scalar(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.dispatched_at.is_(None)))
        if not busy and not fresh:
            return delivered
        await asyncio.sleep(0.01)
    raise AssertionError("the dispatchers did not finish")
