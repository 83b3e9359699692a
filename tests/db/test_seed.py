"""The demo seed: deterministic, every status, consistent stock, money and shipments, documented fixtures."""

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.auth import principal_for_key
from db.base import Base
from db.engine import sync_url
from db.enums import OrderStatus, ReservationStatus, Role, TransactionKind
from db.models import (
    Address,
    ApiKey,
    Carrier,
    Customer,
    Invoice,
    Order,
    OrderLine,
    Payment,
    PaymentTransaction,
    Product,
    ProductVariant,
    ReturnRequest,
    Shipment,
    StaffUser,
    StockLevel,
    StockMovement,
    StockReservation,
    TrackingEvent,
    Warehouse,
)
from db.seed.base import today_midnight
from db.seed.demo import build_demo
from db.seed.docs import render
from db.seed.keys import demo_key
from db.seed.run import SeedRefused, seed_database
from shopcrew.cli import app
from shopcrew.settings import get_settings

DOC = Path(__file__).parents[2] / "docs" / "demo-data.md"
HOLDS_STOCK = {OrderStatus.PENDING, OrderStatus.ON_HOLD}
SHIPPED = {OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED}


def fresh_sqlite(path: Path) -> str:
    """A SQLite file with the schema built from the models."""
    url = f"sqlite:///{path}"
    engine = create_engine(sync_url(url))
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def snapshot(url: str) -> dict:
    """What must be identical between two seeds: ids, emails, order totals, SKUs, key hashes, counts."""
    engine = create_engine(sync_url(url))
    with Session(engine) as s:
        shot = {
            "customers": s.execute(select(Customer.id, Customer.email).order_by(Customer.id)).all(),
            "orders": s.execute(select(Order.id, Order.status, Order.total).order_by(Order.id)).all(),
            "skus": s.scalars(select(ProductVariant.sku).order_by(ProductVariant.id)).all(),
            "keys": s.scalars(select(ApiKey.key_hash).order_by(ApiKey.id)).all(),
            "counts": {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables},
        }
    engine.dispose()
    return shot


def test_demo_seed_is_deterministic(tmp_path):
    first = seed_database(fresh_sqlite(tmp_path / "a.db"))
    second = seed_database(fresh_sqlite(tmp_path / "b.db"))
    assert first.counts == second.counts
    assert snapshot(f"sqlite:///{tmp_path / 'a.db'}") == snapshot(f"sqlite:///{tmp_path / 'b.db'}")


def test_reference_numbers_do_not_depend_on_the_day_the_shop_is_seeded():
    # Datasets and docs name records by number; a shop seeded on a later day (here across a year end) must keep them.
    days = [datetime(2026, 12, 20, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)]
    shops = [build_demo(day).rows for day in days]

    def numbers(rows, model, field):
        return [(row[field], row["created_at"] if "created_at" in row else row["issued_at"]) for row in rows.of(model)]

    for model, field in ((Shipment, "tracking_number"), (ReturnRequest, "rma_number"), (Invoice, "number")):
        early, late = (numbers(rows, model, field) for rows in shops)
        assert early and [n for n, _ in early] == [n for n, _ in late], field
        assert all(b - a == days[1] - days[0] for (_, a), (_, b) in zip(early, late, strict=True)), field


@pytest.fixture
def demo(database_url, sessions):
    """The demo shop in the shared test database (emptied afterwards by the sessions fixture)."""
    result = seed_database(database_url, reset=True)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        yield result, session
    engine.dispose()


def test_demo_covers_every_status_and_the_minimum_sizes(demo):
    result, s = demo
    statuses = Counter(s.scalars(select(Order.status)))
    assert set(statuses) == set(OrderStatus) and sum(statuses.values()) == 300
    assert result.counts["customers"] >= 50 and result.counts["products"] >= 30
    assert 140 <= result.counts["product_variants"] <= 170 and result.counts["categories"] >= 6
    assert s.scalars(select(Warehouse.code).order_by(Warehouse.code)).all() == ["BER-1", "LYS-1", "PAR-1"]
    assert {c.name for c in s.scalars(select(Carrier))} == {"Colissimo", "Chronopost", "DPD", "Colis Privé",
                                                              "UPS", "FedEx"}
    assert set(s.scalars(select(StaffUser.role))) == {Role.SUPPORT, Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}


