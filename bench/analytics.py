"""Benchmark analytics at scale: sales report, dashboard, low-stock report and order search at growing order counts.

Run: .venv/bin/python -m bench.analytics [--sizes 10000 100000 1000000] [--repeat 5]
                                         [--postgres URL | --no-postgres] [--no-before]
For each size, seeds `shopcrew seed --size large` with that many past orders (bulk inserts; COPY on PostgreSQL)
into a fresh SQLite file under /tmp and a fresh PostgreSQL database (the server at SHOPCREW_BENCH_POSTGRES_URL,
default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), refreshes the planner's statistics, then times the
tools through the runner as a merchant (one transaction each, as REST and chat run them): one warm-up, `--repeat`
timed runs. Every SELECT a call sends is captured and EXPLAINed. At the largest size the database is then taken
back to migration 0010 (before the analytics indexes of 0011), timed and explained again, and brought back to head.
Writes bench/results/analytics.json with the growth factor per 10x orders.
"""

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bench.common import machine, percentiles, uptime, write_results
from db.engine import make_engine, make_sessionmaker, sync_url
from db.enums import Role
from db.migrate import downgrade, upgrade
from db.models import Order
from db.seed.run import seed_database
from tools.context import Principal
from tools.registry import load_all
from tools.runner import execute

MERCHANT = Principal(role=Role.MERCHANT, subject="mia.merchant", display="mia.merchant")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BEFORE_INDEXES = "0010"  # the revision before migration 0011's analytics indexes
# Tables whose statements grow with the order count: their plans are the ones worth showing.
GROWING = ("orders", "order_lines", "payment_transactions", "payments")


def calls(busiest_customer: str) -> dict[str, tuple[str, dict]]:
    """The timed tool calls by label. The large shop's history is 121 to 850 days old, the demo's last 120 days."""
    today = datetime.now(UTC).date()
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    return {
        "sales report 30 days": ("create_sales_report", {"start_date": day(30), "end_date": day(1)}),
        "sales report 365 days": ("create_sales_report", {"start_date": day(365), "end_date": day(1)}),
        "sales report all (900 days)": ("create_sales_report", {"start_date": day(900), "end_date": day(1)}),
        "dashboard": ("get_dashboard_metrics", {}),
        "low-stock report": ("get_low_stock_report", {}),
        "order search: newest page": ("list_orders", {"limit": 20}),
        "order search: cancelled in a month": ("list_orders", {"status": "cancelled", "placed_from": day(400),
                                                               "placed_to": day(370), "limit": 20}),
        "order search: busiest customer": ("list_orders", {"customer_id": busiest_customer, "limit": 20}),
    }


def seed(url: str, orders: int) -> float:
    """Migrate and seed the large shop; seconds taken."""
    tick = time.perf_counter()
    upgrade(url)
    seed_database(url, size="large", large_orders=orders, reset=True)
    return round(time.perf_counter() - tick, 1)


def settle(url: str) -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map), as autovacuum would after a bulk load."""
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"))
    engine.dispose()


def seeded_orders(url: str) -> int:
    """How many orders the database holds (0 when it has no schema yet)."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Order)) or 0
    except DBAPIError:  # a file or database without our schema yet
        return 0
    finally:
        engine.dispose()


async def explain(engine, statements: list[tuple[str, object]]) -> list[dict]:
    """The plan of each captured SELECT that reads a table growing with the orders."""
    sqlite = engine.dialect.name == "sqlite"
    out = []
    async with engine.connect() as conn:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in GROWING):
                continue
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = (await conn.exec_driver_sql(prefix + sql, params)).all()
            out.append({"sql": " ".join(sql.split()), "plan": [str(r[-1]) for r in rows]})
    return out


