"""The dispatcher: outbox events -> one delivery row per handler -> each handler run at least once, in order.

Two steps, each in its own short transaction:
1. fan out: claim undispatched outbox events and create a delivery row for every handler of the topic;
2. deliver: claim the oldest due delivery whose aggregate has no earlier open delivery for that handler,
   run the handler inside a savepoint, and mark the row delivered in the same transaction (or record the
   failure: retry with exponential backoff, dead letter after `max_attempts`).
Rows are claimed with `SELECT ... FOR UPDATE SKIP LOCKED`, so several dispatchers (one per API worker)
share the work on PostgreSQL; SQLite serialises writers and runs one process.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import DeliveryStatus
from db.models import EventDelivery, OutboxEvent
from tools.context import ToolContext
from tools.events.publisher import EventPublisher
from tools.events.registry import Event, Handler, HandlerRegistry
from tools.events.relay import RELAY, relay_handler
from tools.principals import system_principal

log = logging.getLogger("shopcrew.events")
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


@dataclass(frozen=True)
class DispatchPolicy:
    """How often and how patiently deliveries are retried."""

    max_attempts: int = 8
    retry_base: timedelta = timedelta(seconds=5)
    retry_cap: timedelta = timedelta(hours=1)
    batch: int = 100

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure: base x 2^(attempts-1), capped."""
        return min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))


@dataclass
class DrainReport:
    """What one drain did: events fanned out, and deliveries delivered, failed (to retry) and dead-lettered."""

    dispatched: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def __bool__(self) -> bool:
        return bool(self.dispatched or self.attempts)

    @property
    def attempts(self) -> int:
        """Deliveries attempted, whatever their outcome."""
        return self.delivered + self.failed + self.dead

    def count(self, status: DeliveryStatus | None) -> None:
        """Add one delivery's outcome (None: nothing was due)."""
        if status is DeliveryStatus.DELIVERED:
            self.delivered += 1
        elif status is DeliveryStatus.RETRYING:
            self.failed += 1
        elif status is DeliveryStatus.DEAD:
            self.dead += 1

    def line(self) -> str:
        """One progress line for logs and the CLI."""
        return (f"dispatched {self.dispatched} events; delivered {self.delivered}, "
                f"failed {self.failed} (will retry), dead-lettered {self.dead}")


def undispatched(batch: int) -> Select:
    """The oldest outbox events without delivery rows yet, skipping those another dispatcher holds."""
    return (select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)).order_by(OutboxEvent.id)
            .limit(batch).with_for_update(skip_locked=True))


def next_due(handlers: list[str], now: datetime) -> Select:
    """The oldest due delivery that is next in line for its handler and aggregate, locked for this dispatcher."""
    d, earlier = EventDelivery, aliased(EventDelivery)
    waits_for_delivery = exists().where(
        earlier.handler == d.handler, earlier.aggregate == d.aggregate, earlier.key == d.key,
        earlier.event_id < d.event_id, earlier.status.in_(OPEN),
    )
    # An earlier event of the same key not yet fanned out (another dispatcher is doing it) comes first too.
    waits_for_fan_out = exists().where(
        OutboxEvent.key == d.key, OutboxEvent.id < d.event_id, OutboxEvent.dispatched_at.is_(None),
    )
    return (select(d).where(d.handler.in_(handlers), d.status.in_(OPEN), d.next_attempt_at <= now,
                            ~waits_for_delivery, ~waits_for_fan_out)
            .order_by(d.event_id).limit(1).with_for_update(skip_locked=True, of=d))


