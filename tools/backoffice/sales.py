"""Sales figures over a range of UTC days, aggregated by the database (GROUP BY), never row by row in Python.

Which orders and refunds count is RULE below (also in the tool description and docs/coverage.md).
The statements are plain SELECTs so the seed (a sync session) and the tools (an async one) run the same ones.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, distinct, func, select
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
    """Orders, revenue, item revenue and shipping (in cents) of the window."""
    return select(func.count(Order.id), sum_cents(Order.total), sum_cents(Order.subtotal),
                  sum_cents(Order.shipping_cost)).where(*counted_orders(w))


def _refunds(w: Window, *columns) -> Select:
    return select(*columns).select_from(PaymentTransaction).join(Order, Order.id == PaymentTransaction.order_id) \
        .where(*counted_refunds(w))


def queries(w: Window) -> dict[str, Select]:
    """Every statement of a sales report, by name."""
    day, refund_day = utc_day(Order.placed_at), utc_day(PaymentTransaction.created_at)
    line_value = sum_cents(OrderLine.unit_price * OrderLine.quantity)
    return {
        "totals": order_totals(w),
        "days": select(day, func.count(Order.id), sum_cents(Order.total)).where(*counted_orders(w)).group_by(day),
        "channels": select(Order.channel, func.count(Order.id), sum_cents(Order.total))
        .where(*counted_orders(w)).group_by(Order.channel),
        "categories": select(Category.name, func.count(distinct(Order.id)), func.sum(OrderLine.quantity), line_value)
        .select_from(OrderLine).join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id).outerjoin(Category, Category.id == Product.category_id)
        .where(*counted_orders(w)).group_by(Category.name),
        "refund_totals": _refunds(w, func.count(PaymentTransaction.id), sum_cents(PaymentTransaction.amount)),
        "refund_days": _refunds(w, refund_day, sum_cents(PaymentTransaction.amount)).group_by(refund_day),
        "refund_channels": _refunds(w, Order.channel, sum_cents(PaymentTransaction.amount)).group_by(Order.channel),
    }


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


def _by_day(rows: dict[str, list], cur: str) -> list[s.DayRow]:
    days: dict[date, list] = {_day(d): [n, money(v), Decimal("0.00")] for d, n, v in rows["days"]}
    for d, v in rows["refund_days"]:
        days.setdefault(_day(d), [0, Decimal("0.00"), Decimal("0.00")])[2] = money(v)
    return [
        s.DayRow(day=d, orders=n, revenue=rev, refunds=ref, net=rev - ref,
                 summary=f"{d.isoformat()}: {counted(n, 'order')}, revenue {fmt(rev, cur)}, refunds {fmt(ref, cur)}, "
                         f"net {fmt(rev - ref, cur)}")
        for d, (n, rev, ref) in sorted(days.items())
    ]


def _by_channel(rows: dict[str, list], cur: str) -> list[s.ChannelRow]:
    channels: dict[str, list] = {str(c): [n, money(v), Decimal("0.00")] for c, n, v in rows["channels"]}
    for c, v in rows["refund_channels"]:
        channels.setdefault(str(c), [0, Decimal("0.00"), Decimal("0.00")])[2] = money(v)
    out = [
        s.ChannelRow(channel=c, orders=n, revenue=rev, refunds=ref, net=rev - ref,
                     summary=f"channel {c}: {counted(n, 'order')}, revenue {fmt(rev, cur)}, refunds {fmt(ref, cur)}, "
                             f"net {fmt(rev - ref, cur)}")
        for c, (n, rev, ref) in channels.items()
    ]
    return sorted(out, key=lambda r: (-r.revenue, r.channel))


def _by_category(rows: dict[str, list], cur: str) -> list[s.CategoryRow]:
    out = [
        s.CategoryRow(category_name=name or UNCATEGORISED, orders=n, units=int(units), revenue=money(v),
                      summary=f"{name or UNCATEGORISED}: {counted(int(units), 'unit')} in {counted(n, 'order')}, "
                              f"{fmt(money(v), cur)}")
        for name, n, units, v in rows["categories"]
    ]
    return sorted(out, key=lambda r: (-r.revenue, r.category_name))


def totals_of(order_row: Any, refund_row: Any) -> s.SalesTotals:
    """The range's totals from the order_totals and refund_totals rows."""
    orders, revenue, items, shipping = order_row
    refund_count, refunded = refund_row
    revenue, refunded = money(revenue), money(refunded)
    average = (revenue / orders).quantize(Decimal("0.01")) if orders else Decimal("0.00")
    return s.SalesTotals(orders=orders, revenue=revenue, items_revenue=money(items), shipping=money(shipping),
                         average_order_value=average, refund_count=refund_count, refunds=refunded,
                         net=revenue - refunded)


def assemble(w: Window, rows: dict[str, list]) -> dict[str, Any]:
    """The report's figures (totals, by_day, by_category, by_channel) from the statements' rows."""
    return {
        "totals": totals_of(rows["totals"][0], rows["refund_totals"][0]),
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
