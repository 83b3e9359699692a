"""Fraud scoring by the shop's additive rules (DESIGN 6), for orders and customers; callers own the transaction.

One scoring path: every signal is computed from our data by `signals_for`, and `score` turns signals into
points, a level (thresholds from the fraud.* settings) and a decision.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BlockedKind, FraudLevel
from db.models import Customer, FraudCheck, Order, Payment, PaymentMethod
from tools.context import ToolContext
from tools.fraud.blocklist import blocked_kind
from tools.fraud.countries import country_of
from tools.fraud.thresholds import Thresholds, thresholds

DECISIONS = {
    FraudLevel.CRITICAL: "block",
    FraudLevel.HIGH: "review",
    FraudLevel.MEDIUM: "flag",
    FraudLevel.LOW: "approve",
}
# Points and windows carried over from the original platform (DESIGN 6).
AMOUNT_FLOOR, AMOUNT_CAP = Decimal(1000), Decimal(30)
VELOCITY_WINDOW, VELOCITY_FLOOR, VELOCITY_CAP = timedelta(hours=24), 5, 25
BAD_IP_POINTS = 40
ADDRESS_MISMATCH_POINTS = 20
NEW_ACCOUNT_AGE, NEW_ACCOUNT_POINTS = timedelta(days=1), 15
METHOD_WINDOW, METHOD_FLOOR, METHOD_CHURN_POINTS = timedelta(days=7), 2, 15
BLOCKED_SCORE = 100


@dataclass(frozen=True)
class Signals:
    """The six signals of DESIGN 6, as measured for one order or customer at one moment."""

    amount: Decimal
    recent_orders: int
    bad_ip: bool
    address_mismatch: bool
    new_account: bool
    methods_added: int
    blocked: str | None = None  # the blocked kind (email, customer, card) that makes the score 100


@dataclass(frozen=True)
class FraudScore:
    """A score (0-100), its level, the points each rule added and the signals measured."""

    score: int
    level: FraudLevel
    factors: dict[str, Any] = field(default_factory=dict)
    signals: Signals | None = None

    @property
    def decision(self) -> str:
        """approve, flag, review or block."""
        return DECISIONS[self.level]


def amount_points(amount: Decimal) -> Decimal:
    """min(30, (amount - 1000) / 100) above 1000, else 0."""
    return min(AMOUNT_CAP, (amount - AMOUNT_FLOOR) / 100) if amount > AMOUNT_FLOOR else Decimal(0)


def velocity_points(recent_orders: int) -> int:
    """min(25, 3 x count) when more than 5 orders were placed in 24 hours."""
    return min(VELOCITY_CAP, 3 * recent_orders) if recent_orders > VELOCITY_FLOOR else 0


def total_score(factors: dict[str, Decimal | int]) -> int:
    """The factors' sum, rounded half up and capped at 100."""
    raw = sum((Decimal(v) for v in factors.values()), Decimal(0))
    return int(min(Decimal(100), raw.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def score(signals: Signals, limits: Thresholds) -> FraudScore:
    """Points per rule, the capped total, its level and decision; a blocked entity scores 100."""
    if signals.blocked:
        return FraudScore(BLOCKED_SCORE, FraudLevel.CRITICAL, {"blocked_entity": BLOCKED_SCORE}, signals)
    rules: dict[str, Decimal | int] = {
        "high_amount": amount_points(signals.amount),
        "order_velocity": velocity_points(signals.recent_orders),
        "bad_ip_reputation": BAD_IP_POINTS if signals.bad_ip else 0,
        "address_mismatch": ADDRESS_MISMATCH_POINTS if signals.address_mismatch else 0,
        "new_account": NEW_ACCOUNT_POINTS if signals.new_account else 0,
        "payment_method_churn": METHOD_CHURN_POINTS if signals.methods_added > METHOD_FLOOR else 0,
    }
    factors = {name: points for name, points in rules.items() if points}
    total = total_score(factors)
    return FraudScore(total, limits.level_for(total), {k: float(v) for k, v in factors.items()}, signals)


@dataclass(frozen=True)
class Subject:
    """What is scored: a customer at a moment, with the order's facts when an order is scored."""

    customer: Customer
    at: datetime
    amount: Decimal
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    client_ips: tuple[str, ...] = ()
    method_ids: tuple[str, ...] = ()
    exclude_order_id: str | None = None  # an existing order never counts in its own velocity
    checked_at: datetime | None = None  # when the blocklist is read (a re-score uses today's), default `at`


async def orders_between(session: AsyncSession, subject: Subject, since: datetime) -> int:
    """How many orders the customer placed from `since` up to the subject's moment (the order itself aside)."""
    stmt = select(func.count(Order.id)).where(
        Order.customer_id == subject.customer.id, Order.placed_at >= since, Order.placed_at <= subject.at)
    if subject.exclude_order_id:
        stmt = stmt.where(Order.id != subject.exclude_order_id)
    return await session.scalar(stmt) or 0


async def methods_added(session: AsyncSession, customer_id: str, since: datetime, until: datetime) -> int:
    """How many payment methods the customer saved in the window."""
    stmt = select(func.count(PaymentMethod.id)).where(
        PaymentMethod.customer_id == customer_id, PaymentMethod.created_at >= since, PaymentMethod.created_at <= until)
    return await session.scalar(stmt) or 0


async def signals_for(session: AsyncSession, subject: Subject) -> Signals:
    """Measure the six signals (and the blocklist) for the subject from the database."""
    customer, at = subject.customer, subject.at
    listed_at = subject.checked_at or at
    pairs = [(BlockedKind.EMAIL, customer.email), (BlockedKind.CUSTOMER, customer.id)]
    blocked = await blocked_kind(session, listed_at, pairs + [(BlockedKind.CARD, m) for m in subject.method_ids])
    billing = subject.billing_address
    ips = [(BlockedKind.IP, ip) for ip in subject.client_ips]
    return Signals(
        amount=subject.amount,
        recent_orders=await orders_between(session, subject, at - VELOCITY_WINDOW),
        bad_ip=await blocked_kind(session, listed_at, ips) is not None,
        address_mismatch=bool(billing) and country_of(billing) != country_of(subject.shipping_address),
        new_account=customer.created_at > at - NEW_ACCOUNT_AGE,
        methods_added=await methods_added(session, customer.id, at - METHOD_WINDOW, at),
        blocked=blocked,
    )


async def score_subject(session: AsyncSession, subject: Subject) -> FraudScore:
    """Score a subject with the thresholds in force: the one scoring path."""
    return score(await signals_for(session, subject), await thresholds(session))


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
    """Score an order about to be placed (it is not in the database yet)."""
    return await score_subject(session, Subject(
        customer=customer, at=now, amount=amount, shipping_address=shipping_address,
        billing_address=billing_address, client_ips=(client_ip,) if client_ip else (),
        method_ids=(payment_method_id,) if payment_method_id else (),
    ))


async def rescore_order(session: AsyncSession, order: Order, customer: Customer, now: datetime) -> FraudScore:
    """Score an existing order again as at its placement, with the blocklist as it is now; it never counts itself."""
    methods = await session.scalars(select(Payment.method_id).where(Payment.order_id == order.id))
    return await score_subject(session, Subject(
        customer=customer, at=order.placed_at, amount=order.total, shipping_address=order.shipping_address,
        billing_address=order.billing_address, client_ips=(order.client_ip,) if order.client_ip else (),
        method_ids=tuple(sorted(set(methods))), exclude_order_id=order.id, checked_at=now,
    ))


async def score_customer(session: AsyncSession, customer: Customer, now: datetime) -> FraudScore:
    """Score an account now: its last 24 hours of orders (amount, IPs), its latest order's addresses, its methods."""
    recent = list(await session.scalars(
        select(Order).where(Order.customer_id == customer.id, Order.placed_at >= now - VELOCITY_WINDOW,
                            Order.placed_at <= now).order_by(Order.placed_at.desc())))
    latest = recent[0] if recent else await session.scalar(
        select(Order).where(Order.customer_id == customer.id).order_by(Order.placed_at.desc()).limit(1))
    methods = await session.scalars(select(PaymentMethod.id).where(PaymentMethod.customer_id == customer.id))
    return await score_subject(session, Subject(
        customer=customer, at=now, amount=sum((o.total for o in recent), Decimal(0)),
        shipping_address=latest.shipping_address if latest else None,
        billing_address=latest.billing_address if latest else None,
        client_ips=tuple(sorted({o.client_ip for o in recent if o.client_ip})),
        method_ids=tuple(sorted(methods)),
    ))


def record_check(ctx: ToolContext, result: FraudScore, *, order_id: str | None, customer_id: str | None,
                 source: str = "checkout", client_ip: str | None = None, lasting: bool = False) -> FraudCheck:
    """Store one scoring as a FraudCheck row; `lasting` keeps it even if the call then fails (a refused order)."""
    check = FraudCheck(
        order_id=order_id, customer_id=customer_id, score=result.score, level=result.level,
        factors=result.factors, decision=result.decision, source=source,
        amount=result.signals.amount if result.signals else None, client_ip=client_ip, checked_by=ctx.actor,
        created_at=ctx.now(),
    )
    if lasting:
        ctx.keep_on_rollback(check)
    else:
        ctx.session.add(check)
    return check
