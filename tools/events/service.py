"""Event delivery queries and the staff retry; callers own the transaction."""

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryStatus
from db.models import EventDelivery, OutboxEvent
from tools.audit import audit
from tools.context import ToolContext
from tools.errors import Conflict, NotFound
from tools.events import schemas as s

D = DeliveryStatus
STATUS_FILTERS: dict[str, tuple[DeliveryStatus, ...]] = {
    "failing": (D.DEAD, D.RETRYING), "dead": (D.DEAD,), "retrying": (D.RETRYING,), "pending": (D.PENDING,),
    "delivered": (D.DELIVERED,), "all": tuple(D),
}
OPEN = (D.PENDING, D.RETRYING)


def delivery_out(delivery: EventDelivery, event: OutboxEvent) -> s.DeliveryOut:
    """A delivery row with its event's topic and time."""
    return s.DeliveryOut(
        id=delivery.id, event_id=event.id, topic=event.topic, key=event.key, handler=delivery.handler,
        status=delivery.status, attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status in OPEN else None,
        last_error=delivery.last_error, delivered_at=delivery.delivered_at, event_created_at=event.created_at,
        summary=describe(delivery, event),
    )


def describe(delivery: EventDelivery, event: OutboxEvent) -> str:
    """`delivery 3: order.placed #W1234567 to relay, dead after 8 attempts (last error: ...)`."""
    head = f"delivery {delivery.id}: {event.topic} {event.key} to {delivery.handler}"
    if delivery.status == D.DELIVERED:
        return f"{head}, delivered"
    if delivery.status == D.PENDING and not delivery.attempts:
        return f"{head}, waiting for its first attempt"
    tries = f"{delivery.attempts} attempt{'' if delivery.attempts == 1 else 's'}"
    state = "dead" if delivery.status == D.DEAD else "retrying"
    error = f" (last error: {delivery.last_error})" if delivery.last_error else ""
    return f"{head}, {state} after {tries}{error}"


async def list_deliveries(session: AsyncSession, params: s.ListDeliveriesIn) -> s.DeliveryList:
    """Deliveries in the chosen states, oldest event first, optionally for one handler or topic."""
    where = [EventDelivery.status.in_(STATUS_FILTERS[params.status])]
    if params.handler:
        where.append(EventDelivery.handler == params.handler)
    if params.topic:
        where.append(OutboxEvent.topic == params.topic)
    joined = select(EventDelivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == EventDelivery.event_id)
    total = await session.scalar(select(func.count()).select_from(joined.where(*where).subquery()))
    rows = await session.execute(
        joined.where(*where).order_by(EventDelivery.event_id, EventDelivery.handler)
        .limit(params.limit).offset(params.offset)
    )
    return s.DeliveryList(deliveries=[delivery_out(d, e) for d, e in rows.all()], total=total or 0)


async def retry(ctx: ToolContext, delivery_id: int) -> s.RetryOut:
    """Queue a dead letter again with fresh attempts, or bring a waiting retry forward to now."""
    delivery = await ctx.session.get(EventDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(f"event delivery {delivery_id} not found")
    if delivery.status == D.DELIVERED:
        raise Conflict(f"event delivery {delivery_id} was already delivered", code="already_delivered")
    if delivery.status == D.PENDING:
        raise Conflict(f"event delivery {delivery_id} is already waiting for its first attempt", code="already_queued")
    before = delivery.status
    if before == D.DEAD:
        delivery.status, delivery.attempts = D.PENDING, 0
    delivery.next_attempt_at = ctx.now()
    audit(ctx, "event_delivery", str(delivery.id), "retry_requested", from_state=before, to_state=delivery.status,
          data={"event_id": delivery.event_id, "handler": delivery.handler})
    event = await ctx.session.get(OutboxEvent, delivery.event_id)
    what = "queued again with fresh attempts" if before == D.DEAD else "will be tried again now"
    message = f"delivery {delivery.id} of event {event.id} ({event.topic}) to {delivery.handler} {what}"
    return s.RetryOut(delivery=delivery_out(delivery, event), message=message)


async def stats(session: AsyncSession) -> s.DeliveryStatsOut:
    """Outbox and delivery counts: per handler and status, plus what waits for dispatch or a broker."""
    events, waiting, published = (await session.execute(select(
        func.count(), func.count(case((OutboxEvent.dispatched_at.is_(None), 1))),
        func.count(OutboxEvent.published_at),
    ))).one()
    counts = await session.execute(
        select(EventDelivery.handler, EventDelivery.status, func.count()).group_by(EventDelivery.handler,
                                                                                    EventDelivery.status)
    )
    per_handler: dict[str, dict[str, int]] = {}
    for handler, status, n in counts.all():
        per_handler.setdefault(handler, {})[status] = n
    oldest = dict((await session.execute(
        select(EventDelivery.handler, func.min(OutboxEvent.created_at))
        .join(OutboxEvent, OutboxEvent.id == EventDelivery.event_id)
        .where(EventDelivery.status.in_(OPEN)).group_by(EventDelivery.handler)
    )).all())
    handlers = [handler_stats(name, per_handler[name], oldest.get(name)) for name in sorted(per_handler)]
    return s.DeliveryStatsOut(
        events=events, waiting_for_dispatch=waiting, published=published, unpublished=events - published,
        retrying=sum(h.retrying for h in handlers), dead_letters=sum(h.dead for h in handlers), handlers=handlers,
    )


def handler_stats(name: str, counts: dict[str, int], oldest_open: datetime | None) -> s.HandlerStats:
    """One handler's row of the statistics."""
    figures = {status.value: counts.get(status, 0) for status in D}
    summary = f"{name}: " + ", ".join(f"{n} {status}" for status, n in figures.items())
    return s.HandlerStats(handler=name, oldest_open_event_at=oldest_open, summary=summary, **figures)
