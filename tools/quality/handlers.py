"""Reactions of the quality domain: a received return is inspected, a failed inspection raises an alert.

Both call the idempotent reaction services of tools/quality/reactions.py, so a redelivered event changes nothing.
"""

from db.enums import RmaStatus
from db.models import ReturnRequest
from tools.context import ToolContext
from tools.events.registry import Event, handles
from tools.quality.reactions import quality_alert_for, schedule_return_inspections


@handles("rma.received")
async def inspect_received_return(ctx: ToolContext, event: Event) -> None:
    """Schedule one inspection per product of the returned parcel, while it waits in received.

    Staff may have inspected (and moved) the return before the event arrived; there is nothing left to schedule.
    """
    rma = await ctx.session.get(ReturnRequest, event.key)
    if rma is not None and rma.status != RmaStatus.RECEIVED:
        return
    await schedule_return_inspections(ctx, event.key)


@handles("inspection.failed")
async def alert_failed_inspection(ctx: ToolContext, event: Event) -> None:
    """Raise the critical quality alert of the failed inspection."""
    await quality_alert_for(ctx, event.key)