async def timings(url: str, repeat: int, with_plans: bool) -> dict:
    """Milliseconds per call over `repeat` runs after one warm-up; the plans of the warm-up's statements."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    captured: list[tuple[str, object]] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, sql, params, _ctx, _many: captured.append((sql, params)))
    async with sessions() as session:
        busiest = await session.scalar(select(Order.customer_id).group_by(Order.customer_id)
                                       .order_by(func.count().desc(), Order.customer_id).limit(1))
    figures = {}
    for label, (name, args) in calls(busiest).items():
        captured.clear()
        await execute(sessions, MERCHANT, name, args)  # warm-up, whose statements are explained
        statements = list(captured)
        samples = []
        for _ in range(repeat):
            tick = time.perf_counter()
            await execute(sessions, MERCHANT, name, args)
            samples.append((time.perf_counter() - tick) * 1000)
        figures[label] = percentiles(samples) | {"min_ms": round(min(samples), 2)}
        if with_plans:
            figures[label]["plans"] = await explain(engine, statements)
    await engine.dispose()
    return figures


def _admin(server: str) -> psycopg.Connection:
    return psycopg.connect(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True)


def postgres_database(server: str, name: str) -> str:
    """The URL of a new database of that name on the server."""
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    """Drop a benchmark database."""
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_backend(label: str, url: str, orders: int, repeat: int, before: bool) -> dict:
    """Seed, time and explain one backend at one size; with `before`, again without the 0011 indexes."""
    seconds = seed(url, orders)
    settle(url)
    result = {"orders_in_database": seeded_orders(url), "seed_seconds": seconds, "uptime": uptime(),
              "timings": asyncio.run(timings(url, repeat, with_plans=True))}
    if before:
        downgrade(url, BEFORE_INDEXES)
        settle(url)
        result["before_indexes"] = asyncio.run(timings(url, repeat, with_plans=True))
        upgrade(url)
    print(f"{label} {orders}: " + ", ".join(f"{k} {v['p50_ms']} ms" for k, v in result["timings"].items()),
          flush=True)
    return result


def growth(by_size: dict[int, dict]) -> dict:
    """p50 ratio from each size to the next (10x the orders) per call."""
    sizes = sorted(by_size)
    out = {}
    for small, large in zip(sizes, sizes[1:], strict=False):
        out[f"{small}->{large}"] = {
            label: round(by_size[large]["timings"][label]["p50_ms"] / max(t["p50_ms"], 0.01), 2)
            for label, t in by_size[small]["timings"].items()
        }
    return out


def sqlite_run(size: int, repeat: int, before: bool) -> dict:
    """One size on a throwaway SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        return run_backend("sqlite", f"sqlite:///{Path(folder) / 'large.db'}", size, repeat, before)


def postgres_run(server: str, size: int, repeat: int, before: bool) -> dict:
    """One size on a throwaway PostgreSQL database."""
    name = f"shopcrew_bench_{uuid.uuid4().hex[:8]}"
    try:
        return run_backend("postgresql", postgres_database(server, name), size, repeat, before)
    finally:
        drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs per call (after one warm-up).")
    parser.add_argument("--postgres", default=os.environ.get("SHOPCREW_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--backends", nargs="+", choices=["postgresql", "sqlite"], default=["postgresql", "sqlite"],
                        help="Which databases, in this order (all sizes of one before the next).")
    parser.add_argument("--no-before", action="store_true", help="Skip the run without migration 0011's indexes.")
    parser.add_argument("--results", default="analytics", help="Results file name (bench/results/<name>.json); "
                        "bench.report merges every analytics*.json, so backends can run as separate processes.")
    args = parser.parse_args()
    started = machine()
    load_all()
    figures = {"sizes": args.sizes, "repeat": args.repeat}
    largest = max(args.sizes)
    for backend in args.backends:
        figures[backend] = {}
        for size in sorted(args.sizes):
            before = size == largest and not args.no_before
            figures[backend][size] = (sqlite_run(size, args.repeat, before) if backend == "sqlite"
                                      else postgres_run(args.postgres, size, args.repeat, before))
            figures[f"{backend}_growth_per_10x"] = growth(figures[backend])
            # Written after every size: a million-order run takes long, and what was measured is kept.
            write_results(args.results, figures, started)


if __name__ == "__main__":
    main()
