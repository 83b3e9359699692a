"""Benchmark the REST API against a bare FastAPI endpoint running the same SQL, side by side in one run.

Run: .venv/bin/python -m bench.api_load [--clients 1 10 50] [--seconds 8] [--postgres URL | --no-postgres]
For each database (SQLite with one worker; PostgreSQL with `--pg-workers`, default 4) it seeds the demo shop,
captures the SQL that a read tool (GET /api/v1/orders/{id} as a customer) and a write tool (POST
/api/v1/orders/{id}/notes as support staff) send, starts `uvicorn api.main:app` (what `shopcrew serve` runs)
and `uvicorn bench.bare_api:app` (replaying that SQL in one transaction) with the same worker count,
and drives each with 1, 10 and 50 closed-loop clients for a fixed time, alternating tool and bare.
Then 20 orders race for a scarce SKU.
Writes bench/results/api_load.json: requests/s, p50/p95/p99 and the tool / bare throughput ratio.
"""

import argparse
import asyncio
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, event, func, select

from bench.analytics import DEFAULT_PG, drop_database, postgres_database
from bench.common import machine, percentiles, uptime, write_results
from db.engine import sync_url
from db.migrate import upgrade
from db.models import ProductVariant, StockLevel
from db.seed.keys import demo_key
from db.seed.run import seed_database
from shopcrew.settings import Settings

ORDER = "W3972548"
READER = "customer:ava.martin@example.com"
WRITER = "staff:sam.support"
# What each tool route sends (method, path, key, body); the bare app answers the same name under /bare/.
ROUTES = {"read": ("GET", f"/api/v1/orders/{ORDER}", READER, None),
          "write": ("POST", f"/api/v1/orders/{ORDER}/notes", WRITER, {"body": "Customer called about delivery"})}
# Customers with a credit card in the demo shop (docs/demo-data.md), racing for the same SKU.
BUYERS = [("customer:ava.martin@example.com", "credit_card_8228365"),
          ("customer:lucas.bernard@example.com", "credit_card_2705501"),
          ("customer:chloe.dubois@example.com", "credit_card_8266295"),
          ("customer:mateo.garcia@example.com", "credit_card_3481897")]


def free_by_sku(url: str) -> dict[str, int]:
    """Units that can still be sold per stocked SKU, over all warehouses."""
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        stmt = (select(ProductVariant.sku, func.sum(StockLevel.on_hand - StockLevel.allocated))
                .join(ProductVariant, ProductVariant.id == StockLevel.variant_id).group_by(ProductVariant.sku))
        free = {sku: int(n) for sku, n in conn.execute(stmt).all()}
    engine.dispose()
    return free


