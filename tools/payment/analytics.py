"""Payment analytics over the transaction ledger: activity, refunds and revenue in the last N days."""

from datetime import datetime

from sqlalchemy import ColumnElement, distinct, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TransactionKind, TransactionResult
from db.models import PaymentMethod, PaymentTransaction
from tools.payment import schemas as s
from tools.payment.ledger import MONEY_IN, ZERO, cents

TX = PaymentTransaction
SUCCESS = TX.result == TransactionResult.SUCCESS
IS_REFUND = TX.kind == TransactionKind.REFUND


def _day(session: AsyncSession) -> ColumnElement:
    """The UTC calendar day of a transaction, in either database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        # Literal constants: psycopg binds parameters server-side, and GROUP BY must repeat the exact expression.
        return func.to_char(func.timezone(literal_column("'UTC'"), TX.created_at), literal_column("'YYYY-MM-DD'"))
    return func.date(TX.created_at)  # SQLite stores naive UTC text


def _rate(part, whole) -> float:
    return round(float(part) / float(whole), 4) if whole else 0.0


async def transactions(session: AsyncSession, days: int, since: datetime) -> s.TransactionAnalytics:
    """Counts, declines and successful amounts per transaction kind."""
    rows = await session.execute(
        select(TX.kind, TX.result, func.count(), func.coalesce(func.sum(TX.amount), 0))
        .where(TX.created_at >= since).group_by(TX.kind, TX.result)
    )
    stats: dict[TransactionKind, s.KindStats] = {}
    for kind, result, count, amount in rows:
        row = stats.setdefault(kind, s.KindStats(kind=kind, count=0, succeeded=0, declined=0, amount=ZERO))
        row.count += count
        if result == TransactionResult.SUCCESS:
            row.succeeded += count
            row.amount = cents(amount)
        else:
            row.declined += count
    total = sum(r.count for r in stats.values())
    declined = sum(r.declined for r in stats.values())
    return s.TransactionAnalytics(
        days=days, since=since, total=total, declined=declined, success_rate=_rate(total - declined, total),
        by_kind=sorted(stats.values(), key=lambda r: r.kind),
    )


async def refunds(session: AsyncSession, days: int, since: datetime) -> s.RefundAnalytics:
    """Refund count, amount, rate against money taken, and the most frequent reasons."""
    window = (TX.created_at >= since, SUCCESS)
    count, refunded = (await session.execute(
        select(func.count(), func.coalesce(func.sum(TX.amount), 0)).where(*window, IS_REFUND)
    )).one()
    captured = await session.scalar(
        select(func.coalesce(func.sum(TX.amount), 0)).where(*window, TX.kind.in_(MONEY_IN))
    )
    reasons = await session.execute(
        select(TX.reason, func.count().label("n"), func.coalesce(func.sum(TX.amount), 0))
        .where(*window, IS_REFUND).group_by(TX.reason).order_by(func.count().desc(), TX.reason).limit(10)
    )
    refunded, captured = cents(refunded), cents(captured)
    return s.RefundAnalytics(
        days=days, since=since, refunds=count, refunded=refunded, captured=captured,
        refund_rate=_rate(refunded, captured), average_refund=cents(refunded / count) if count else ZERO,
        top_reasons=[s.ReasonStats(reason=r or "unspecified", count=n, amount=cents(a)) for r, n, a in reasons],
    )


async def revenue(session: AsyncSession, days: int, since: datetime) -> s.RevenueAnalytics:
    """Money taken and given back, per day and per method kind."""
    window = (TX.created_at >= since, SUCCESS)
    day = _day(session).label("day")
    daily = await session.execute(
        select(day, TX.kind, func.sum(TX.amount))
        .where(*window, TX.kind.in_([*MONEY_IN, TransactionKind.REFUND])).group_by(day, TX.kind).order_by(day)
    )
    by_day: dict[str, s.DayRevenue] = {}
    for when, kind, amount in daily:
        row = by_day.setdefault(str(when), s.DayRevenue(day=str(when), gross=ZERO, refunded=ZERO, net=ZERO))
        if kind == TransactionKind.REFUND:
            row.refunded += cents(amount)
        else:
            row.gross += cents(amount)
        row.net = row.gross - row.refunded
    kinds = await session.execute(
        select(PaymentMethod.kind, func.sum(TX.amount)).join(PaymentMethod, PaymentMethod.id == TX.method_id)
        .where(*window, TX.kind.in_(MONEY_IN)).group_by(PaymentMethod.kind).order_by(PaymentMethod.kind)
    )
    orders = await session.scalar(select(func.count(distinct(TX.order_id))).where(*window, TX.kind.in_(MONEY_IN)))
    gross = sum((d.gross for d in by_day.values()), ZERO)
    refunded = sum((d.refunded for d in by_day.values()), ZERO)
    return s.RevenueAnalytics(
        days=days, since=since, gross=gross, refunded=refunded, net=gross - refunded, orders_paid=orders or 0,
        average_order_payment=cents(gross / orders) if orders else ZERO, by_day=list(by_day.values()),
        by_method=[s.MethodRevenue(kind=k, gross=cents(a)) for k, a in kinds],
    )
