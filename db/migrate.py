"""Apply Alembic migrations programmatically (the CLI, `make run` and tests use this), and write new ones."""

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from db.engine import ensure_sqlite_dir, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to the given revision (creating a SQLite file if needed)."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


def new_revision(message: str, rev_id: str) -> None:
    """Autogenerate a migration from the difference between the models and the migrations' head."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/head.db"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)


def downgrade(url: str, revision: str) -> None:
    """Take the database at `url` back to the given revision (the benchmarks compare plans before an index)."""
    command.downgrade(alembic_config(url), revision)
