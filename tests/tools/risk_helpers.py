"""Builders for the risk tests: a steady order history, with a spike where a test plants one."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import OrderStatus
from db.models import Order
from tests import factories as f

_numbers = itertools.count(5_000_000)
TODAY = utcnow().date()


def noon(day: date) -> datetime:
    """Midday UTC of the day, safely inside it."""
    return datetime.combine(day, time(12), tzinfo=utcnow().tzinfo)


async def orders_per_day(sessions, counts: dict[date, int], total: str = "40.00") -> None:
    """Orders of one customer placed at midday on each day, as many as `counts` says."""
    customer = await f.customer(sessions)
    async with unit_of_work(sessions) as s:
        for day, n in counts.items():
            for _ in range(n):
                s.add(Order(id=f"#W{next(_numbers)}", customer_id=customer.id, status=OrderStatus.PENDING,
                            total=Decimal(total), subtotal=Decimal(total), shipping_address={}, placed_at=noon(day)))


def steady(days: int, pattern=(3, 4, 2, 3, 5, 3, 4), end: date | None = None) -> dict[date, int]:
    """`days` days of ordinary counts, ending yesterday (or `end`)."""
    last = end or TODAY - timedelta(days=1)
    return {last - timedelta(days=i): pattern[i % len(pattern)] for i in range(days)}
