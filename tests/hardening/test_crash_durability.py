"""Crash durability: the real server is SIGKILLed in the middle of a burst of orders, cancellations, refunds
and returns (its event relay publishing to JetStream meanwhile), then started again. Every acknowledged
change must be there, the stock, allocation and payment invariants must hold, every committed change must
have its outbox event, and after the relay has caught up no event may be in the stream twice."""

import asyncio
import itertools
import time
import uuid

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.hardening.invariants import marks, unannounced, violations
from tests.hardening.server import ServerProcess
from tests.hardening.shop import new_shop_url, seeded_shop

pytestmark = pytest.mark.db

ACKS_BEFORE_KILL = 24  # acknowledged writes before the SIGKILL; the workers keep requests in flight
WORKERS = 8


@pytest.fixture(scope="module")
def migrated_shop(tmp_path_factory):
    """The demo shop built by the migrations, as `shopcrew serve` expects it."""
    with seeded_shop(new_shop_url(POSTGRES_URL, tmp_path_factory.mktemp("crash")), migrate=True) as shop:
        yield shop


class Burst:
    """Writers of orders (some cancelled at once), refunds and returns; each acknowledged write is noted."""

    def __init__(self, shop, url: str):
        self.shop, self.url = shop, url
        self.acks: list[tuple[str, str]] = []  # (what, id) of each 2xx write
        self.stock = [r[0] for r in shop.rows(
            "SELECT v.id FROM product_variants v JOIN stock_levels l ON l.variant_id = v.id "
            "WHERE v.track_stock AND v.available GROUP BY v.id HAVING SUM(l.on_hand - l.allocated) >= 40 "
            "ORDER BY v.id LIMIT 12")]
        self.methods = dict(shop.rows(
            "SELECT customer_id, MIN(id) FROM payment_methods WHERE kind != 'gift_card' GROUP BY customer_id"))
        self.emails = {cid: label for label, cid in shop.customers.items()}  # the customers with demo keys
        self.delivered = [row for row in shop.rows(
            "SELECT id, customer_id FROM orders WHERE status = 'delivered' ORDER BY id") if row[1] in self.emails]

    async def run(self, client: httpx.AsyncClient, worker: int, stop: asyncio.Event) -> None:
        for n in itertools.count():
            if stop.is_set():
                return
            try:
                await self.step(client, worker, n)
            except httpx.TransportError:
                return  # the server died under us

    async def step(self, client, worker: int, n: int) -> None:
        customers = [c for c in self.emails if c in self.methods]
        customer = customers[(worker + n) % len(customers)]
        who = self.shop.headers(self.emails[customer])
        if worker % 4 == 3:  # refunds and returns on delivered orders
            order, owner = self.delivered[(worker * 31 + n) % len(self.delivered)]
            if n % 2:
                await self.write(client, "refund", "POST", "/api/v1/payments/refunds", self.shop.headers("merchant"),
                                 {"order_id": order, "amount": 1.0, "reason": "goodwill"}, "transaction.id")
            else:
                await self.write(client, "return", "POST", "/api/v1/returns/request",
                                 self.shop.headers(self.emails[owner]), {"order_id": order, "reason": "changed_mind"},
                                 "rma_number")
            return
        lines = [{"item": self.stock[(worker + n + i) % len(self.stock)], "quantity": 1 + i} for i in range(2)]
        order = await self.write(client, "order", "POST", "/api/v1/orders", who,
                                 {"lines": lines, "payment_method_id": self.methods[customer]}, "order_id",
                                 key=f"burst-{worker}-{n}-{uuid.uuid4().hex[:8]}")
        if order and n % 3 == 0:
            await self.write(client, "cancel", "POST", f"/api/v1/orders/{order.replace('#', '%23')}/cancel", who,
                             {"reason": "ordered by mistake"}, "order_id")

    async def write(self, client, what, method, path, headers, body, id_field, key=None) -> str | None:
        headers = headers | ({"Idempotency-Key": key} if key else {})
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
        if not response.is_success:
            return None
        found = response.json()
        for part in id_field.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        assert found is not None, f"{what}: no {id_field} in {response.text[:300]}"
        self.acks.append((what, found))
        return found


async def burst_until_killed(server: ServerProcess, burst: Burst) -> None:
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        workers = [asyncio.create_task(burst.run(client, w, stop)) for w in range(WORKERS)]
        while len(burst.acks) < ACKS_BEFORE_KILL and not all(w.done() for w in workers):
            await asyncio.sleep(0.05)
        server.kill()  # with requests in flight
        stop.set()
        await asyncio.gather(*workers)


def acknowledged_but_missing(shop, acks: list[tuple[str, str]]) -> list:
    tables = {"order": ("orders", "id"), "cancel": ("orders", "id"), "return": ("return_requests", "rma_number"),
              "refund": ("payment_transactions", "id")}
    missing = []
    for what, ident in acks:
        table, column = tables[what]
        if not shop.scalar(f"SELECT count(*) FROM {table} WHERE {column} = :v", v=ident):
            missing.append((what, ident))
        if what == "cancel" and shop.scalar("SELECT status FROM orders WHERE id = :v", v=ident) != "cancelled":
            missing.append((what, ident))
    return missing


async def stream_ids(js, stream: str) -> list[str]:
    """The Nats-Msg-Id (outbox id) of every message in the stream."""
    info = await js.stream_info(stream)
    ids = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        ids.append(message.headers["Nats-Msg-Id"])
    return ids


def wait_for(condition, within: float) -> bool:
    """Poll until the condition holds (the bound is a give-up point, not a measurement)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


async def test_sigkill_mid_burst_loses_and_duplicates_nothing(migrated_shop, jetstream, tmp_path):
    shop = migrated_shop
    config, js = jetstream
    env = {"SHOPCREW_DATABASE_URL": shop.url, "SHOPCREW_DATA_DIR": str(tmp_path / "var"),
           "SHOPCREW_EVENTS_NATS_URL": ",".join(config.servers), "SHOPCREW_EVENTS_STREAM": config.stream,
           "SHOPCREW_EVENTS_SUBJECT_PREFIX": config.subject_prefix, "SHOPCREW_EVENTS_POLL_SECONDS": "0.2"}
    server = ServerProcess(env, tmp_path / "server.log")
    before = marks(shop)
    burst = Burst(shop, server.url)
    server.start()
    try:
        await burst_until_killed(server, burst)
        assert len(burst.acks) >= ACKS_BEFORE_KILL, server.log.read_text()[-2000:]

        # Right after the crash: nothing acknowledged is lost, nothing is half-written.
        assert acknowledged_but_missing(shop, burst.acks) == []
        assert violations(shop) == {}
        assert unannounced(shop, before) == {}

        # Restarted, the relay publishes what the crash left behind, each event once.
        server.start()
        published = wait_for(lambda: not shop.scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL"),
                             within=120)
        assert published, f"events left unpublished: {server.log.read_text()[-2000:]}"
        # A second burst on the restarted server, stopped cleanly this time.
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            for n in range(6):
                await burst.step(client, n, 10_000 + n)
    finally:
        server.stop()
    assert violations(shop) == {}
    assert unannounced(shop, before) == {}
    ids = await stream_ids(js, config.stream)
    outbox = {str(r[0]) for r in shop.rows("SELECT id FROM outbox_events WHERE published_at IS NOT NULL")}
    assert len(ids) == len(set(ids)), "an event was published twice"
    assert set(ids) == outbox
