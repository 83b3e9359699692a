"""Dashboard metrics: recent orders and revenue by the sales report's rule, and what needs attention now."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from db.engine import unit_of_work
from db.enums import AlertSeverity, AlertStatus, OrderStatus, ReturnReason, ReturnResolution, RmaStatus
from db.models import Order, ReturnRequest, RiskAlert, SystemAlert
from tests import factories as f
from tools.errors import Forbidden


async def order_at(sessions, owner, card, item, now: datetime, days_ago: int, status=OrderStatus.DELIVERED) -> Order:
    """A paid order placed `days_ago` days before `now`."""
    order = await f.order(sessions, owner, [(item, 1)], card, status=status)
    async with unit_of_work(sessions) as s:
        await s.execute(update(Order).where(Order.id == order.id).values(placed_at=now - timedelta(days=days_ago)))
    return order


async def attention(sessions, order: Order) -> None:
    """Returns and alerts in every status, two of each kind still open."""
    async with unit_of_work(sessions) as s:
        for n, status in enumerate((RmaStatus.REQUESTED, RmaStatus.RECEIVED, RmaStatus.REFUNDED, RmaStatus.REJECTED)):
            s.add(ReturnRequest(id=str(uuid.uuid4()), rma_number=f"RMA-20261001-TEST000{n}", order_id=order.id,
                                customer_id=order.customer_id, status=status, reason=ReturnReason.CHANGED_MIND,
                                resolution=ReturnResolution.REFUND))
        for status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED, AlertStatus.DISMISSED):
            s.add(SystemAlert(source="test", title=f"alert {status}", severity=AlertSeverity.WARNING, status=status))
        for status in (AlertStatus.OPEN, AlertStatus.RESOLVED):
            s.add(RiskAlert(metric="refunds", severity=AlertSeverity.WARNING, status=status, value=Decimal("9")))


async def test_dashboard_metrics(sessions, call, merchant, support):
    now = datetime.now(UTC)  # read in the test, so a run that crosses midnight judges the same day as the tool
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions, variants=[{"sku": "KB-D1", "options": {}, "price": Decimal("40.00")},
                                             {"sku": "KB-D2", "options": {}, "price": Decimal("60.00")}])
    cheap, dear = kb.variants
    first = await order_at(sessions, ava, card, cheap, now, 0)
    for days in (3, 20, 45):
        await order_at(sessions, ava, card, dear, now, days)
    await order_at(sessions, ava, card, dear, now, 0, status=OrderStatus.CANCELLED)
    await order_at(sessions, ava, card, cheap, now, 1, status=OrderStatus.ON_HOLD)
    await attention(sessions, first)
    wh = await f.warehouse(sessions)
    await f.stock(sessions, wh, cheap, on_hand=2, reorder_point=10)  # critical
    await f.stock(sessions, wh, dear, on_hand=8, reorder_point=10)  # low
    closed = await f.warehouse(sessions, active=False)
    await f.stock(sessions, closed, cheap, on_hand=0, reorder_point=10)  # inactive warehouses do not count
    out = await call(merchant, "get_dashboard_metrics")
    today = now.date()
    assert [(p.period, p.since, p.orders, p.revenue) for p in out.periods] == [
        ("today", today, 1, Decimal("40.00")),
        ("7d", today - timedelta(days=6), 3, Decimal("140.00")),  # today, on hold yesterday, 3 days ago
        ("30d", today - timedelta(days=29), 4, Decimal("200.00")),
    ]
    low = await call(merchant, "get_low_stock_report")
    assert (out.low_stock, out.critical_stock) == (low.total_low, low.critical) == (2, 1)
    assert (out.open_returns, out.open_system_alerts, out.open_risk_alerts, out.open_alerts) == (2, 2, 1, 3)
    assert (out.on_hold_orders, out.pending_approvals) == (1, 0)
    assert "2 open returns" in out.summary and "1 order on hold" in out.summary
    report = await call(merchant, "create_sales_report", start_date=(today - timedelta(days=29)).isoformat(),
                        end_date=today.isoformat())
    assert (report.totals.orders, report.totals.revenue) == (out.periods[2].orders, out.periods[2].revenue)
    with pytest.raises(Forbidden):
        await call(support, "get_dashboard_metrics")
