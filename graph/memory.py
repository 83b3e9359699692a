"""Per-thread memory: a LangGraph checkpointer beside the shop's database."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import make_url

from db.engine import is_sqlite


def sqlite_checkpoint_path(database_url: str) -> Path:
    """var/shopcrew.db keeps its conversations in var/shopcrew.checkpoints.db."""
    database = Path(make_url(database_url).database or "shopcrew.db")
    return database.with_name(database.stem + ".checkpoints.db")


@asynccontextmanager
async def open_checkpointer(database_url: str) -> AsyncIterator[BaseCheckpointSaver]:
    """SQLite checkpoints next to a SQLite database; PostgreSQL checkpoints in the PostgreSQL database."""
    if is_sqlite(database_url):
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = sqlite_checkpoint_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            yield saver
        return
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
        await saver.setup()
        yield saver
