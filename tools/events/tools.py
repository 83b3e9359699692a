"""Event delivery tools for the monitoring agent: dead letters, retries and delivery statistics (staff only)."""

from tools.context import STAFF_ROLES, ToolContext
from tools.events import schemas as s
from tools.events import service
from tools.registry import tool

AGENT = "monitoring"


@tool(agent=AGENT, method="GET", path="/events/deliveries", roles=STAFF_ROLES,
      examples=["show the dead letters", "which events failed to deliver", "list failed event deliveries",
                "are any events stuck in retry", "dead letters of the relay handler",
                "show event deliveries for order.placed that are failing",
                "which domain events could not be published to the broker"])
async def list_event_deliveries(ctx: ToolContext, params: s.ListDeliveriesIn) -> s.DeliveryList:
    """List event deliveries to handlers: dead letters and retries by default, with their last error."""
    return await service.list_deliveries(ctx.session, params)


@tool(agent=AGENT, method="POST", path="/events/deliveries/{delivery_id}/retry", roles=STAFF_ROLES, mutates=True,
      confirm=True,
      examples=["retry event delivery 12", "redeliver dead letter 7", "try delivery 31 again",
                "requeue the dead event delivery 5", "please retry the failed delivery number 9 now",
                "send dead letter 14 to its handler once more"])
async def retry_event_delivery(ctx: ToolContext, params: s.DeliveryRefIn) -> s.RetryOut:
    """Retry an event delivery: a dead letter is queued again, a waiting retry is tried now."""
    return await service.retry(ctx, params.delivery_id)


@tool(agent=AGENT, method="GET", path="/events/stats", roles=STAFF_ROLES,
      examples=["event delivery stats", "how many events are waiting to be delivered",
                "is the event backlog growing", "how many events were published to NATS",
                "event dispatcher status", "how many dead letters do we have"])
async def get_event_delivery_stats(ctx: ToolContext, params: s.NoInput) -> s.DeliveryStatsOut:
    """Get event delivery statistics: events waiting, published, retrying and dead letters per handler."""
    return await service.stats(ctx.session)