def scarce_sku(url: str) -> tuple[str, int]:
    """The available SKU with the fewest units left (at least 3), so 20 buyers must race for it."""
    return min(((sku, n) for sku, n in free_by_sku(url).items() if n >= 3), key=lambda pair: (pair[1], pair[0]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def capture(url: str, folder: str) -> dict[str, list[tuple[str, object]]]:
    """The statements each route sends, captured from the real app in-process (event dispatcher off)."""
    from api.app import create_app  # the app pulls in the whole crew: only the capture needs it

    app = create_app(Settings(database_url=url, data_dir=Path(folder), events_dispatcher=False))
    captured: dict[str, list[tuple[str, object]]] = {}
    async with app.router.lifespan_context(app):
        sent: list[tuple[str, object]] = []
        event.listen(app.state.engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, sql, params, _ctx, _many: sent.append((sql, params)))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://capture") as client:
            for name, (method, path, key, body) in ROUTES.items():
                sent.clear()
                response = await client.request(method, path, json=body,
                                                headers={"Authorization": f"Bearer {demo_key(key)}"})
                response.raise_for_status()
                # Transaction control is the engine's (BEGIN IMMEDIATE on SQLite): the replay opens its own.
                captured[name] = [(sql, params) for sql, params in sent
                                  if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    return captured


@contextmanager
def server(command: list[str], env: dict[str, str], port: int):
    """A server process on 127.0.0.1:port, up until the block ends."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{command} did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


async def drive(base: str, name: str, bare: bool, clients: int, seconds: float) -> dict:
    """Closed-loop clients sending one route for `seconds`: throughput and latency."""
    method, path, key, body = ROUTES[name]
    path = f"/bare/{name}" if bare else path
    headers = {"Authorization": f"Bearer {demo_key(key)}"}
    samples: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await client.request(method, path, headers=headers, json=body)  # warm the connection and the worker
        stop = time.perf_counter() + seconds

        async def loop() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                tick = time.perf_counter()
                try:
                    response = await client.request(method, path, headers=headers, json=body)
                except httpx.TransportError:  # a dropped connection is an error of the run, not its end
                    errors += 1
                    continue
                samples.append((time.perf_counter() - tick) * 1000)
                errors += response.status_code >= 300

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"requests_per_s": round(len(samples) / elapsed, 1), "errors": errors, **percentiles(samples)}


async def race(base: str, sku: str) -> dict:
    """20 orders at once for the scarce SKU: how many were placed and refused."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        async def buy(i: int) -> tuple[int, float]:
            label, method = BUYERS[i % len(BUYERS)]
            body = {"lines": [{"item": sku, "quantity": 1}], "payment_method_id": method}
            tick = time.perf_counter()
            response = await client.post("/api/v1/orders", json=body,
                                         headers={"Authorization": f"Bearer {demo_key(label)}"})
            return response.status_code, (time.perf_counter() - tick) * 1000

        orders = await asyncio.gather(*(buy(i) for i in range(20)))
    return {"sku": sku, "attempts": 20, "placed": sum(s in (200, 201) for s, _ in orders),
            "refused_409": sum(s == 409 for s, _ in orders), "other": sorted({s for s, _ in orders} - {200, 201, 409}),
            **percentiles([ms for _, ms in orders])}


def run_backend(url: str, folder: str, workers: int, clients: list[int], seconds: float) -> dict:
    """Seed, capture, serve both apps and drive them side by side."""
    upgrade(url)
    seed_database(url)
    statements = Path(folder) / "statements.pickle"
    statements.write_bytes(pickle.dumps(asyncio.run(capture(url, folder))))
    env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": folder,
           "SHOPCREW_BENCH_STATEMENTS": str(statements)}
    tool_port, bare_port = free_port(), free_port()
    # Both under the same uvicorn options (what `shopcrew serve --workers N` runs, without the access log).
    quiet = ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    tool_cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(tool_port), *quiet]
    bare_cmd = [sys.executable, "-m", "uvicorn", "bench.bare_api:app", "--port", str(bare_port), *quiet]
    result: dict = {"workers": workers, "statements": {k: len(v) for k, v in pickle.loads(statements.read_bytes())
                                                       .items()}, "uptime": uptime(), "runs": {}}
    race_sku, free_before = scarce_sku(url)
    with server(tool_cmd, env, tool_port) as tool, server(bare_cmd, env, bare_port) as bare:
        for n in clients:
            for name in ROUTES:
                ours = asyncio.run(drive(tool, name, False, n, seconds))
                baseline = asyncio.run(drive(bare, name, True, n, seconds))
                ratio = round(ours["requests_per_s"] / max(baseline["requests_per_s"], 0.1), 3)
                result["runs"][f"{name} x{n}"] = {"tool": ours, "bare": baseline, "ratio": ratio}
                print(f"{url.split(':')[0]} {name} x{n}: tool {ours['requests_per_s']}/s p95 {ours['p95_ms']} ms, "
                      f"bare {baseline['requests_per_s']}/s p95 {baseline['p95_ms']} ms, ratio {ratio}", flush=True)
        result["order_race"] = asyncio.run(race(tool, race_sku))
    result["order_race"].update(free_before=free_before, free_after=free_by_sku(url)[race_sku])
    result["uptime_at_end"] = uptime()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=8.0, help="How long each side is driven per step.")
    parser.add_argument("--postgres", default=os.environ.get("SHOPCREW_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--pg-workers", type=int, default=4)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    started = machine()
    figures = {"seconds_per_step": args.seconds, "clients": args.clients}
    with tempfile.TemporaryDirectory() as folder:
        figures["sqlite"] = run_backend(f"sqlite:///{Path(folder) / 'shop.db'}", folder, 1, args.clients,
                                        args.seconds)
    if not args.no_postgres:
        name = f"shopcrew_bench_{uuid.uuid4().hex[:8]}"
        try:
            with tempfile.TemporaryDirectory() as folder:
                figures["postgresql"] = run_backend(postgres_database(args.postgres, name), folder, args.pg_workers,
                                                    args.clients, args.seconds)
        finally:
            drop_database(args.postgres, name)
    write_results("api_load", figures, started)


if __name__ == "__main__":
    main()
