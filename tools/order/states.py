"""The order state machine (DESIGN 5) and the guard that a shipped order can no longer be cancelled."""

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus, ShipmentStatus
from db.models import Order, Shipment
from tools.context import ToolContext
from tools.errors import InvalidTransition
from tools.transitions import StateMachine

S = OrderStatus
ORDER_STATES = StateMachine(
    "order",
    {
        S.PENDING: {S.PROCESSED, S.CANCELLED, S.ON_HOLD},
        S.ON_HOLD: {S.PENDING, S.CANCELLED},
        S.PROCESSED: {S.DELIVERED, S.CANCELLED},
        S.DELIVERED: {S.RETURN_REQUESTED, S.EXCHANGE_REQUESTED},
        # Back to delivered when the order's RMA ends (resolved, rejected, cancelled or closed); the lines
        # record what came back (quantity_returned) or what was swapped. Only the after-sales service does this.
        S.RETURN_REQUESTED: {S.DELIVERED},
        S.EXCHANGE_REQUESTED: {S.DELIVERED},
    },
)
# Statuses an order leaves only when its return or exchange (RMA) ends.
AFTER_SALES = {S.RETURN_REQUESTED, S.EXCHANGE_REQUESTED}
# A shipment at or past these statuses has left the warehouse (one in exception, if it was shipped).
SHIPPED = {
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
}


async def has_shipped(session: AsyncSession, order_id: str) -> bool:
    """True when a shipment of the order has left the warehouse."""
    left = or_(Shipment.status.in_(SHIPPED),
               and_(Shipment.status == ShipmentStatus.EXCEPTION, Shipment.shipped_at.is_not(None)))
    stmt = select(Shipment.id).where(Shipment.order_id == order_id, left).limit(1)
    return (await session.scalar(stmt)) is not None


async def move(ctx: ToolContext, order: Order, target: OrderStatus, *, rma_ended: bool = False, **data) -> None:
    """Move the order to target through the table, refusing to cancel an order that has shipped and to
    leave a return or exchange status except when its RMA ended (`rma_ended`, the after-sales service)."""
    if order.status in AFTER_SALES and not rma_ended:
        raise InvalidTransition(
            f"order {order.id} is {order.status}; it returns to delivered when its RMA is resolved, "
            "rejected or cancelled (after-sales)",
            details={"from": str(order.status), "to": str(target), "allowed": []},
        )
    if target == S.CANCELLED and order.status == S.PROCESSED and await has_shipped(ctx.session, order.id):
        allowed = [t for t in ORDER_STATES.targets(order.status) if t != S.CANCELLED]
        raise InvalidTransition(
            f"order {order.id} has shipped; it can no longer be cancelled (ask for a return instead)",
            details={"from": str(order.status), "to": str(target), "allowed": allowed},
        )
    ORDER_STATES.move(ctx, order, target, entity_id=order.id, data=data or None)