def test_demo_orders_spread_over_the_last_120_days(demo):
    _, s = demo
    placed = [p if p.tzinfo else p.replace(tzinfo=UTC) for p in s.scalars(select(Order.placed_at))]
    now = datetime.now(UTC)
    assert min(placed) >= now - timedelta(days=122) and max(placed) <= now
    assert any(p < now - timedelta(days=90) for p in placed) and any(p > now - timedelta(days=7) for p in placed)


def test_demo_stock_is_consistent_with_reservations_and_the_ledger(demo):
    _, s = demo
    levels = s.scalars(select(StockLevel)).all()
    assert all(0 <= level.allocated <= level.on_hand for level in levels)
    assert any(level.on_hand == 0 for level in levels) and any(0 < level.on_hand <= level.reorder_point
                                                               for level in levels)
    reserved, ledger = Counter(), Counter()
    for r in s.scalars(select(StockReservation)):
        assert r.status == ReservationStatus.ACTIVE and r.expires_at is None and r.order_id
        reserved[r.warehouse_id, r.variant_id] += r.quantity
    for m in s.scalars(select(StockMovement)):
        ledger[m.warehouse_id, m.variant_id] += m.quantity
    for level in levels:
        assert level.allocated == reserved[level.warehouse_id, level.variant_id]
        assert level.on_hand == ledger[level.warehouse_id, level.variant_id]
    tracked = s.scalar(select(func.count()).select_from(ProductVariant).where(ProductVariant.track_stock))
    assert len(levels) == 3 * tracked


def test_demo_reservations_belong_to_orders_still_holding_stock(demo):
    _, s = demo
    rows = s.execute(select(Order.status, Shipment.status).join(StockReservation, StockReservation.order_id == Order.id)
                     .outerjoin(Shipment, Shipment.order_id == Order.id)).all()
    assert rows and all(status in HOLDS_STOCK or (status == OrderStatus.PROCESSED and shipment == "packed")
                        for status, shipment in rows)


def test_demo_money_adds_up(demo):
    _, s = demo
    lines = defaultdict(list)
    for line in s.scalars(select(OrderLine)):
        lines[line.order_id].append(line)
    history = defaultdict(list)
    for t in s.scalars(select(PaymentTransaction).order_by(PaymentTransaction.id)):
        history[t.order_id].append((t.kind, t.amount))
    payments = {p.order_id: p for p in s.scalars(select(Payment))}
    for order in s.scalars(select(Order)):
        assert order.subtotal == sum(line.unit_price * line.quantity for line in lines[order.id])
        assert order.total == order.subtotal + order.shipping_cost
        expected = [(TransactionKind.SALE, order.total)]
        if order.status == OrderStatus.CANCELLED:
            expected.append((TransactionKind.REFUND, order.total))
            assert payments[order.id].status == "refunded" and order.cancel_reason
        assert history[order.id] == expected


def test_demo_shipments_follow_the_order_status(demo):
    _, s = demo
    prefixes = {c.code: c.tracking_prefix for c in s.scalars(select(Carrier))}
    shipments = {sh.order_id: sh for sh in s.scalars(select(Shipment))}
    events = Counter(s.scalars(select(TrackingEvent.shipment_id)))
    for order in s.scalars(select(Order)):
        shipment = shipments.get(order.id)
        if order.status in SHIPPED | {OrderStatus.PROCESSED}:
            assert shipment.tracking_numbers[0].startswith(prefixes[shipment.carrier_code])
            assert events[shipment.id] >= 1
            assert (shipment.status == "delivered") == (order.status in SHIPPED)
        else:
            assert shipment is None, order.id


async def test_demo_api_keys_act_as_their_principals(demo, sessions):
    async with sessions() as session:
        admin = await principal_for_key(session, demo_key("staff:ada.admin"))
        ava = await principal_for_key(session, demo_key("customer:ava.martin@example.com"))
    assert (admin.role, admin.subject) == (Role.ADMIN, "ada.admin")
    assert ava.role == Role.CUSTOMER and ava.display == "ava.martin@example.com"


