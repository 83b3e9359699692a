"""The retail benchmark import: every record lands in our schema and maps back to the source JSON."""

import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.engine import sync_url
from db.models import Customer
from db.seed.run import SeedRefused, seed_database
from db.seed.tau import export_tau, order_as_tau
from shopcrew.cli import app
from shopcrew.settings import get_settings
from tests.db.test_seed import fresh_sqlite

# Read from the shared checkout at test time (MIT-licensed upstream data; see its LICENSE), never copied here.
TAU_DB = Path(__file__).parents[2] / ".." / "shared" / "tau2-retail" / "db.json"
pytestmark = pytest.mark.skipif(not TAU_DB.exists(), reason=f"retail benchmark data not found at {TAU_DB}")


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    return json.loads(TAU_DB.read_text())


def cents(value: Any) -> Any:
    """The value with every float turned into whole cents, so money compares to the cent."""
    if isinstance(value, float):
        return round(value * 100)
    if isinstance(value, dict):
        return {k: cents(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cents(v) for v in value]
    return value


@pytest.fixture
def imported(database_url, sessions):
    """The benchmark imported into the shared test database, and what it exports back."""
    result = seed_database(database_url, tau_path=TAU_DB, reset=True)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        exported = export_tau(session)
    engine.dispose()
    return result, exported


def test_import_counts(imported):
    result, _ = imported
    counts = result.counts
    assert (counts["customers"], counts["orders"], counts["products"], counts["product_variants"]) == (
        500, 1000, 50, 591)
    assert (counts["payment_methods"], counts["order_lines"], counts["shipments"]) == (695, 2978, 577)
    assert counts["payment_transactions"] == 1102 and counts["addresses"] == 500
    assert counts["staff_users"] == 4 and counts["api_keys"] == 4


def _compare(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
    assert set(ours) == set(theirs), where
    for field in theirs:
        assert cents(ours[field]) == cents(theirs[field]), f"{where}.{field}"


def test_sampled_orders_and_users_and_every_product_round_trip_field_by_field(imported, source):
    _, exported = imported
    rng = random.Random(2)
    for order_id in rng.sample(sorted(source["orders"]), 25):
        _compare(exported["orders"][order_id], source["orders"][order_id], order_id)
    for user_id in rng.sample(sorted(source["users"]), 25):
        _compare(exported["users"][user_id], source["users"][user_id], user_id)
    for product_id, product in source["products"].items():
        _compare(exported["products"][product_id], product, product_id)


def test_whole_database_round_trips(imported, source):
    _, exported = imported
    assert set(exported) == set(source)
    for kind in source:
        assert exported[kind].keys() == source[kind].keys(), kind
        assert cents(exported[kind]) == cents(source[kind]), kind


async def test_tools_read_imported_users_in_source_order(imported, source, call, support):
    for user_id in ("noah_brown_6181", "yusuf_rossi_9620"):
        details = await call(support, "get_customer_details", customer_id=user_id)
        assert details.order_ids == source["users"][user_id]["orders"]
        assert [m.id for m in details.payment_methods] == list(source["users"][user_id]["payment_methods"])


def test_import_refuses_a_database_with_data_and_changes_nothing(tmp_path):
    url = fresh_sqlite(tmp_path / "demo.db")
    seed_database(url)
    with pytest.raises(SeedRefused):
        seed_database(url, tau_path=TAU_DB)
    engine = create_engine(sync_url(url))
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 60
        assert s.get(Customer, "noah_brown_6181") is None
    engine.dispose()


def test_order_shape_reflects_later_changes():
    order = SimpleNamespace(id="#W1", customer_id="u", status="pending", items_modified=True,
                            shipping_address={"zip": "1"}, cancel_reason=None)
    line = SimpleNamespace(position=0, name="Lamp", product_id="p", variant_id="i", unit_price=1, quantity=2,
                           options={})
    assert order_as_tau(order, [line], [], [])["status"] == "pending (item modified)"
    assert [item["item_id"] for item in order_as_tau(order, [line], [], [])["items"]] == ["i", "i"]
    order.status, order.cancel_reason = "cancelled", "ordered by mistake"
    shaped = order_as_tau(order, [line], [], [])
    assert (shaped["status"], shaped["cancel_reason"]) == ("cancelled", "ordered by mistake")
    order.status = "return_requested"
    assert order_as_tau(order, [line], [], [])["status"] == "return requested"


def test_cli_imports_the_benchmark(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPCREW_DATABASE_URL", f"sqlite:///{tmp_path / 'tau.db'}")
    monkeypatch.setenv("SHOPCREW_DATA_DIR", str(tmp_path))  # the knowledge index goes beside it
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        refused = runner.invoke(app, ["seed", "--from-tau", str(TAU_DB), "--size", "large"])
        assert refused.exit_code != 0
        done = runner.invoke(app, ["seed", "--from-tau", str(TAU_DB)])
        assert done.exit_code == 0, done.output
        assert "retail benchmark" in done.output and "1,000" in done.output
    finally:
        get_settings.cache_clear()
