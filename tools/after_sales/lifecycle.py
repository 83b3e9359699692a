"""Moving an RMA through its statuses (DESIGN 5) with what each move does to stock and to the order.

approve reserves an exchange's replacements; reject, cancel and close release them and cancel the
exchange; every move that ends the RMA brings the order back to delivered.
"""

from collections import Counter

from db.enums import ExchangeStatus, OrderStatus, ReturnResolution, RmaStatus
from db.models import Exchange, ReturnRequest
from tools.after_sales import records, rules
from tools.context import ToolContext
from tools.errors import InvalidInput
from tools.inventory import service as inventory
from tools.order import service as orders
from tools.order import states

R = RmaStatus


def facts(rma: ReturnRequest, **more) -> dict:
    """The event payload every RMA move carries: its number and order, plus the move's own facts."""
    return {"rma_number": rma.rma_number, "order_id": rma.order_id, **more}


def move(ctx: ToolContext, rma: ReturnRequest, target: RmaStatus, **more) -> None:
    """One move through the RMA table (audit row and rma.<status> event)."""
    rules.RMA_STATES.move(ctx, rma, target, entity_id=rma.id, data=facts(rma, **more))


def add_note(ctx: ToolContext, rma: ReturnRequest, status: RmaStatus, note: str | None) -> None:
    """Append a dated note for the status change (the customer reads rejection reasons)."""
    if note:
        line = f"{ctx.now():%Y-%m-%d} {status}: {note.strip()}"
        rma.notes = f"{rma.notes}\n{line}".strip()


async def end(ctx: ToolContext, rma: ReturnRequest) -> None:
    """The RMA is over: its order leaves return / exchange requested and is delivered again."""
    order = await orders.get_order(ctx.session, rma.order_id, for_update=True)
    if order.status in states.AFTER_SALES:
        await states.move(ctx, order, OrderStatus.DELIVERED, rma_ended=True, rma_number=rma.rma_number,
                          rma_status=str(rma.status))


async def mark_returned(ctx: ToolContext, rma: ReturnRequest) -> None:
    """The order lines record the RMA's units as returned."""
    order_lines = await records.order_lines(ctx.session, [ln.order_line_id for ln in rma.lines])
    for line in rma.lines:
        order_lines[line.order_line_id].quantity_returned += line.quantity


def replacement_units(exchange: Exchange) -> list[tuple[str, int]]:
    """Units per replacement variant, in variant id order (the order stock rows are locked in)."""
    counts = Counter()
    for line in exchange.lines:
        counts[line.new_variant_id] += line.quantity
    return sorted(counts.items())


async def reserve_replacements(ctx: ToolContext, rma: ReturnRequest, exchange: Exchange) -> None:
    """Hold the replacement units for the order until the exchange ships (stock-tracked variants)."""
    for variant_id, units in replacement_units(exchange):
        await inventory.reserve(ctx, variant_id, units, order_id=rma.order_id, reference=rma.rma_number,
                                ttl_minutes=None)


async def drop_exchange(ctx: ToolContext, rma: ReturnRequest) -> None:
    """Release the replacements an exchange holds and cancel it."""
    exchange = await records.exchange_of(ctx.session, rma.id)
    if exchange is None or exchange.status != ExchangeStatus.REQUESTED:
        return
    for variant_id, _ in replacement_units(exchange):
        await inventory.release(ctx, order_id=rma.order_id, variant_id=variant_id)
    rules.EXCHANGE_STATES.move(ctx, exchange, ExchangeStatus.CANCELLED, data=facts(rma))


async def change_status(ctx: ToolContext, rma: ReturnRequest, target: RmaStatus, note: str | None) -> None:
    """Approve, reject, mark in transit or inspected, close without resolution, or cancel an RMA."""
    move(ctx, rma, target, **({"note": note} if note else {}))  # a move out of turn is refused first
    if target == R.REJECTED and not note:
        raise InvalidInput("say why the return is rejected (note): the customer reads it",
                           details=[{"field": "note", "problem": "required to reject"}])
    if target == R.INSPECTED and any(line.condition is None for line in rma.lines):
        raise InvalidInput("record each line's condition when receiving the return before inspecting it")
    add_note(ctx, rma, target, note)
    if target == R.APPROVED and (exchange := await records.exchange_of(ctx.session, rma.id)) is not None:
        await reserve_replacements(ctx, rma, exchange)
    if target == R.INSPECTED:
        rma.inspected_at = ctx.now()
    if target in rules.ENDED:
        await drop_exchange(ctx, rma)
        if target == R.CLOSED:
            rma.resolved_at = ctx.now()
            if rma.resolution == ReturnResolution.EXCHANGE:
                # Its units came back but will not be swapped: they are returned like any other.
                await mark_returned(ctx, rma)
        await end(ctx, rma)
