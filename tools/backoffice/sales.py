"""Sales figures over a range of UTC days, aggregated by the database (GROUP BY), never row by row in Python.

Which orders and refunds count is RULE below (also in the tool description and docs/coverage.md).
The statements are plain SELECTs so the seed (a sync session) and the tools (an async one) run the same ones.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderStatus, TransactionKind, TransactionResult
from db.models import Category, Order, OrderLine, PaymentTransaction, Product
from tools.backoffice import report_schemas as s
from tools.backoffice.sql import sum_cents, utc_day

RULE = (
    "Orders count when they were placed within the range (UTC calendar days, both ends included), are in the "
    "report's currency and are not cancelled, whatever their status now; revenue is their order total "
    "(items + shipping). Refunds count by the day they were made: successful refund transactions in the range, "
    "in that currency, on orders that are not cancelled, whenever those orders were placed (a cancelled order's "
    "refund only undoes a sale the report never counted). Net = revenue - refunds. Categories split item revenue "
    "(unit price x quantity) by each product's category."
)
UNCATEGORISED = "Uncategorised"


@dataclass(frozen=True)
class Window:
    """A report's range of UTC days (both included) and its currency."""

    start: date
    end: date
    currency: str = "EUR"

    @property
    def since(self) -> datetime:
        """The first instant counted."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first instant no longer counted (midnight after the last day)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)


def counted_orders(w: Window) -> list:
    """WHERE terms of the orders a report counts."""
    return [Order.placed_at >= w.since, Order.placed_at < w.until, Order.status != OrderStatus.CANCELLED,
            Order.currency == w.currency]


def counted_refunds(w: Window) -> list:
    """WHERE terms of the refunds a report counts (the statement joins Order)."""
    return [PaymentTransaction.kind == TransactionKind.REFUND, PaymentTransaction.result == TransactionResult.SUCCESS,
            PaymentTransaction.created_at >= w.since, PaymentTransaction.created_at < w.until,
            PaymentTransaction.currency == w.currency, Order.status != OrderStatus.CANCELLED]


def order_totals(w: Window) -> Select:
    """Orders, revenue, item revenue and shipping (in cents) of the window, in one row (the dashboard's figures)."""
    return select(func.count(), sum_cents(Order.total), sum_cents(Order.subtotal),
                  sum_cents(Order.shipping_cost)).where(*counted_orders(w))


def queries(w: Window) -> dict[str, Select]:
    """Every statement of a sales report, by name: each scans the range once and groups in the database.

    Orders and refunds are grouped by (UTC day, channel): a few thousand groups at most, which the report then
    adds up into its totals, days and channels.
    """
    day, refund_day = utc_day(Order.placed_at), utc_day(PaymentTransaction.created_at)
    return {
        "orders": select(day, Order.channel, func.count(), sum_cents(Order.total), sum_cents(Order.subtotal),
                         sum_cents(Order.shipping_cost)).where(*counted_orders(w)).group_by(day, Order.channel),
        "refunds": select(refund_day, Order.channel, func.count(), sum_cents(PaymentTransaction.amount))
        .select_from(PaymentTransaction).join(Order, Order.id == PaymentTransaction.order_id)
        .where(*counted_refunds(w)).group_by(refund_day, Order.channel),
        "categories": by_category(w),
    }


def by_category(w: Window) -> Select:
    """Line items of the window's orders by category: orders, units and item revenue (in cents).

    Lines are first summed per (category, order), so each order counts once per category by a plain count:
    COUNT(DISTINCT order) over every line made both databases sort all the window's lines.
    """
    per_order = (
        select(Product.category_id.label("category_id"), OrderLine.order_id,
               func.sum(OrderLine.quantity).label("units"),
               sum_cents(OrderLine.unit_price * OrderLine.quantity).label("cents"))
        .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(*counted_orders(w)).group_by(Product.category_id, OrderLine.order_id)
        .subquery()
    )
    return (select(Category.name, func.count(), func.sum(per_order.c.units), func.sum(per_order.c.cents))
            .select_from(per_order).outerjoin(Category, Category.id == per_order.c.category_id)
            .group_by(Category.name))


def money(cents: Any) -> Decimal:
    """Whole cents (an int, or a numeric from PostgreSQL) as a Decimal amount."""
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def counted(n: int, noun: str) -> str:
    """'1 order', '3 orders'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fmt(amount: Decimal, currency: str) -> str:
    """1234.5 -> '1,234.50 EUR'."""
    return f"{amount:,.2f} {currency}"


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _sums(groups: list, key: Callable[[Any], Any], width: int) -> dict[Any, list[int]]:
    """Add up the numeric columns of (bucket, channel, numbers...) groups by `key` of each group."""
    sums: dict[Any, list[int]] = defaultdict(lambda: [0] * width)
    for group in groups:
        sums[key(group)] = [a + int(b) for a, b in zip(sums[key(group)], group[2:], strict=True)]
    return sums


def _row_words(label: str, n: int, rev: Decimal, ref: Decimal, cur: str) -> str:
    money_words = f"revenue {fmt(rev, cur)}, refunds {fmt(ref, cur)}, net {fmt(rev - ref, cur)}"
    return f"{label}: {counted(n, 'order')}, {money_words}"


def _by_day(rows: dict[str, list], cur: str) -> list[s.DayRow]:
    sold, refunded = _sums(rows["orders"], lambda g: _day(g[0]), 4), _sums(rows["refunds"], lambda g: _day(g[0]), 2)
    out = []
    for d in sorted(set(sold) | set(refunded)):
        n, rev, ref = sold[d][0], money(sold[d][1]), money(refunded[d][1])
        out.append(s.DayRow(day=d, orders=n, revenue=rev, refunds=ref, net=rev - ref,
                            summary=_row_words(d.isoformat(), n, rev, ref, cur)))
    return out


def _by_channel(rows: dict[str, list], cur: str) -> list[s.ChannelRow]:
    sold, refunded = _sums(rows["orders"], lambda g: str(g[1]), 4), _sums(rows["refunds"], lambda g: str(g[1]), 2)
    out = []
    for c in set(sold) | set(refunded):
        n, rev, ref = sold[c][0], money(sold[c][1]), money(refunded[c][1])
        out.append(s.ChannelRow(channel=c, orders=n, revenue=rev, refunds=ref, net=rev - ref,
                                summary=_row_words(f"channel {c}", n, rev, ref, cur)))
    return sorted(out, key=lambda r: (-r.revenue, r.channel))


def _by_category(rows: dict[str, list], cur: str) -> list[s.CategoryRow]:
    out = [
        s.CategoryRow(category_name=name or UNCATEGORISED, orders=n, units=int(units), revenue=money(v),
                      summary=f"{name or UNCATEGORISED}: {counted(int(units), 'unit')} in {counted(n, 'order')}, "
                              f"{fmt(money(v), cur)}")
        for name, n, units, v in rows["categories"]
    ]
    return sorted(out, key=lambda r: (-r.revenue, r.category_name))


def totals_of(rows: dict[str, list]) -> s.SalesTotals:
    """The range's totals: the sums of its (day, channel) groups."""
    orders, revenue, items, shipping = _sums(rows["orders"], lambda g: None, 4)[None]
    refund_count, refunded = _sums(rows["refunds"], lambda g: None, 2)[None]
    revenue, refunded = money(revenue), money(refunded)
    average = (revenue / orders).quantize(Decimal("0.01")) if orders else Decimal("0.00")
    return s.SalesTotals(orders=orders, revenue=revenue, items_revenue=money(items), shipping=money(shipping),
                         average_order_value=average, refund_count=refund_count, refunds=refunded,
                         net=revenue - refunded)


def assemble(w: Window, rows: dict[str, list]) -> dict[str, Any]:
    """The report's figures (totals, by_day, by_category, by_channel) from the statements' grouped rows."""
    return {
        "totals": totals_of(rows),
        "by_day": _by_day(rows, w.currency),
        "by_category": _by_category(rows, w.currency),
        "by_channel": _by_channel(rows, w.currency),
    }


async def figures(session: AsyncSession, w: Window) -> dict[str, Any]:
    """Run every statement of the report and assemble its figures."""
    return assemble(w, {name: (await session.execute(q)).all() for name, q in queries(w).items()})


def figures_sync(execute: Callable[[Select], Any], w: Window) -> dict[str, Any]:
    """The same figures through a synchronous session's execute (the seed)."""
    return assemble(w, {name: execute(q).all() for name, q in queries(w).items()})