async def test_demo_keys_work_over_rest(demo, api):
    _, s = demo
    ava = s.scalar(select(Customer).where(Customer.email == "ava.martin@example.com"))
    headers = {"Authorization": f"Bearer {demo_key('customer:ava.martin@example.com')}"}
    response = await api.get(f"/api/v1/customers/{ava.id}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == ava.email and len(response.json()["order_ids"]) == 6


def test_new_rows_get_fresh_ids_after_seeding(demo):
    _, s = demo
    # Seeding writes explicit integer ids; PostgreSQL sequences must have been moved past them.
    highest = s.scalar(select(func.max(Address.id)))
    address = Address(customer_id=s.scalar(select(Customer.id).limit(1)), address1="1 Rue Neuve", city="Lille",
                      country="FR", zip="59000")
    s.add(address)
    s.flush()
    assert address.id > highest
    s.rollback()


def test_documented_orders_exist_with_their_status(demo):
    _, s = demo
    documented = re.findall(r"\| `(#W\d{7})` \| [^|]+ \| (\w+) \|", DOC.read_text())
    assert len(documented) >= 24
    stored = dict(s.execute(select(Order.id, Order.status).where(Order.id.in_([o for o, _ in documented]))).all())
    assert stored == dict(documented)
    owners = defaultdict(set)
    for line in re.findall(r"\| `#W\d{7}` \| ([^|]+) \| (\w+) \|", DOC.read_text()):
        owners[line[1]].add(line[0])
    assert all(len(owners[status]) >= 2 for status in ("pending", "processed", "delivered", "cancelled"))
    delivered = [o for o, status in documented if status == "delivered"]
    arrived = s.scalars(select(Shipment.delivered_at).where(Shipment.order_id.in_(delivered))).all()
    month_ago = datetime.now(UTC) - timedelta(days=30)
    assert len(arrived) == len(delivered) and all((a if a.tzinfo else a.replace(tzinfo=UTC)) > month_ago
                                                  for a in arrived)


def test_docs_match_the_seed():
    assert DOC.read_text() == render(), "regenerate: python -m db.seed.docs > docs/demo-data.md"


def test_seeding_a_shop_twice_is_refused_and_changes_nothing(tmp_path):
    url = fresh_sqlite(tmp_path / "twice.db")
    seed_database(url)
    before = snapshot(url)
    with pytest.raises(SeedRefused, match="--reset"):
        seed_database(url)
    assert seed_database(url, if_empty=True).skipped
    assert snapshot(url) == before


def test_large_seed_adds_history_only(tmp_path):
    url = fresh_sqlite(tmp_path / "large.db")
    result = seed_database(url, size="large", large_orders=3000)
    assert result.counts["orders"] == 3300 and result.counts["payments"] == 3300
    engine = create_engine(sync_url(url))
    with Session(engine) as s:
        cutoff = today_midnight() - timedelta(days=120)  # demo orders are younger, history older
        old = s.scalars(select(Order).where(Order.placed_at < cutoff)).all()
        assert len(old) == 3000 and {o.status for o in old} == {OrderStatus.DELIVERED, OrderStatus.CANCELLED}
        refunds = s.scalar(select(func.count()).select_from(PaymentTransaction)
                           .where(PaymentTransaction.kind == TransactionKind.REFUND))
        cancelled = s.scalar(select(func.count()).select_from(Order).where(Order.status == OrderStatus.CANCELLED))
        assert refunds == cancelled
        assert s.scalar(select(func.count()).select_from(Product)) == 32
    engine.dispose()


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    """SHOPCREW_DATABASE_URL pointing at an empty SQLite file for CLI runs."""
    monkeypatch.setenv("SHOPCREW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SHOPCREW_DATA_DIR", str(tmp_path))  # the knowledge index goes beside it
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cli_seed_migrates_refuses_skips_and_resets(cli_database):
    runner = CliRunner()
    first = runner.invoke(app, ["seed"])
    assert first.exit_code == 0, first.output
    assert "orders" in first.output and "300" in first.output
    again = runner.invoke(app, ["seed"])
    assert again.exit_code == 1 and "refused" in again.output
    assert runner.invoke(app, ["seed", "--if-empty"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--reset"]).exit_code == 0
    assert runner.invoke(app, ["seed", "--size", "huge"]).exit_code != 0
