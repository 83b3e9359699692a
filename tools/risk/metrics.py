"""Daily business metrics computed from the shop's own data and stored as MetricSample rows.

Each series is recomputed from the orders, payments and returns whenever it is asked for, so stored
samples never go stale; `shopcrew risk backfill` stores a longer history. Days are UTC calendar days.
Orders per day come from the order analytics, money taken and refunded from the payment ledger's.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import TransactionResult
from db.models import MetricSample, Order, PaymentTransaction, ReturnRequest
from tools.order.analytics import figures_by_day
from tools.order.service import day_start
from tools.payment.analytics import revenue

# Returns are measured against the orders delivered over this many days up to the day.
RETURN_BASE_DAYS = 30
# Rows per INSERT, well under SQLite's limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class Metric:
    """A daily series: its name, what it counts and its unit."""

    name: str
    description: str
    unit: str


METRICS = {m.name: m for m in (
    Metric("orders", "orders placed", "orders"),
    Metric("revenue", "money taken (sales and captures)", "EUR"),
    Metric("refunds", "money refunded", "EUR"),
    Metric("payment_failures", "declined payment transactions", "transactions"),
    Metric("return_rate", f"return requests per 100 orders delivered in the {RETURN_BASE_DAYS} days before", "%"),
)}
Series = dict[str, dict[date, Decimal]]


def days_between(first: date, last: date) -> list[date]:
    """Every day from first to last, inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


async def money_by_day(session: AsyncSession, first: date, now: datetime) -> tuple[dict, dict]:
    """Money taken and refunded per day, from the payment ledger's revenue figures."""
    figures = await revenue(session, (now.date() - first).days + 1, day_start(first))
    taken = {date.fromisoformat(d.day): d.gross for d in figures.by_day}
    given_back = {date.fromisoformat(d.day): d.refunded for d in figures.by_day}
    return taken, given_back


async def failures_by_day(session: AsyncSession, first: date) -> Counter:
    """Declined payment transactions per day."""
    stamps = await session.scalars(select(PaymentTransaction.created_at).where(
        PaymentTransaction.created_at >= day_start(first), PaymentTransaction.result == TransactionResult.DECLINED))
    return Counter(stamp.date() for stamp in stamps)


async def return_rates(session: AsyncSession, days: list[date]) -> dict[date, Decimal]:
    """Return requests opened each day per 100 orders delivered in the 30 days up to that day."""
    base_start = days[0] - timedelta(days=RETURN_BASE_DAYS - 1)
    opened = Counter(stamp.date() for stamp in await session.scalars(
        select(ReturnRequest.created_at).where(ReturnRequest.created_at >= day_start(days[0]))))
    delivered = Counter(stamp.date() for stamp in await session.scalars(
        select(Order.delivered_at).where(Order.delivered_at >= day_start(base_start))))
    rates = {}
    for day in days:
        base = sum(delivered[day - timedelta(days=i)] for i in range(RETURN_BASE_DAYS))
        rates[day] = (Decimal(100 * opened[day]) / base).quantize(Decimal("0.01")) if base else Decimal(0)
    return rates


async def compute(session: AsyncSession, first: date, now: datetime) -> Series:
    """Every metric for every day from `first` to today (today so far), from the shop's data."""
    days = days_between(first, now.date())
    orders = {f.day: Decimal(f.count) for f in await figures_by_day(session, day_start(first))}
    taken, given_back = await money_by_day(session, first, now)
    failures = await failures_by_day(session, first)
    rates = await return_rates(session, days)
    raw = {"orders": orders, "revenue": taken, "refunds": given_back, "payment_failures": failures,
           "return_rate": rates}
    return {name: {day: Decimal(raw[name].get(day, 0)) for day in days} for name in METRICS}


async def store(session: AsyncSession, series: Series) -> int:
    """Insert or update the samples (one per metric and day); returns how many were written."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"metric": name, "period_start": day_start(day), "value": value, "dimensions": {"period": "day"}}
            for name, values in series.items() for day, value in values.items()]
    for start in range(0, len(rows), CHUNK):
        stmt = insert(MetricSample).values(rows[start:start + CHUNK])
        await session.execute(stmt.on_conflict_do_update(index_elements=["metric", "period_start"],
                                                         set_={"value": stmt.excluded.value}))
    return len(rows)


async def refresh(session: AsyncSession, first: date, now: datetime) -> Series:
    """Recompute and store every metric from `first` to today; returns the fresh series."""
    series = await compute(session, first, now)
    await store(session, series)
    return series


async def keep_current(session: AsyncSession, now: datetime, day: date | None = None) -> int:
    """Recompute the metrics from `day` (default today) to today: what an event handler calls on new activity."""
    return await store(session, await compute(session, day or now.date(), now))


async def backfill(session: AsyncSession, now: datetime, days: int) -> int:
    """Store the last `days` days of every metric (today included); returns the samples written."""
    return await store(session, await compute(session, now.date() - timedelta(days=days - 1), now))


async def first_trading_day(session: AsyncSession) -> date | None:
    """The day of the shop's first order: days before it are no history."""
    first = await session.scalar(select(func.min(Order.placed_at)))
    return first.date() if first else None


async def stored(session: AsyncSession, metric: str, first: date, last: date) -> dict[date, Decimal]:
    """The stored samples of one metric between two days."""
    rows = await session.execute(select(MetricSample.period_start, MetricSample.value).where(
        MetricSample.metric == metric, MetricSample.period_start >= day_start(first),
        MetricSample.period_start <= day_start(last)))
    return {start.date(): Decimal(value) for start, value in rows}
