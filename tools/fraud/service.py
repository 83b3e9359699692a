"""Fraud scoring by the shop's additive rules; callers own the transaction."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BlockedKind, FraudLevel
from db.models import BlockedEntity, Customer, FraudCheck, Order, PaymentMethod
from tools.context import ToolContext

# Thresholds and weights carried over from the original platform (DESIGN 6).
LEVELS: list[tuple[int, FraudLevel]] = [
    (75, FraudLevel.CRITICAL), (50, FraudLevel.HIGH), (25, FraudLevel.MEDIUM),
]
DECISIONS = {
    FraudLevel.CRITICAL: "block",
    FraudLevel.HIGH: "review",
    FraudLevel.MEDIUM: "flag",
    FraudLevel.LOW: "approve",
}
BAD_IP_POINTS = 40
ADDRESS_MISMATCH_POINTS = 20
NEW_ACCOUNT_POINTS = 15
METHOD_CHURN_POINTS = 15
BLOCKED_SCORE = 100


@dataclass(frozen=True)
class FraudScore:
    """A score (0-100), its level, the decision it implies and the points each rule added."""

    score: int
    level: FraudLevel
    factors: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> str:
        """approve, flag, review or block."""
        return DECISIONS[self.level]


def level_for(score: int) -> FraudLevel:
    """The level a score falls in: >= 75 critical, >= 50 high, >= 25 medium, else low."""
    return next((level for floor, level in LEVELS if score >= floor), FraudLevel.LOW)


def amount_points(amount: Decimal) -> Decimal:
    """min(30, (amount - 1000) / 100) above 1000, else 0."""
    return min(Decimal(30), (amount - 1000) / 100) if amount > 1000 else Decimal(0)


def velocity_points(recent_orders: int) -> int:
    """min(25, 3 x count) when the customer placed more than 5 orders in 24 hours."""
    return min(25, 3 * recent_orders) if recent_orders > 5 else 0


def country_of(address: dict[str, Any] | None) -> str:
    """The address's country, normalised for comparison."""
    return str((address or {}).get("country", "")).strip().lower()


def total_score(factors: dict[str, Decimal | int]) -> int:
    """The factors' sum, rounded half up and capped at 100."""
    raw = sum((Decimal(v) for v in factors.values()), Decimal(0))
    return int(min(Decimal(100), raw.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


async def is_blocked(session: AsyncSession, kind: BlockedKind, value: str | None) -> bool:
    """True when the value is on the active blocklist for that kind (compared case-insensitively)."""
    if not value:
        return False
    stmt = select(BlockedEntity.id).where(
        BlockedEntity.kind == kind,
        BlockedEntity.unblocked_at.is_(None),
        func.lower(BlockedEntity.value) == value.lower(),
    )
    return (await session.scalar(stmt.limit(1))) is not None


async def orders_since(session: AsyncSession, customer_id: str, since: datetime) -> int:
    """How many orders the customer placed since the moment."""
    stmt = select(func.count(Order.id)).where(Order.customer_id == customer_id, Order.placed_at >= since)
    return await session.scalar(stmt) or 0


async def methods_added_since(session: AsyncSession, customer_id: str, since: datetime) -> int:
    """How many payment methods the customer saved since the moment."""
    stmt = select(func.count(PaymentMethod.id)).where(
        PaymentMethod.customer_id == customer_id, PaymentMethod.created_at >= since
    )
    return await session.scalar(stmt) or 0


async def is_blocked_customer(session: AsyncSession, customer: Customer, method_id: str | None) -> bool:
    """True when the customer's email, account or chosen payment method is on the blocklist."""
    checks = [(BlockedKind.EMAIL, customer.email), (BlockedKind.CUSTOMER, customer.id)]
    for kind, value in [*checks, (BlockedKind.CARD, method_id)]:
        if await is_blocked(session, kind, value):
            return True
    return False


async def score_order(
    session: AsyncSession,
    *,
    customer: Customer,
    amount: Decimal,
    shipping_address: dict[str, Any] | None,
    billing_address: dict[str, Any] | None,
    client_ip: str | None,
    now: datetime,
    payment_method_id: str | None = None,
) -> FraudScore:
    """Score an order about to be placed (it must not be in the database yet) by the shop's rules."""
    if await is_blocked_customer(session, customer, payment_method_id):
        return FraudScore(BLOCKED_SCORE, FraudLevel.CRITICAL, {"blocked_entity": BLOCKED_SCORE})
    factors: dict[str, Decimal | int] = {}
    if (points := amount_points(amount)) > 0:
        factors["high_amount"] = points
    if points := velocity_points(await orders_since(session, customer.id, now - timedelta(hours=24))):
        factors["order_velocity"] = points
    if await is_blocked(session, BlockedKind.IP, client_ip):
        factors["bad_ip_reputation"] = BAD_IP_POINTS
    if billing_address and country_of(billing_address) != country_of(shipping_address):
        factors["address_mismatch"] = ADDRESS_MISMATCH_POINTS
    if customer.created_at > now - timedelta(days=1):
        factors["new_account"] = NEW_ACCOUNT_POINTS
    if await methods_added_since(session, customer.id, now - timedelta(days=7)) > 2:
        factors["payment_method_churn"] = METHOD_CHURN_POINTS
    score = total_score(factors)
    return FraudScore(score, level_for(score), {k: float(v) for k, v in factors.items()})


def record_check(
    ctx: ToolContext, result: FraudScore, *, order_id: str | None, customer_id: str | None
) -> FraudCheck:
    """Store one scoring as a FraudCheck row (added to the session, not flushed)."""
    check = FraudCheck(
        order_id=order_id, customer_id=customer_id, score=result.score, level=result.level,
        factors=result.factors, decision=result.decision, created_at=ctx.now(),
    )
    ctx.session.add(check)
    return check
