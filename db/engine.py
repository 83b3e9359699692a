"""Engine and session factories for SQLite (default) and PostgreSQL (psycopg)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def async_url(url: str | URL) -> URL:
    """The async-driver form of a database URL (sqlite -> aiosqlite, postgresql -> psycopg)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite+aiosqlite")
    if u.get_backend_name() == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database backend {u.get_backend_name()!r}: use sqlite or postgresql")


def sync_url(url: str | URL) -> URL:
    """The sync-driver form of a database URL, for Alembic and bulk seeding."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite")
    return u.set(drivername="postgresql+psycopg")


def is_sqlite(url: str | URL) -> bool:
    """True when the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str | URL) -> None:
    """Create the folder of a SQLite file so a fresh checkout starts without manual steps."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


def install_sqlite_pragmas(sync_engine) -> None:
    """WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE on every SQLite connection.

    BEGIN IMMEDIATE takes the write lock when a transaction starts, so two writers never
    both read and then fail to upgrade (SQLite's deferred default answers that with
    'database is locked' instead of waiting).
    """

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, **kwargs) -> AsyncEngine:
    """An async engine for the URL, with SQLite made safe for concurrent writers."""
    ensure_sqlite_dir(url)
    engine = create_async_engine(async_url(url), **kwargs)
    if is_sqlite(url):
        install_sqlite_pragmas(engine.sync_engine)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay usable after commit so results can be rendered."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit when the block succeeds, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session
