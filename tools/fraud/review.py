"""Manual review of orders held for fraud, and a customer's fraud history; callers own the transaction."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus, Role, TransactionKind, TransactionResult
from db.models import Customer, FraudCheck, Order, PaymentTransaction
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict
from tools.order import service as orders
from tools.order import states

# Who decides on held orders (and on fraud in general): never warehouse staff.
REVIEWERS = frozenset({Role.SUPPORT, Role.MERCHANT, Role.ADMIN})


async def latest_check(session: AsyncSession, order_id: str) -> FraudCheck | None:
    """The order's most recent fraud check."""
    stmt = select(FraudCheck).where(FraudCheck.order_id == order_id)
    return await session.scalar(stmt.order_by(FraudCheck.created_at.desc(), FraudCheck.id.desc()).limit(1))


Held = tuple[Order, str, FraudCheck | None]


async def queue(session: AsyncSession, limit: int, offset: int) -> tuple[list[Held], int]:
    """Orders on hold, oldest first, with their customer's email and latest fraud check."""
    held = select(Order, Customer.email).join(Customer, Customer.id == Order.customer_id).where(
        Order.status == OrderStatus.ON_HOLD)
    total = await session.scalar(select(func.count()).select_from(held.subquery()))
    rows = (await session.execute(held.order_by(Order.placed_at, Order.id).limit(limit).offset(offset))).all()
    return [(order, email, await latest_check(session, order.id)) for order, email in rows], total or 0


async def held_order(ctx: ToolContext, ref: str) -> Order:
    """The order, locked, refused unless it is on hold."""
    order = await orders.get_order(ctx.session, ref, for_update=True)
    if order.status != OrderStatus.ON_HOLD:
        raise Conflict(f"order {order.id} is {orders.status_label(order)}, not on hold; only held orders are reviewed",
                       code="not_on_hold", details={"status": str(order.status)})
    return order


async def mark_reviewed(ctx: ToolContext, order: Order, outcome: str, note: str) -> FraudCheck | None:
    """Record who reviewed the held order and when, on its latest check, with an audit row and an event."""
    check = await latest_check(ctx.session, order.id)
    if check is not None:
        check.reviewed_by, check.reviewed_at, check.review_outcome = ctx.actor, ctx.now(), outcome
    facts = {"outcome": outcome, "check_id": check.id if check else None, "reviewer": ctx.actor}
    audit(ctx, "order", order.id, "fraud_reviewed", data={**facts, "note": note})
    emit(ctx, "order.fraud_reviewed", order.id, facts)
    return check


async def release(ctx: ToolContext, order: Order, note: str) -> FraudCheck | None:
    """Let a held order go on: on_hold -> pending through the order state machine."""
    await states.move(ctx, order, OrderStatus.PENDING, reason=note or "released after fraud review")
    return await mark_reviewed(ctx, order, "released", note)


async def reject(ctx: ToolContext, order: Order, reason: str) -> tuple[FraudCheck | None, Decimal]:
    """Cancel a held order (refund and stock release by the order's own cancel path); returns the amount refunded."""
    before = await refunded(ctx.session, order.id)
    await orders.cancel(ctx, order, f"rejected after fraud review: {reason}")
    await ctx.session.flush()
    return await mark_reviewed(ctx, order, "rejected", reason), await refunded(ctx.session, order.id) - before


async def refunded(session: AsyncSession, order_id: str) -> Decimal:
    """What the order has had refunded so far."""
    stmt = select(func.coalesce(func.sum(PaymentTransaction.amount), 0)).where(
        PaymentTransaction.order_id == order_id, PaymentTransaction.kind == TransactionKind.REFUND,
        PaymentTransaction.result == TransactionResult.SUCCESS)
    return Decimal(str(await session.scalar(stmt)))


async def history(session: AsyncSession, customer_id: str, limit: int,
                  offset: int) -> tuple[list[FraudCheck], int, int]:
    """The customer's fraud checks, newest first, with the count of all and of refused attempts."""
    mine = select(FraudCheck).where(FraudCheck.customer_id == customer_id)
    total = await session.scalar(select(func.count()).select_from(mine.subquery()))
    refused = await session.scalar(select(func.count()).select_from(
        mine.where(FraudCheck.order_id.is_(None), FraudCheck.source == "checkout").subquery()))
    page = mine.order_by(FraudCheck.created_at.desc(), FraudCheck.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0, refused or 0
