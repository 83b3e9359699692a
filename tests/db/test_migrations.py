"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

import db.models  # noqa: F401
from db.base import Base
from db.engine import sync_url
from db.migrate import upgrade
from tests.conftest import POSTGRES_URL, _admin_dsn


@pytest.fixture
def empty_database_url(tmp_path):
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"shopcrew_mig_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_dsn(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.db
def test_migrations_match_models(empty_database_url):
    upgrade(empty_database_url)
    engine = create_engine(sync_url(empty_database_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
