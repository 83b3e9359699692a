"""Builders and probes for the after-sales tests: delivered orders at a chosen age, settings, and a
snapshot of everything a refused call must leave as it was."""

from datetime import timedelta

from sqlalchemy import func, select

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import OrderStatus, Role
from db.models import (
    AuditEvent,
    Exchange,
    Order,
    OutboxEvent,
    PaymentMethod,
    PaymentTransaction,
    ReturnRequest,
    SatisfactionSurvey,
    StockLevel,
    StockMovement,
    StockReservation,
    WarrantyClaim,
)
from tests import factories as f
from tools.config.service import set_value
from tools.context import Principal, ToolContext


async def delivered(sessions, sh, items, *, days_ago: int = 3, method=None, country: str = "FR"):
    """A delivered order of (variant, quantity) items, delivered `days_ago` days ago, shipped to `country`;
    its lines carry their product's name, as real orders do."""
    order = await f.order(sessions, sh.customer, items, method or sh.card, status=OrderStatus.DELIVERED,
                          delivered_at=utcnow() - timedelta(days=days_ago))
    names = {p.id: p.name for p in (sh.keyboard, sh.mug)}
    async with unit_of_work(sessions) as s:
        row = await s.get(Order, order.id)
        row.shipping_address = {**row.shipping_address, "country": country}
        await s.refresh(row, ["lines"])
        for line in row.lines:
            line.name = names.get(line.product_id, line.name)
    return order


async def set_setting(sessions, key: str, value) -> None:
    """Change a typed setting as an admin would."""
    admin = Principal(role=Role.ADMIN, subject="admin", display="admin")
    async with unit_of_work(sessions) as s:
        await set_value(ToolContext(session=s, principal=admin), key, value)


async def count(sessions, model, *where) -> int:
    """Rows of a model (matching the conditions)."""
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def topics(sessions) -> list[str]:
    """The outbox events' topics, in order."""
    async with sessions() as s:
        return list((await s.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id))).all())


async def movements(sessions, variant) -> list[tuple[str, int, str]]:
    """(kind, quantity, reference) of a variant's stock movements, in order."""
    async with sessions() as s:
        rows = await s.execute(select(StockMovement.kind, StockMovement.quantity, StockMovement.reference)
                               .where(StockMovement.variant_id == variant.id).order_by(StockMovement.id))
        return [tuple(r) for r in rows]


async def everything(sessions) -> dict:
    """A digest of every after-sales, order, money and stock row: a refusal must leave it identical."""
    async with sessions() as s:
        digest = {}
        for name, stmt in {
            "orders": select(Order.id, Order.status, Order.total, Order.delivered_at).order_by(Order.id),
            "rmas": select(ReturnRequest.rma_number, ReturnRequest.status, ReturnRequest.refund_method_id,
                           ReturnRequest.refund_amount).order_by(ReturnRequest.rma_number),
            "exchanges": select(Exchange.id, Exchange.status).order_by(Exchange.id),
            "ledger": select(PaymentTransaction.kind, PaymentTransaction.amount).order_by(PaymentTransaction.id),
            "balances": select(PaymentMethod.id, PaymentMethod.balance).order_by(PaymentMethod.id),
            "stock": select(StockLevel.variant_id, StockLevel.on_hand, StockLevel.allocated).order_by(StockLevel.id),
            "holds": select(StockReservation.variant_id, StockReservation.status).order_by(StockReservation.id),
            "moves": select(func.count(StockMovement.id)),
            "surveys": select(func.count(SatisfactionSurvey.id)),
            "claims": select(WarrantyClaim.claim_number, WarrantyClaim.status).order_by(WarrantyClaim.id),
            "audit": select(func.count(AuditEvent.id)),
            "outbox": select(func.count(OutboxEvent.id)),
        }.items():
            digest[name] = [tuple(r) for r in await s.execute(stmt)]
        return digest
