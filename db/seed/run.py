"""Seeding operations on a database URL: the demo shop, the large shop, or the retail benchmark import."""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Customer
from db.seed.backoffice import add_backoffice
from db.seed.base import Progress, count_rows, empty_all_tables, fix_sequences, has_content, quiet, sync_engine, write
from db.seed.demo import build_demo
from db.seed.large import LARGE_ORDERS, add_large_shop
from db.seed.tau import import_tau

Size = Literal["small", "large"]


class SeedRefused(Exception):
    """Seeding would mix with or overwrite existing data, and the caller did not ask to reset."""


@dataclass
class SeedResult:
    """What a seeding run did: which data set, row counts per table, seconds taken, demo keys issued."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    keys: list[tuple[str, str]] = field(default_factory=list)
    skipped: bool = False
    # The sandbox marketplace feeds of the demo shop, for the caller to write (db/seed/marketplace.py).
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)


def seed_database(url: str, *, size: Size = "small", tau_path: Path | None = None, reset: bool = False,
                  if_empty: bool = False, progress: Progress = quiet, large_orders: int = LARGE_ORDERS) -> SeedResult:
    """Seed the (migrated) database in one transaction; refuse a database with shop data unless `reset`.

    With `if_empty`, a database that already has customers is left alone (the result says skipped).
    """
    started = time.perf_counter()
    source = f"retail benchmark ({tau_path})" if tau_path else f"demo shop ({size})"
    with sync_engine(url) as engine, Session(engine) as session, session.begin():
        if if_empty and session.scalar(select(func.count()).select_from(Customer)):
            return SeedResult(source, count_rows(session), skipped=True)
        if has_content(session):
            if not reset:
                raise SeedRefused("the database already holds shop data; use --reset to empty it first "
                                  "(or --if-empty to leave a seeded database alone)")
            empty_all_tables(session)
        keys, feeds = _fill(session, size, tau_path, progress, large_orders)
        fix_sequences(session)
        counts = count_rows(session)
    return SeedResult(source, counts, time.perf_counter() - started, keys, feeds=feeds)


def _fill(session: Session, size: Size, tau_path: Path | None, progress: Progress,
          large_orders: int) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    if tau_path:
        import_tau(session, tau_path, progress)
        return [], {}
    demo = build_demo()
    write(session, demo.rows, progress, "demo shop")
    if size == "large":
        add_large_shop(session, demo, large_orders, progress)
    add_backoffice(session, demo)
    return demo.keys, demo.feeds
