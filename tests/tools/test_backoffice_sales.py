"""The sales report equals an independent SQL query on the large seed, for three ranges, on either database."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session

from db.engine import sync_url, unit_of_work
from db.enums import OrderChannel, OrderStatus, Role, TransactionKind, TransactionResult
from db.models import Order, PaymentTransaction, Report
from db.seed.backoffice import REPORT_DAYS, REPORT_ID
from db.seed.run import seed_database
from tests import factories as f
from tests.conftest import staff_principal
from tools.backoffice import sales
from tools.backoffice.seed import seed_demo_report
from tools.errors import Forbidden, InvalidInput

LARGE_ORDERS = 10_000
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _spread_refunds_and_channels(url: str) -> None:
    """Refund a tenth of every 13th kept order four days after its sale; move every 7th order to marketplace."""
    engine = create_engine(sync_url(url))
    with Session(engine) as s, s.begin():
        sales = s.execute(
            select(PaymentTransaction).join(Order, Order.id == PaymentTransaction.order_id)
            .where(PaymentTransaction.kind == TransactionKind.SALE, Order.status != OrderStatus.CANCELLED)
            .order_by(PaymentTransaction.id)).scalars().all()
        for sale in sales[::13]:
            s.add(PaymentTransaction(
                payment_id=sale.payment_id, order_id=sale.order_id, method_id=sale.method_id,
                kind=TransactionKind.REFUND, result=TransactionResult.SUCCESS, amount=_money(sale.amount / 10),
                currency="EUR", gateway_reference="test", reason="test",
                created_at=sale.created_at + timedelta(days=4)))
        s.execute(update(Order).where(Order.id.like("%7")).values(channel=OrderChannel.MARKETPLACE))
    engine.dispose()


def independent_figures(url: str, start: date, end: date) -> dict:
    """The report's figures by hand-written SQL: UTC days by the backend's own date functions."""
    engine = create_engine(sync_url(url))
    sqlite = engine.dialect.name == "sqlite"
    since, until = datetime.combine(start, datetime.min.time(), UTC), datetime.combine(end + timedelta(days=1),
                                                                                       datetime.min.time(), UTC)
    params = ({"a": since.strftime("%Y-%m-%d %H:%M:%S"), "b": until.strftime("%Y-%m-%d %H:%M:%S")} if sqlite
              else {"a": since, "b": until})

    def day(column: str) -> str:
        return f"substr({column}, 1, 10)" if sqlite else f"CAST(({column} AT TIME ZONE 'UTC') AS date)"

    kept = "o.placed_at >= :a AND o.placed_at < :b AND o.status <> 'cancelled' AND o.currency = 'EUR'"
    refunded = ("t.kind = 'refund' AND t.result = 'success' AND t.created_at >= :a AND t.created_at < :b "
                "AND t.currency = 'EUR' AND o.status <> 'cancelled'")
    with engine.connect() as c:
        def rows(sql: str) -> list:
            return c.execute(text(sql), params).all()

        totals = rows(f"SELECT COUNT(*), SUM(o.total), SUM(o.subtotal), SUM(o.shipping_cost) FROM orders o "
                      f"WHERE {kept}")[0]
        refunds = rows(f"SELECT COUNT(*), SUM(t.amount) FROM payment_transactions t JOIN orders o "
                       f"ON o.id = t.order_id WHERE {refunded}")[0]
        days = defaultdict(lambda: [0, CENT * 0, CENT * 0])
        for d, n, v in rows(f"SELECT {day('o.placed_at')}, COUNT(*), SUM(o.total) FROM orders o WHERE {kept} "
                            f"GROUP BY 1"):
            days[str(d)][:2] = [n, _money(v)]
        for d, v in rows(f"SELECT {day('t.created_at')}, SUM(t.amount) FROM payment_transactions t JOIN orders o "
                         f"ON o.id = t.order_id WHERE {refunded} GROUP BY 1"):
            days[str(d)][2] = _money(v)
        channels = defaultdict(lambda: [0, CENT * 0, CENT * 0])
        for ch, n, v in rows(f"SELECT o.channel, COUNT(*), SUM(o.total) FROM orders o WHERE {kept} GROUP BY 1"):
            channels[ch][:2] = [n, _money(v)]
        for ch, v in rows(f"SELECT o.channel, SUM(t.amount) FROM payment_transactions t JOIN orders o "
                          f"ON o.id = t.order_id WHERE {refunded} GROUP BY 1"):
            channels[ch][2] = _money(v)
        categories = {
            name or "Uncategorised": (n, int(units), _money(v)) for name, n, units, v in rows(
                "SELECT c.name, COUNT(DISTINCT o.id), SUM(l.quantity), SUM(l.unit_price * l.quantity) "
                "FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id "
                f"LEFT JOIN categories c ON c.id = p.category_id WHERE {kept} GROUP BY c.name")
        }
    engine.dispose()
    return {
        "totals": (totals[0], _money(totals[1]), _money(totals[2]), _money(totals[3]), refunds[0],
                   _money(refunds[1])),
        "days": {d: tuple(v) for d, v in days.items()},
        "channels": {ch: tuple(v) for ch, v in channels.items()},
        "categories": categories,
    }


def figures_of(out) -> dict:
    """The same shape from the report tool's answer."""
    t = out.totals
    return {
        "totals": (t.orders, t.revenue, t.items_revenue, t.shipping, t.refund_count, t.refunds),
        "days": {r.day.isoformat(): (r.orders, r.revenue, r.refunds) for r in out.by_day},
        "channels": {r.channel: (r.orders, r.revenue, r.refunds) for r in out.by_channel},
        "categories": {r.category_name: (r.orders, r.units, r.revenue) for r in out.by_category},
    }


