"""The broker relay: one more handler of every topic, so its deliveries retry and dead-letter like any other.

Every event gets a relay delivery. While no broker is configured those deliveries wait (nothing is lost:
the events stay in the outbox with `published_at` NULL) and go out in order once one is.
"""

from db.models import OutboxEvent
from tools.context import ToolContext
from tools.events.publisher import EventPublisher
from tools.events.registry import Event, Handler

RELAY = "relay"


def relay_handler(publisher: EventPublisher | None) -> Handler:
    """The relay to the publisher; it stamps `published_at` in the same transaction as its delivery row."""

    async def relay(ctx: ToolContext, event: Event) -> None:
        if publisher is None:
            raise RuntimeError("no event broker is configured (SHOPCREW_EVENTS_NATS_URL)")
        await publisher.publish(event)
        row = await ctx.session.get(OutboxEvent, event.id)
        row.published_at = ctx.now()

    return Handler(RELAY, ("*",), relay)
