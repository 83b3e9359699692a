"""Benchmark the REST API under concurrent clients: reads, and orders racing for scarce stock.

Run: .venv/bin/python -m bench.api_load [--requests 400] [--concurrency 8] [--workers 1]
Starts `shopcrew serve` on a seeded demo shop on 127.0.0.1, sends a bounded number of requests, stops it.
Writes bench/results/api_load.json.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from bench.common import percentiles, seeded_shop, write_results
from db.models import ProductVariant, StockLevel
from db.seed.keys import demo_key

AVA = "customer:ava.martin@example.com"
# Customers with a credit card in the demo shop (docs/demo-data.md), racing for the same SKU.
BUYERS = [("customer:ava.martin@example.com", "credit_card_8228365"),
          ("customer:lucas.bernard@example.com", "credit_card_2705501"),
          ("customer:chloe.dubois@example.com", "credit_card_8266295"),
          ("customer:mateo.garcia@example.com", "credit_card_3481897")]


def free_by_sku(url: str) -> dict[str, int]:
    """Units that can still be sold per stocked SKU, over all warehouses."""
    engine = create_engine(url)
    with engine.connect() as conn:
        stmt = (select(ProductVariant.sku, func.sum(StockLevel.on_hand - StockLevel.allocated))
                .join(ProductVariant, ProductVariant.id == StockLevel.variant_id).group_by(ProductVariant.sku))
        free = dict(conn.execute(stmt).all())
    engine.dispose()
    return free


def scarce_sku(url: str) -> tuple[str, int]:
    """The available SKU with the fewest units left (at least 3), so 20 buyers must race for it."""
    return min(((sku, n) for sku, n in free_by_sku(url).items() if n >= 3), key=lambda pair: (pair[1], pair[0]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def timed(client: httpx.AsyncClient, method: str, path: str, key: str, **kwargs) -> tuple[int, float]:
    tick = time.perf_counter()
    response = await client.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kwargs)
    return response.status_code, (time.perf_counter() - tick) * 1000


async def load(base: str, requests: int, concurrency: int, race_sku: str) -> dict:
    gate = asyncio.Semaphore(concurrency)
    key = demo_key(AVA)
    paths = ["/api/v1/orders/W3972548", "/api/v1/catalog/search?query=keyboard", "/api/v1/orders?limit=20"]

    async def one(i: int, client: httpx.AsyncClient):
        async with gate:
            return await timed(client, "GET", paths[i % len(paths)], key)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        tick = time.perf_counter()
        reads = await asyncio.gather(*(one(i, client) for i in range(requests)))
        read_s = time.perf_counter() - tick

        async def buy(i: int):
            label, method = BUYERS[i % len(BUYERS)]
            body = {"lines": [{"item": race_sku, "quantity": 1}], "payment_method_id": method}
            return await timed(client, "POST", "/api/v1/orders", demo_key(label), json=body)

        orders = await asyncio.gather(*(buy(i) for i in range(20)))
    return {
        "reads": {"requests": requests, "concurrency": concurrency, "errors": sum(s != 200 for s, _ in reads),
                  "requests_per_s": round(requests / read_s, 1), **percentiles([ms for _, ms in reads])},
        "order_race": {"sku": race_sku, "attempts": 20, "placed": sum(s in (200, 201) for s, _ in orders),
                       "refused_409": sum(s == 409 for s, _ in orders),
                       "other": sorted({s for s, _ in orders} - {200, 201, 409}),
                       **percentiles([ms for _, ms in orders])},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = seeded_shop(Path(folder))
        race_sku, free_before = scarce_sku(url)
        port = free_port()
        env = {**os.environ, "SHOPCREW_DATABASE_URL": url, "SHOPCREW_DATA_DIR": folder, "SHOPCREW_PORT": str(port)}
        server = subprocess.Popen([sys.executable, "-m", "shopcrew", "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.5)
            figures = asyncio.run(load(base, args.requests, args.concurrency, race_sku))
        finally:
            server.terminate()
            server.wait(timeout=30)
        figures["order_race"].update(free_before=free_before, free_after=free_by_sku(url)[race_sku])
    write_results("api_load", figures)


if __name__ == "__main__":
    main()