async def test_sales_report_equals_an_independent_query_on_the_large_seed(database_url, sessions, call, merchant):
    seed_database(database_url, size="large", large_orders=LARGE_ORDERS, reset=True)
    _spread_refunds_and_channels(database_url)
    today = datetime.now(UTC).date()
    ranges = [(today - timedelta(days=30), today - timedelta(days=1)),  # the demo's recent orders
              (today - timedelta(days=400), today - timedelta(days=300)),  # history only
              (today - timedelta(days=900), today)]  # everything
    for start, end in ranges:
        out = await call(merchant, "create_sales_report", start_date=start.isoformat(), end_date=end.isoformat())
        expected = independent_figures(database_url, start, end)
        assert expected["totals"][0] > 100 and expected["totals"][4] > 0, (start, end)
        assert figures_of(out) == expected, (start, end)
        t = out.totals
        assert t.net == t.revenue - t.refunds and t.revenue == t.items_revenue + t.shipping
        assert t.average_order_value == (t.revenue / t.orders).quantize(CENT)
        assert sum(r.net for r in out.by_day) == t.net == sum(r.net for r in out.by_channel)
    assert len({c for c in figures_of(out)["channels"]}) == 3  # web, staff and marketplace all reported


async def placed(sessions, owner, method, item, at: datetime, *, status=OrderStatus.DELIVERED, currency="EUR"):
    """A paid order of one item placed (and paid) at `at`."""
    order = await f.order(sessions, owner, [(item, 1)], method, status=status)
    async with unit_of_work(sessions) as s:
        await s.execute(update(Order).where(Order.id == order.id).values(placed_at=at, currency=currency))
        await s.execute(update(PaymentTransaction).where(PaymentTransaction.order_id == order.id)
                        .values(created_at=at, currency=currency))
    return order


async def refund_at(sessions, call, order, amount: str, at: datetime) -> None:
    """Refund part of an order (as an admin), dated `at`."""
    out = await call(staff_principal(Role.ADMIN), "refund_payment", order_id=order.id, amount=amount)
    async with unit_of_work(sessions) as s:
        await s.execute(update(PaymentTransaction).where(PaymentTransaction.id == out.transaction.id)
                        .values(created_at=at))


def at(day: str, clock: str = "12:00") -> datetime:
    """A UTC instant."""
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


async def test_which_orders_and_refunds_count(sessions, call, merchant):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions, variants=[{"sku": "KB-100", "options": {}, "price": Decimal("100.00")}])
    item = kb.variants[0]
    kept = await placed(sessions, ava, card, item, at("2026-10-01", "00:00"))
    await placed(sessions, ava, card, item, at("2026-10-31", "23:59"), status=OrderStatus.PENDING)
    cancelled = await placed(sessions, ava, card, item, at("2026-10-10"), status=OrderStatus.CANCELLED)
    await placed(sessions, ava, card, item, at("2026-10-12"), currency="USD")
    await placed(sessions, ava, card, item, at("2026-11-01", "00:00"))  # the day after the range
    earlier = await placed(sessions, ava, card, item, at("2026-09-20"))
    await refund_at(sessions, call, kept, "10.00", at("2026-10-05"))
    await refund_at(sessions, call, earlier, "15.00", at("2026-10-06"))  # placed before, refunded inside: counts
    await refund_at(sessions, call, cancelled, "100.00", at("2026-10-11"))  # a cancelled order's refund: never
    await refund_at(sessions, call, kept, "5.00", at("2026-11-02"))  # after the range
    out = await call(merchant, "create_sales_report", start_date="2026-10-01", end_date="2026-10-31")
    t = out.totals
    assert (t.orders, t.revenue, t.average_order_value, t.refund_count, t.refunds, t.net) == (
        2, Decimal("200.00"), Decimal("100.00"), 2, Decimal("25.00"), Decimal("175.00"))
    assert [(r.day.isoformat(), r.orders, r.revenue, r.refunds) for r in out.by_day] == [
        ("2026-10-01", 1, 100, 0), ("2026-10-05", 0, 0, 10), ("2026-10-06", 0, 0, 15), ("2026-10-31", 1, 100, 0)]
    assert [(r.category_name, r.orders, r.units, r.revenue) for r in out.by_category] == [("Uncategorised", 2, 2, 200)]
    usd = await call(merchant, "create_sales_report", start_date="2026-10-01", end_date="2026-10-31", currency="USD")
    assert (usd.totals.orders, usd.totals.revenue, usd.currency) == (1, Decimal("100.00"), "USD")
    assert "not cancelled" in out.rule and "by the day they were made" in out.rule


