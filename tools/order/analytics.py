"""Order figures over a window of days: counts and value by status and by day."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus
from db.models import Order
from tools.order.schemas import DayFigure, OrderAnalytics, StatusFigure
from tools.order.service import cents


async def order_analytics(session: AsyncSession, now: datetime, days: int) -> OrderAnalytics:
    """Count, revenue, average order value and cancellation rate of the orders placed in the last N days."""
    since = now - timedelta(days=days)
    by_status = await figures_by_status(session, since)
    count = sum(f.count for f in by_status)
    cancelled = next((f for f in by_status if f.status == OrderStatus.CANCELLED), None)
    kept = count - (cancelled.count if cancelled else 0)
    revenue = sum((f.value for f in by_status if f.status != OrderStatus.CANCELLED), Decimal(0))
    return OrderAnalytics(
        days=days, since=since, order_count=count, revenue=cents(revenue),
        average_order_value=cents(revenue / kept) if kept else Decimal("0.00"),
        cancellation_rate=round((count - kept) / count, 4) if count else 0.0,
        by_status=by_status, by_day=await figures_by_day(session, since),
    )


async def figures_by_status(session: AsyncSession, since: datetime) -> list[StatusFigure]:
    """Orders and their total value per status."""
    stmt = (
        select(Order.status, func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
        .where(Order.placed_at >= since).group_by(Order.status).order_by(Order.status)
    )
    rows = await session.execute(stmt)
    return [StatusFigure(status=s, count=n, value=cents(Decimal(str(v)))) for s, n, v in rows]


async def figures_by_day(session: AsyncSession, since: datetime) -> list[DayFigure]:
    """Orders placed and revenue (orders not cancelled) per UTC day, oldest first."""
    day = func.date(Order.placed_at)
    kept = case((Order.status != OrderStatus.CANCELLED, Order.total), else_=0)
    stmt = (
        select(day, func.count(Order.id), func.coalesce(func.sum(kept), 0))
        .where(Order.placed_at >= since).group_by(day).order_by(day)
    )
    rows = await session.execute(stmt)
    return [DayFigure(day=as_date(d), count=n, revenue=cents(Decimal(str(v)))) for d, n, v in rows]


def as_date(value: date | str) -> date:
    """SQLite's date() answers a string, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(value)
