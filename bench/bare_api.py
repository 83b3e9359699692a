"""The baseline for bench.api_load: a bare FastAPI app replaying, in one transaction, the SQL a tool route sent.

Run by the benchmark as `uvicorn bench.bare_api:app`; SHOPCREW_BENCH_STATEMENTS names a pickle of
{"read": [(sql, params), ...], "write": [...]} captured from the real routes, SHOPCREW_DATABASE_URL the database.
Everything the real route adds around that SQL (API key check, validation, the registry, the tool, the call
record's own transaction, the response model) is what the comparison measures.
"""

import os
import pickle
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from db.engine import make_engine

STATEMENTS: dict[str, list[tuple[str, object]]] = pickle.loads(
    Path(os.environ["SHOPCREW_BENCH_STATEMENTS"]).read_bytes())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The same engine factory as the API, so SQLite gets the same pragmas and BEGIN IMMEDIATE.
    app.state.engine = make_engine(os.environ["SHOPCREW_DATABASE_URL"])
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.api_route("/bare/{name}", methods=["GET", "POST"])
async def replay(name: str) -> dict:
    """Run the captured statements of one route and return the rows they read (as text)."""
    rows = []
    async with app.state.engine.begin() as conn:
        for sql, params in STATEMENTS[name]:
            result = await conn.exec_driver_sql(sql, params)
            if result.returns_rows:
                rows.extend([str(value) for value in row] for row in result.all())
    return {"rows": rows}
