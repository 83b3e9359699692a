"""Shared fixtures: a migrated database per run (SQLite file, or PostgreSQL when configured),
emptied after every test, plus principals and a one-call way to run tools."""

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import nats
import psycopg
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import db.models  # noqa: F401
from db.base import Base
from db.engine import is_sqlite, make_engine, make_sessionmaker, sync_url
from db.enums import Role
from tests import factories
from tools.context import Principal
from tools.events.publisher import JetStreamConfig
from tools.registry import load_all
from tools.runner import execute

# CI sets this to run the database tests against PostgreSQL, e.g.
# postgresql+psycopg://postgres@127.0.0.1:5432/postgres (a throwaway database is created from it).
POSTGRES_URL = os.environ.get("SHOPCREW_TEST_POSTGRES_URL")

load_all()


def pytest_collection_modifyitems(items):
    """Mark every test that uses the database, so CI can rerun them on PostgreSQL with -m db."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _create_schema(url: str) -> None:
    # Tables come from the models; tests/db/test_migrations.py proves the migrations build the same schema.
    engine = create_engine(sync_url(url))
    Base.metadata.create_all(engine)
    engine.dispose()


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A freshly migrated database for this test run, dropped at the end."""
    if not POSTGRES_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        _create_schema(url)
        yield url
        return
    name = f"shopcrew_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _create_schema(url)
    yield url
    with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def _empty_all_tables(engine, url: str) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if is_sqlite(url):
            for name in tables:
                await conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
async def sessions(database_url) -> AsyncIterator:
    """A session factory on the test database; every table is emptied after the test."""
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await _empty_all_tables(engine, database_url)
    await engine.dispose()


@pytest.fixture
def call(sessions):
    """Run a tool as a principal exactly as REST and the agents do: `await call(principal, name, **args)`.

    idempotency_key and client_ip stand for what REST takes from the request, not from the arguments.
    """

    async def run(principal: Principal, name: str, /, idempotency_key: str | None = None,
                  client_ip: str | None = None, **args):
        return await execute(sessions, principal, name, args, idempotency_key=idempotency_key, client_ip=client_ip)

    return run


def staff_principal(role: Role, username: str | None = None) -> Principal:
    """A staff principal with the role (the user row is optional for tool calls)."""
    username = username or f"{role}-tester"
    return Principal(role=role, subject=username, display=username)


@pytest.fixture
def admin() -> Principal:
    return staff_principal(Role.ADMIN)


@pytest.fixture
def merchant() -> Principal:
    return staff_principal(Role.MERCHANT)


@pytest.fixture
def support() -> Principal:
    return staff_principal(Role.SUPPORT)


@pytest.fixture
def warehouse_staff() -> Principal:
    return staff_principal(Role.WAREHOUSE)


@pytest.fixture
def as_customer():
    """Turn a Customer row into its principal."""
    return factories.principal_of


@pytest.fixture
async def api(sessions, database_url) -> AsyncIterator:
    """An httpx client on the REST app, sharing the test database."""
    import httpx

    from api.app import create_app
    from shopcrew.settings import Settings

    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shopcrew.test") as client:
            yield client


# The local NATS server with JetStream (.ci/run starts it); tests make and delete their own streams on it.
NATS_URL = os.environ.get("SHOPCREW_TEST_NATS_URL", "nats://127.0.0.1:4222")


@pytest.fixture
async def jetstream():
    """(config for a fresh uniquely named stream, a JetStream context to read it); the stream is deleted after."""
    try:
        client = await nats.connect(NATS_URL, allow_reconnect=False, max_reconnect_attempts=1, connect_timeout=2)
        js = client.jetstream()
        await js.account_info()
    except Exception as exc:
        message = f"needs NATS with JetStream at {NATS_URL} (.ci/run starts it): {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tag = uuid.uuid4().hex[:12]
    config = JetStreamConfig(servers=(NATS_URL,), stream=f"SHOPCREW_TEST_{tag}", subject_prefix=f"test_{tag}.events")
    yield config, js
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(config.stream)
    await client.close()
