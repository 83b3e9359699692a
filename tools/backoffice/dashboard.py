"""Dashboard metrics: recent orders and revenue (the sales report's rule) and what needs attention now.

Each figure comes from the service that owns its rule: orders and revenue from the sales report's
statement, low stock from the inventory low-stock report, open alerts from the alert state machine.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ApprovalStatus, OrderStatus, RmaStatus
from db.models import ApprovalRequest, Order, ReturnRequest, RiskAlert, SystemAlert
from tools.alerts import ALERT_MOVES
from tools.backoffice import report_schemas as s
from tools.backoffice.sales import Window, counted, fmt, money, order_totals
from tools.inventory.reports import low_stock_counts

PERIODS = (("today", 1), ("7d", 7), ("30d", 30))
# An alert is open while the alert table still lets it move (open or acknowledged).
OPEN_ALERT = tuple(ALERT_MOVES)
# A return is open until it is settled one way or another.
OPEN_RETURN = (RmaStatus.REQUESTED, RmaStatus.APPROVED, RmaStatus.IN_TRANSIT, RmaStatus.RECEIVED, RmaStatus.INSPECTED)
LABELS = {"today": "Today", "7d": "Last 7 days", "30d": "Last 30 days"}


async def _count(session: AsyncSession, column, *criteria) -> int:
    return await session.scalar(select(func.count(column)).where(*criteria)) or 0


async def period(session: AsyncSession, name: str, days: int, now: datetime, currency: str) -> s.PeriodFigures:
    """Orders and revenue of the last `days` UTC calendar days, today included."""
    today = now.date()
    w = Window(today - timedelta(days=days - 1), today, currency)
    orders, revenue, _items, _shipping = (await session.execute(order_totals(w))).one()
    revenue = money(revenue)
    return s.PeriodFigures(period=name, since=w.start, orders=orders, revenue=revenue,
                           summary=f"{LABELS[name]}: {counted(orders, 'order')}, {fmt(revenue, currency)}")


async def metrics(session: AsyncSession, now: datetime, currency: str) -> s.DashboardOut:
    """Every dashboard figure as of `now`."""
    periods = [await period(session, name, days, now, currency) for name, days in PERIODS]
    low, critical = await low_stock_counts(session)
    system = await _count(session, SystemAlert.id, SystemAlert.status.in_(OPEN_ALERT))
    risk = await _count(session, RiskAlert.id, RiskAlert.status.in_(OPEN_ALERT))
    returns = await _count(session, ReturnRequest.id, ReturnRequest.status.in_(OPEN_RETURN))
    on_hold = await _count(session, Order.id, Order.status == OrderStatus.ON_HOLD)
    approvals = await _count(session, ApprovalRequest.id, ApprovalRequest.status == ApprovalStatus.PENDING)
    summary = (f"{counted(returns, 'open return')}, {counted(low, 'low-stock row')} ({critical} critical), "
               f"{counted(system + risk, 'open alert')}, {counted(on_hold, 'order')} on hold and "
               f"{counted(approvals, 'pending approval')}")
    return s.DashboardOut(
        generated_at=now, currency=currency, periods=periods, open_returns=returns, low_stock=low,
        critical_stock=critical, open_system_alerts=system, open_risk_alerts=risk, open_alerts=system + risk,
        on_hold_orders=on_hold, pending_approvals=approvals, summary=summary,
    )
