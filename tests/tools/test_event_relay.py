"""The broker relay against the local NATS JetStream server: each outbox event stored once, even when redelivered.

Every test makes its own uniquely named stream and subject prefix and deletes the stream afterwards, so the
server's other streams never matter. The `jetstream` fixture (tests/conftest.py) skips without a reachable
server, except in CI, where .ci/run starts one.
"""

import json

from sqlalchemy import select

from db.enums import DeliveryStatus
from db.models import OutboxEvent
from tests.tools.event_helpers import Clock, deliveries, dispatcher, emit_events, handled, recorder
from tools.events.publisher import JetStreamConfig, NatsJetStreamPublisher
from tools.events.registry import Event, HandlerRegistry
from tools.events.relay import RELAY


class CrashAfterPublish:
    """A publisher that stores the event and then fails, once per listed event: a crash before the commit."""

    def __init__(self, inner: NatsJetStreamPublisher, crash_on: set[int]):
        self.inner, self.crash_on, self.target = inner, set(crash_on), inner.target

    async def connect(self) -> None:
        await self.inner.connect()

    async def publish(self, event: Event) -> None:
        await self.inner.publish(event)
        if event.id in self.crash_on:
            self.crash_on.discard(event.id)
            raise RuntimeError("crashed after publishing, before the delivery committed")

    async def close(self) -> None:
        await self.inner.close()


async def stored(js, config: JetStreamConfig) -> list:
    """Every message in the stream, by sequence."""
    count = (await js.stream_info(config.stream)).state.messages
    return [await js.get_msg(config.stream, seq) for seq in range(1, count + 1)]


async def test_outbox_events_are_published_once_even_when_redelivered(sessions, jetstream):
    config, js = jetstream
    ids = await emit_events(sessions, ("order.placed", "#W1000001"), ("order.processed", "#W1000001"),
                            ("customer.created", "c1"))
    publisher = NatsJetStreamPublisher(config)
    clock = Clock()
    relay = dispatcher(sessions, HandlerRegistry(), clock, publisher=CrashAfterPublish(publisher, {ids[1]}))
    try:
        report = await relay.drain()
        assert (report.delivered, report.failed) == (2, 1)
        clock.advance(5)
        assert (await relay.drain()).delivered == 1
        await publisher.publish(Event.of(await _row(sessions, ids[0])))  # and once more by hand
    finally:
        await relay.close()

    messages = await stored(js, config)
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [str(i) for i in ids]
    assert [m.subject for m in messages] == [f"{config.subject_prefix}.{t}" for t in
                                             ("order.placed", "order.processed", "customer.created")]
    body = json.loads(messages[0].data)
    assert (body["id"], body["topic"], body["key"], body["payload"]) == (ids[0], "order.placed", "#W1000001", {"n": 0})
    assert messages[0].headers["Shopcrew-Key"] == "#W1000001"
    rows = await deliveries(sessions, RELAY)
    assert {r.status for r in rows.values()} == {DeliveryStatus.DELIVERED} and rows[ids[1]].attempts == 2
    async with sessions() as s:
        assert None not in (await s.scalars(select(OutboxEvent.published_at))).all()


async def test_the_stream_is_created_for_the_prefix_and_consumers_read_it_in_order(sessions, jetstream):
    config, js = jetstream
    ids = await emit_events(sessions, *[("order.placed", f"#W100000{n}") for n in range(3)])
    relay = dispatcher(sessions, HandlerRegistry(), Clock(), publisher=NatsJetStreamPublisher(config))
    try:
        assert (await relay.drain()).delivered == 3
    finally:
        await relay.close()
    info = await js.stream_info(config.stream)
    assert info.config.subjects == [f"{config.subject_prefix}.>"]
    assert info.config.duplicate_window == config.duplicate_window.total_seconds()
    consumer = await js.pull_subscribe(f"{config.subject_prefix}.order.>", durable="test-reader",
                                       stream=config.stream)
    batch = await consumer.fetch(3, timeout=5)
    for message in batch:
        await message.ack()
    assert [json.loads(m.data)["id"] for m in batch] == ids


async def test_an_unreachable_broker_leaves_relay_deliveries_waiting_with_their_attempts(sessions):
    registry = HandlerRegistry()
    recorder(registry, "test.orders", "order.placed")
    [event_id] = await emit_events(sessions, ("order.placed", "#W1000001"))
    nowhere = NatsJetStreamPublisher(JetStreamConfig(servers=("nats://127.0.0.1:1",), timeout_seconds=1))
    relay = dispatcher(sessions, registry, Clock(), publisher=nowhere)
    try:
        assert (await relay.drain()).delivered == 1
    finally:
        await relay.close()
    row = (await deliveries(sessions, RELAY))[event_id]
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0) and relay.broker_down
    assert await handled(sessions, "test.orders") == [("#W1000001", event_id)]


async def _row(sessions, event_id: int) -> OutboxEvent:
    async with sessions() as s:
        return await s.get(OutboxEvent, event_id)