class Dispatcher:
    """Delivers outbox events to the registry's handlers and to the broker relay."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], handlers: HandlerRegistry, *,
                 publisher: EventPublisher | None = None, policy: DispatchPolicy | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.sessions = sessions
        self.publisher = publisher
        self.policy = policy or DispatchPolicy()
        self.clock = clock
        self.handlers: dict[str, Handler] = {h.name: h for h in [*handlers.all(), relay_handler(publisher)]}
        self.in_process = sorted(name for name in self.handlers if name != RELAY)
        self.broker_down = False

    async def fan_out(self) -> int:
        """Create the delivery rows of a batch of new events; returns how many events."""
        async with unit_of_work(self.sessions) as session:
            events = list(await session.scalars(undispatched(self.policy.batch)))
            now = self.clock()
            for event in events:
                for handler in self.handlers.values():
                    if handler.wants(event.topic):
                        session.add(EventDelivery(
                            event_id=event.id, handler=handler.name, aggregate=aggregate_of(event.topic),
                            key=event.key, status=DeliveryStatus.PENDING, next_attempt_at=now, created_at=now,
                        ))
                event.dispatched_at = now
            return len(events)

    async def runnable(self) -> list[str]:
        """The handlers to run now: relay deliveries are always created but wait while no broker is reachable."""
        if self.publisher is None:
            return self.in_process
        try:
            await self.publisher.connect()
        except Exception as exc:  # an unreachable broker must not cost relay deliveries their attempts
            if not self.broker_down:
                log.warning("broker %s unreachable, relay deliveries wait: %s", self.publisher.target, exc)
            self.broker_down = True
            return self.in_process
        if self.broker_down:
            log.info("broker %s reachable again", self.publisher.target)
        self.broker_down = False
        return [*self.in_process, RELAY]

    async def deliver_next(self, runnable: list[str] | None = None) -> DeliveryStatus | None:
        """Run the next due delivery of the runnable handlers; returns its new status, or None when none is due."""
        runnable = runnable if runnable is not None else await self.runnable()
        async with unit_of_work(self.sessions) as session:
            delivery = await session.scalar(next_due(runnable, self.clock()))
            if delivery is None:
                return None
            event = Event.of(await session.get(OutboxEvent, delivery.event_id))
            handler = self.handlers[delivery.handler]
            # A stable idempotency key per delivery: services that honour ctx.idempotency_key (payments)
            # then apply an external effect once even when the delivery is retried.
            ctx = ToolContext(session=session, principal=system_principal(handler.name), clock=self.clock,
                              idempotency_key=f"event:{event.id}:{handler.name}")
            try:
                async with session.begin_nested():  # the handler's writes roll back alone if it fails
                    await handler.func(ctx, event)
                    await session.flush()
            except Exception as exc:  # whatever the handler raised is recorded on its row, never lost
                return self._failed(delivery, event, exc)
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, self.clock()
            delivery.attempts += 1
            delivery.last_error = None
            return delivery.status

    def _failed(self, delivery: EventDelivery, event: Event, exc: Exception) -> DeliveryStatus:
        delivery.attempts += 1
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= self.policy.max_attempts:
            delivery.status = DeliveryStatus.DEAD
            log.warning("dead letter: %s of event %s (%s) after %s attempts: %s", delivery.handler, event.id,
                        event.topic, delivery.attempts, delivery.last_error)
        else:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = self.clock() + self.policy.backoff(delivery.attempts)
            log.info("%s failed on event %s (%s), attempt %s, retry at %s: %s", delivery.handler, event.id,
                     event.topic, delivery.attempts, delivery.next_attempt_at.isoformat(), delivery.last_error)
        return delivery.status

    async def drain(self, stop: asyncio.Event | None = None, progress_every: int = 500) -> DrainReport:
        """Fan out and deliver until nothing is due (handlers may emit new events, which go out too).

        A progress line is logged every `progress_every` deliveries, so a long backlog shows it is moving.
        """
        report = DrainReport()
        runnable = await self.runnable()
        while stop is None or not stop.is_set():
            dispatched = await self.fan_out()
            report.dispatched += dispatched
            status = await self.deliver_next(runnable)
            if status is None and not dispatched:
                break
            report.count(status)
            if status is not None and report.attempts % progress_every == 0:
                log.info("... %s", report.line())
        return report

    async def run(self, stop: asyncio.Event, poll_seconds: float) -> None:
        """Drain, then wait `poll_seconds` (or until stopped), until `stop` is set; errors are logged, not fatal."""
        log.info("event dispatcher started: handlers %s; broker %s", ", ".join(self.handlers),
                 self.publisher.target if self.publisher else "none (relay deliveries wait)")
        while not stop.is_set():
            try:
                report = await self.drain(stop)
                if report:
                    log.info(report.line())
            except Exception:  # a database outage must not end the loop: log it and try again later
                log.exception("event dispatch failed; trying again in %ss", poll_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)
        log.info("event dispatcher stopped")

    async def close(self) -> None:
        """Close the publisher's connection."""
        if self.publisher is not None:
            await self.publisher.close()


def aggregate_of(topic: str) -> str:
    """`order` for `order.placed`: deliveries are ordered per aggregate and key."""
    return topic.split(".", 1)[0]


@asynccontextmanager
async def running(dispatcher: Dispatcher, poll_seconds: float) -> AsyncIterator[asyncio.Task]:
    """Run the dispatcher as a background task for the block's duration; stop it cleanly on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop, poll_seconds), name="shopcrew-event-dispatcher")
    try:
        yield task
    finally:
        stop.set()
        await task
        await dispatcher.close()
