"""Benchmark the sales report (three ranges) and the dashboard on the large shop, on SQLite and PostgreSQL.

Run: .venv/bin/python -m bench.backoffice_reports [--orders 100000] [--repeat 5] [--postgres URL | --no-postgres]
                                                  [--sqlite-file PATH] [--pg-database NAME]
Seeds `shopcrew seed --size large` (100,000 past orders) into a fresh SQLite file and a fresh PostgreSQL database
(the server at SHOPCREW_BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), times
the tools through the runner as a merchant (one transaction each, as REST and chat run them) after refreshing the
planner's statistics (ANALYZE; VACUUM ANALYZE on PostgreSQL, as autovacuum would after the bulk load), shows the query
plans of the report's heaviest statements and writes bench/results/backoffice_reports.json.
`--sqlite-file` and `--pg-database` reuse (or keep) a seeded shop between runs; otherwise both are thrown away.
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
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bench.common import percentiles, write_results
from db.engine import make_engine, make_sessionmaker, sync_url
from db.enums import Role
from db.migrate import upgrade
from db.models import Order
from db.seed.run import seed_database
from tools.backoffice.sales import Window, queries
from tools.context import Principal
from tools.registry import load_all
from tools.runner import execute

MERCHANT = Principal(role=Role.MERCHANT, subject="mia.merchant", display="mia.merchant")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Ranges ending yesterday: a month (the demo's recent orders), a year and the whole 850-day history.
RANGES = {"30 days": 30, "365 days": 365, "900 days": 900}
PLANNED = ("orders", "categories", "refunds")


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


def plans(url: str, window: Window) -> dict[str, list[str]]:
    """EXPLAIN of the report's heaviest statements, to show which indexes they use."""
    engine = create_engine(sync_url(url))
    sqlite = engine.dialect.name == "sqlite"
    out = {}
    with engine.connect() as conn:
        for name in PLANNED:
            compiled = queries(window)[name].compile(engine, compile_kwargs={"literal_binds": True})
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = conn.execute(text(prefix + str(compiled))).all()
            out[name] = [str(r[-1]) for r in rows]
    engine.dispose()
    return out


async def timings(url: str, repeat: int) -> dict:
    """Milliseconds per sales report range and for the dashboard, over `repeat` runs after one warm-up."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    today = datetime.now(UTC).date()
    calls = {f"sales report {label}": ("create_sales_report",
                                       {"start_date": (today - timedelta(days=days)).isoformat(),
                                        "end_date": (today - timedelta(days=1)).isoformat()})
             for label, days in RANGES.items()}
    calls["dashboard"] = ("get_dashboard_metrics", {})
    figures = {}
    for label, (name, args) in calls.items():
        out = await execute(sessions, MERCHANT, name, args)  # warm-up (and the figures the timing produced)
        samples = []
        for _ in range(repeat):
            tick = time.perf_counter()
            await execute(sessions, MERCHANT, name, args)
            samples.append((time.perf_counter() - tick) * 1000)
        figures[label] = percentiles(samples) | {"min_ms": round(min(samples), 2)}
        if name == "create_sales_report":
            figures[label] |= {"orders": out.totals.orders, "days": len(out.by_day)}
    await engine.dispose()
    return figures


def _admin(server: str) -> psycopg.Connection:
    return psycopg.connect(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True)


def postgres_database(server: str, name: str) -> str:
    """The URL of the named database on the server, created when missing."""
    with _admin(server) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    """Drop a benchmark database."""
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def run_backend(label: str, url: str, orders: int, repeat: int) -> dict:
    """Seed when needed, then time and explain one backend."""
    seconds = None if seeded_orders(url) >= orders else seed(url, orders)
    settle(url)
    today = datetime.now(UTC).date()
    windows = {label: Window(today - timedelta(days=days), today - timedelta(days=1))
               for label, days in RANGES.items() if label != "30 days"}
    result = {"orders_in_database": seeded_orders(url), "seed_seconds": seconds,
              "timings": asyncio.run(timings(url, repeat)),
              "plans": {label: plans(url, window) for label, window in windows.items()}}
    print(f"{label}: {result['timings']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=100_000, help="Past orders in the large shop.")
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs per call (after one warm-up).")
    parser.add_argument("--postgres", default=os.environ.get("SHOPCREW_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    parser.add_argument("--sqlite-file", type=Path, help="Seeded SQLite shop to reuse or keep.")
    parser.add_argument("--pg-database", help="PostgreSQL database to reuse or keep (default: a throwaway one).")
    args = parser.parse_args()
    load_all()
    figures = {"orders": args.orders, "repeat": args.repeat, "ranges": RANGES}
    with tempfile.TemporaryDirectory() as folder:
        path = args.sqlite_file or Path(folder) / "large.db"
        figures["sqlite"] = run_backend("sqlite", f"sqlite:///{path.resolve()}", args.orders, args.repeat)
    if not args.no_postgres:
        name = args.pg_database or f"shopcrew_bench_{uuid.uuid4().hex[:8]}"
        try:
            figures["postgresql"] = run_backend("postgresql", postgres_database(args.postgres, name), args.orders,
                                                args.repeat)
        finally:
            if not args.pg_database:
                drop_database(args.postgres, name)
    write_results("backoffice_reports", figures)


if __name__ == "__main__":
    main()
