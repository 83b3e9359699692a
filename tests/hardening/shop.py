"""A seeded demo shop in its own database (SQLite file, or a PostgreSQL database created and dropped),
and the reads the hardening suites judge it by: who owns what, a fingerprint of the business tables."""

import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

import db.models  # noqa: F401
from db.base import Base
from db.engine import is_sqlite, sync_url
from db.migrate import upgrade
from db.seed.run import seed_database

# Rows the system writes about a request whatever its outcome (call records, run records, checkpoints):
# a refused request may add these, never anything else.
LOG_TABLES = frozenset({"tool_calls", "agent_runs", "checkpoints", "checkpoint_writes", "checkpoint_blobs",
                        "checkpoint_migrations", "writes", "alembic_version"})


@dataclass
class Shop:
    """A seeded shop: its URL, the demo keys by principal, and the sync engine the checks read with."""

    url: str
    keys: dict[str, str]
    engine: Engine
    customers: dict[str, str] = field(default_factory=dict)  # principal label -> customer id

    def key(self, role_or_label: str) -> str:
        """The API key of `customer:<email>` / `staff:<username>`, or of the first staff user with a role."""
        if role_or_label in self.keys:
            return self.keys[role_or_label]
        label = next(p for p in self.keys if p.startswith("staff:") and self.role_of(p) == role_or_label)
        return self.keys[label]

    def headers(self, role_or_label: str) -> dict[str, str]:
        """The Authorization header of that principal."""
        return {"Authorization": f"Bearer {self.key(role_or_label)}"}

    def role_of(self, label: str) -> str:
        """The role of a demo principal (customers are customers; staff from their user row)."""
        if label.startswith("customer:"):
            return "customer"
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT role FROM staff_users WHERE username = :u"), {"u": label[6:]})

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.scalar(text(sql), params)

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def fingerprint(self) -> dict[str, str]:
        """A digest of every business table's rows (log tables left out): equal digests, nothing written."""
        digests = {}
        with self.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if table.name in LOG_TABLES:
                    continue
                order = [c for c in table.primary_key.columns] or list(table.columns)
                rows = conn.execute(select(table).order_by(*order)).all()
                digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The business tables whose rows differ between two fingerprints."""
    return sorted(name for name in before if before[name] != after.get(name))


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def new_shop_url(postgres_url: str | None, folder: Path) -> str:
    """Where a new shop will live: a SQLite file in the folder, or a uniquely named PostgreSQL database."""
    if postgres_url:
        return make_url(postgres_url).set(database=f"shopcrew_hard_{uuid.uuid4().hex[:12]}").render_as_string(
            hide_password=False)
    return f"sqlite:///{folder / 'shop.db'}"


@contextmanager
def seeded_shop(url: str, migrate: bool = False):
    """The demo shop at the URL (a PostgreSQL database is created first and dropped after).

    Tables come from the models, as tests/conftest.py builds them, or with `migrate` from the migrations
    (what `shopcrew serve` expects to find).
    """
    postgres = not is_sqlite(url)
    name = make_url(url).database
    if postgres:
        with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(sync_url(url))
    try:
        if migrate:
            upgrade(url)
        else:
            Base.metadata.create_all(engine)
        keys = dict(seed_database(url).keys)
        with engine.connect() as conn:
            emails = dict(conn.execute(text("SELECT email, id FROM customers")).all())
        customers = {label: emails[label[9:]] for label in keys if label.startswith("customer:")}
        yield Shop(url=url, keys=keys, engine=engine, customers=customers)
    finally:
        engine.dispose()
        if postgres:
            with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
