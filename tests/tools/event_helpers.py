"""Builders and probes shared by the event dispatcher, relay and tool tests."""

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from db.base import utcnow
from db.engine import unit_of_work
from db.models import AuditEvent, EventDelivery, OutboxEvent
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.events.dispatcher import Dispatcher, DispatchPolicy
from tools.events.registry import HandlerRegistry
from tools.principals import system_principal

POLICY = DispatchPolicy(max_attempts=3, retry_base=timedelta(seconds=5))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def emit_events(sessions, *events: tuple[str, str]) -> list[int]:
    """Write (topic, key) events to the outbox, in that order, one committed transaction each; returns ids."""
    ids = []
    for n, (topic, key) in enumerate(events):
        async with unit_of_work(sessions) as session:
            emit(ToolContext(session=session, principal=system_principal("test")), topic, key, {"n": n})
            await session.flush()
            ids.append(await session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)))
    return ids


def recorder(registry: HandlerRegistry, name: str, *topics: str, fail: dict[int, int] | None = None,
             pause_odd: float = 0):
    """Register a handler writing one audit row per event; `fail` maps event id -> attempts to fail first.

    The audit row is written before the failure, so a test sees whether a failed attempt's writes survive.
    `pause_odd` holds odd events back before writing, so a dispatcher that let a later event of the same
    aggregate overtake would write their rows out of order.
    """
    failures = dict(fail or {})

    async def record(ctx, event):
        if event.id % 2:
            await asyncio.sleep(pause_odd)
        audit(ctx, "test_event", event.key, name, data={"event_id": event.id, "topic": event.topic})
        await ctx.session.flush()
        if failures.get(event.id, 0) > 0:
            failures[event.id] -= 1
            raise RuntimeError(f"{name} cannot handle event {event.id} yet")

    registry.handles(*topics, name=name)(record)
    return failures


async def handled(sessions, name: str) -> list[tuple[str, int]]:
    """(key, event id) of each audit row the named recorder wrote, in the order they were written."""
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.action == name).order_by(AuditEvent.id))).all()
    return [(r.entity_id, r.data["event_id"]) for r in rows]


async def deliveries(sessions, handler: str) -> dict[int, EventDelivery]:
    """The handler's delivery rows by event id."""
    async with sessions() as s:
        rows = (await s.scalars(select(EventDelivery).where(EventDelivery.handler == handler))).all()
    return {r.event_id: r for r in rows}


def dispatcher(sessions, registry: HandlerRegistry, clock: Clock, publisher=None, policy=POLICY) -> Dispatcher:
    """A dispatcher on the test database with the test's clock and a short retry policy."""
    return Dispatcher(sessions, registry, publisher=publisher, policy=policy, clock=clock)