async def test_days_are_utc_days_whatever_the_session_time_zone(sessions, merchant):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions, variants=[{"sku": "KB-50", "options": {}, "price": Decimal("50.00")}])
    await placed(sessions, ava, card, kb.variants[0], at("2026-10-01", "23:30"))
    await placed(sessions, ava, card, kb.variants[0], at("2026-10-02", "00:30"))
    async with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))  # UTC+14: local days differ
        out = await sales.figures(session, sales.Window(date(2026, 10, 1), date(2026, 10, 1)))
    assert [(r.day.isoformat(), r.orders) for r in out["by_day"]] == [("2026-10-01", 1)]


async def test_a_report_is_stored_and_read_back_as_it_was(sessions, call, merchant, admin, api):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions, variants=[{"sku": "KB-70", "options": {}, "price": Decimal("70.00")}])
    await placed(sessions, ava, card, kb.variants[0], at("2026-10-03"))
    out = await call(merchant, "create_sales_report", start_date="2026-10-01", end_date="2026-10-31")
    await placed(sessions, ava, card, kb.variants[0], at("2026-10-04"))  # later orders never change a stored report
    assert await call(admin, "get_report", report_id=out.report_id) == out
    assert out.created_by == merchant.label and out.title == "Sales 2026-10-01 to 2026-10-31 (EUR)"
    listed = await call(admin, "list_reports")
    assert [(r.report_id, r.kind) for r in listed.reports] == [(out.report_id, "sales")] and listed.total == 1
    headline = "1 order, revenue 70.00 EUR, net 70.00 EUR (asked by staff:merchant-tester)"
    assert listed.reports[0].summary.endswith(headline)
    user = await f.staff_user(sessions, Role.MERCHANT)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=user)}"}
    got = await api.get(f"/api/v1/reports/{out.report_id}", headers=headers)
    assert got.status_code == 200 and got.json() == out.model_dump(mode="json")
    made = await api.post("/api/v1/reports/sales", json={"start_date": "2026-10-01", "end_date": "2026-10-31"},
                          headers=headers)
    assert made.status_code == 201 and made.json()["totals"]["orders"] == 2
    assert (await api.get("/api/v1/reports", headers=headers)).json()["total"] == 2
    backwards = await api.post("/api/v1/reports/sales", json={"start_date": "2026-10-31", "end_date": "2026-10-01"},
                               headers=headers)
    assert backwards.status_code == 422 and "end_date" in backwards.json()["error"]["message"]
    missing = await api.get("/api/v1/reports/00000000-0000-0000-0000-000000000000", headers=headers)
    assert missing.status_code == 404


async def test_reports_are_for_managers_only(sessions, call, support, warehouse_staff):
    for who in (support, warehouse_staff, f.principal_of(await f.customer(sessions))):
        with pytest.raises(Forbidden):
            await call(who, "create_sales_report", start_date="2026-10-01", end_date="2026-10-31")
        with pytest.raises(Forbidden):
            await call(who, "list_reports")
    with pytest.raises(InvalidInput):
        await call(staff_principal(Role.ADMIN), "create_sales_report", start_date="2020-01-01", end_date="2026-01-01")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Report)) == 0


async def test_the_demo_report_is_computed_by_the_report_service(database_url, sessions, call, admin):
    seed_database(database_url, reset=True)
    assert seed_demo_report(database_url) and not seed_demo_report(database_url)
    stored = await call(admin, "get_report", report_id=REPORT_ID)
    fresh = await call(admin, "create_sales_report", start_date=stored.start_date.isoformat(),
                       end_date=stored.end_date.isoformat())
    assert stored.totals == fresh.totals and stored.by_day == fresh.by_day and stored.totals.orders > 50
    assert (stored.end_date - stored.start_date).days == REPORT_DAYS - 1 and stored.created_by == "staff:mia.merchant"
