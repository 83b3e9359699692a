"""Seeding machinery: rows collected per model, written in bulk on a sync engine (COPY on PostgreSQL)."""

import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Engine, Integer, Table, create_engine, func, select, text
from sqlalchemy.orm import Session

import db.models  # noqa: F401  (registers every table on Base.metadata)
from db.base import Base
from db.engine import ensure_sqlite_dir, install_sqlite_pragmas, is_sqlite, sync_url
from db.models import Carrier, Category, Customer, Order, Product, StaffUser, Warehouse

# (stage, done, total): the CLI turns these calls into a progress bar.
Progress = Callable[[str, int, int], None]

# A database holding any of these is "not empty": seeding it again would clash or mix data.
CONTENT_MODELS = (Customer, Product, Order, StaffUser, Warehouse, Carrier, Category)
CHUNK = 5000
SEED_NAMESPACE = uuid.UUID("5b0c1e2a-7d3f-4c8e-9a61-3f2d8e4b6c10")
CENT = Decimal("0.01")


def quiet(_stage: str, _done: int, _total: int) -> None:
    """A progress callback that shows nothing."""


def money(value: Any) -> Decimal:
    """A Decimal rounded to the cent, half up."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def stable_uuid(*parts: object) -> str:
    """A UUID derived from its parts, so seeded ids are the same on every run."""
    return str(uuid.uuid5(SEED_NAMESPACE, "/".join(str(p) for p in parts)))


def today_midnight() -> datetime:
    """Midnight UTC of the current day; seeded timestamps are offsets back from it."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


# Seeded reference numbers (tracking, RMA, document numbers) carry a date; they are drawn as if the shop had been
# seeded on this day, so a record keeps its number whatever day the shop is seeded (the datasets, the docs and a
# user's notes keep naming the same records), while its dates still move with today.
NUMBERING_DAY = datetime(2026, 12, 5, tzinfo=UTC)


def numbering_time(anchor: datetime, at: datetime) -> datetime:
    """The moment a seeded number is drawn from: `at`, as far before NUMBERING_DAY as it is before `anchor`."""
    return NUMBERING_DAY + (at - anchor)


def ago(anchor: datetime, days: float = 0, seconds: float = 0) -> datetime:
    """`anchor` minus a number of days and seconds."""
    return anchor - timedelta(days=days, seconds=seconds)


class Rows:
    """Rows to insert, kept per model in insertion order, with integer id counters."""

    def __init__(self, first_ids: dict[type, int] | None = None) -> None:
        self.by_model: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self._ids: dict[type, Iterator[int]] = {
            model: itertools.count(start) for model, start in (first_ids or {}).items()
        }
        self.taken: set[str] = set()

    def next_id(self, model: type) -> int:
        """The next integer primary key for the model."""
        return next(self._ids.setdefault(model, itertools.count(1)))

    def fresh(self, make: Callable[[], str]) -> str:
        """A generated string id not handed out before (`make` is called until one is new)."""
        while (value := make()) in self.taken:
            pass
        self.taken.add(value)
        return value

    def add(self, model: type, **values: Any) -> dict[str, Any]:
        """Queue one row; returns its dict (callers may complete it later)."""
        self.by_model[model].append(values)
        return values

    def of(self, model: type) -> list[dict[str, Any]]:
        """The queued rows of a model."""
        return self.by_model.get(model, [])

    def clear(self) -> None:
        """Forget the queued rows (id counters keep going)."""
        self.by_model.clear()


@contextmanager
def sync_engine(url: str) -> Iterator[Engine]:
    """A sync engine for seeding, with the same SQLite settings the app uses."""
    ensure_sqlite_dir(url)
    engine = create_engine(sync_url(url))
    if is_sqlite(url):
        install_sqlite_pragmas(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _models_in_dependency_order() -> list[type]:
    by_table = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}
    return [by_table[t] for t in Base.metadata.sorted_tables if t in by_table]


def write(session: Session, rows: Rows, progress: Progress = quiet, stage: str = "") -> int:
    """Insert every queued row, parents before children, in chunks; returns the number written."""
    total = sum(len(v) for v in rows.by_model.values())
    done = 0
    for model in _models_in_dependency_order():
        batch = rows.of(model)
        keys = batch[0].keys() if batch else set()
        if any(row.keys() != keys for row in batch):
            raise ValueError(f"{model.__name__} rows must all name the same columns for a bulk insert")
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start:start + CHUNK]
            bulk_insert(session, model.__table__, chunk)
            done += len(chunk)
            if stage:
                progress(stage, done, total)
    return total


def bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows naming the same columns: COPY on PostgreSQL, one executemany on SQLite.

    Values go through each column type's own bind processing (JSON, UTC timestamps, money), so the stored data
    is what an ORM insert would write; only SQLAlchemy's per-row statement bookkeeping is skipped, which
    dominated the time of a million-order seed.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = [table.c[name] for name in rows[0]]
    processors = [c.type._cached_bind_processor(dialect) or _same for c in columns]
    values = [tuple(p(v) for p, v in zip(processors, row.values(), strict=True)) for row in rows]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = session.connection().connection.driver_connection
    if dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)


def _same(value: Any) -> Any:
    return value


def fix_sequences(session: Session) -> None:
    """Move PostgreSQL id sequences past the explicit ids seeding wrote (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
            f"COALESCE((SELECT MAX({pk[0].name}) FROM \"{table.name}\"), 0) + 1, false)"
        ))


def count_rows(session: Session, models: tuple[type, ...] | None = None) -> dict[str, int]:
    """Row counts per table, for the given models or every table."""
    tables = [m.__table__ for m in models] if models else Base.metadata.sorted_tables
    return {t.name: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def first_ids_after_existing(session: Session, models: tuple[type, ...]) -> dict[type, int]:
    """For each model with an integer id, the id after the largest one stored."""
    return {m: (session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}


def has_content(session: Session) -> bool:
    """True when the database already holds shop data."""
    return any(count for count in count_rows(session, CONTENT_MODELS).values())


def empty_all_tables(session: Session) -> None:
    """Delete every row of every table (children first); ids restart on PostgreSQL."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE"))
        return
    for name in tables:
        session.execute(text(f'DELETE FROM "{name}"'))
