"""The demo sandbox marketplace: one connection, a few offers and messages, and the feed its channel serves.

The feed (orders and buyers' messages "placed on the channel") is returned as JSON documents for
`shopcrew seed` to write into `<marketplace dir>/demo/`, in the format the sandbox channel reads
(tools/marketplace/sandbox.py). Nothing here is imported yet: importing is what the demo shows.
"""

import json
import random
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from db.enums import ChannelKind, ConnectionStatus
from db.models import (
    Customer,
    MarketplaceConnection,
    MarketplaceListing,
    MarketplaceMessage,
    Product,
    ProductVariant,
    StockLevel,
)
from db.seed.base import Rows, ago

RANDOM_SEED = 70_070
FEED = "demo"
CONNECTION_NAME = "Sandbox demo channel"
OFFERS = 4
# A SKU the channel still sells but our catalogue no longer has: its order fails to import.
RETIRED_SKU = "SBX-RETIRED-LAMP"
Feeds = dict[str, dict[str, Any]]


def free_stock(rows: Rows) -> dict[str, int]:
    """Free units (on hand - allocated) per variant over every warehouse."""
    free: dict[str, int] = defaultdict(int)
    for level in rows.of(StockLevel):
        free[level["variant_id"]] += level["on_hand"] - level["allocated"]
    return free


def _offered(rows: Rows, rng: random.Random) -> list[dict[str, Any]]:
    """Sellable stocked variants with plenty of free stock, a few picked at random."""
    archived = {p["id"] for p in rows.of(Product) if p.get("archived")}
    free = free_stock(rows)
    candidates = [v for v in rows.of(ProductVariant) if v["track_stock"] and v["available"]
                  and v["product_id"] not in archived and free[v["id"]] >= 20]
    return sorted(rng.sample(candidates, OFFERS), key=lambda v: v["sku"])


def _line(variant: dict[str, Any], quantity: int) -> dict[str, Any]:
    return {"sku": variant["sku"], "quantity": quantity, "unit_price": str(variant["price"])}


def _order(external_id: str, placed: datetime, buyer: dict[str, str], address: dict[str, str],
           lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum((Decimal(ln["unit_price"]) * ln["quantity"] for ln in lines), Decimal(0))
    return {"external_id": external_id, "placed_at": placed.isoformat(), "buyer": buyer,
            "shipping_address": {"address2": "", "state": "", **address}, "lines": lines, "total": str(total),
            "currency": "EUR"}


def _scarce(rows: Rows) -> tuple[dict[str, Any], int]:
    """The sellable stocked variant with the fewest free units left (at least one), and that number."""
    archived = {p["id"] for p in rows.of(Product) if p.get("archived")}
    free = free_stock(rows)
    variants = [v for v in rows.of(ProductVariant) if v["track_stock"] and v["available"]
                and v["product_id"] not in archived and free[v["id"]] > 0]
    variant = min(variants, key=lambda v: (free[v["id"]], v["sku"]))
    return variant, free[variant["id"]]


def feed_orders(rows: Rows, offers: list[dict[str, Any]], anchor: datetime) -> list[dict[str, Any]]:
    """Four channel orders: a known customer, a new buyer, a retired SKU, and more units than we hold."""
    noah = next(c for c in rows.of(Customer) if c["email"] == "noah.johnson@example.com")
    short, left = _scarce(rows)
    return [
        _order("SBX-1001", ago(anchor, seconds=30 * 3600), {"email": noah["email"], "first_name": "Noah",
               "last_name": "Johnson"}, {"address1": "1550 Larimer St", "city": "Denver", "state": "CO",
               "country": "US", "zip": "80202"}, [_line(offers[0], 1)]),
        _order("SBX-1002", ago(anchor, seconds=28 * 3600), {"email": "lea.fontaine@example.org", "first_name": "Léa",
               "last_name": "Fontaine", "phone": "+33 2 40 00 00 00"}, {"address1": "3 Quai de la Fosse",
               "city": "Nantes", "country": "FR", "zip": "44000"}, [_line(offers[1], 2), _line(offers[2], 1)]),
        _order("SBX-1003", ago(anchor, seconds=26 * 3600), {"email": "tom.becker@example.org", "first_name": "Tom",
               "last_name": "Becker"}, {"address1": "Hohe Straße 12", "city": "Köln", "country": "DE",
               "zip": "50667"}, [{"sku": RETIRED_SKU, "quantity": 1, "unit_price": "49.00"}]),
        _order("SBX-1004", ago(anchor, seconds=5 * 3600), {"email": "sofia.rossi@example.org", "first_name": "Sofia",
               "last_name": "Rossi"}, {"address1": "Via Roma 8", "city": "Torino", "country": "IT", "zip": "10121"},
               [_line(short, left + 2)]),
    ]


# (external id, order ref, sender, body, hours ago, already fetched, read)
MESSAGES = [
    ("SBX-MSG-0001", None, "Marco B.", "Do you ship to Switzerland, and how long does it take?", 50, True, True),
    ("SBX-MSG-0002", "SBX-1002", "Léa F.", "Could you gift-wrap my order? It is a birthday present.", 27, True,
     False),
    ("SBX-MSG-0003", "SBX-1001", "Noah J.", "When will my order ship? I need it before Friday.", 25, True, False),
    ("SBX-MSG-0004", "SBX-1003", "Tom B.", "Is the retired desk lamp still available? The page still shows it.",
     6, False, False),
]


def add_marketplace(rows: Rows, anchor: datetime) -> Feeds:
    """Queue the sandbox connection, its offers and fetched messages; return the feed documents by feed name."""
    rng = random.Random(RANDOM_SEED)
    connection_id = rows.next_id(MarketplaceConnection)
    created = ago(anchor, days=30)
    rows.add(MarketplaceConnection, id=connection_id, channel=ChannelKind.SANDBOX, name=CONNECTION_NAME,
             status=ConnectionStatus.ACTIVE, credentials_encrypted=None, credential_fields=[],
             settings={"feed": FEED, "price_adjustment_pct": "0"}, last_sync_at=None,
             last_message_sync_at=ago(anchor, days=1), created_at=created, updated_at=created)
    offers, free = _offered(rows, rng), free_stock(rows)
    for variant in offers:
        rows.add(MarketplaceListing, id=rows.next_id(MarketplaceListing), connection_id=connection_id,
                 variant_id=variant["id"], external_id=None, price=variant["price"], currency="EUR",
                 quantity=free[variant["id"]], status="active", last_pushed_at=ago(anchor, days=1),
                 created_at=created, updated_at=ago(anchor, days=1))
    for external_id, ref, sender, body, hours, fetched, read in MESSAGES:
        if fetched:
            sent = ago(anchor, seconds=hours * 3600)
            rows.add(MarketplaceMessage, id=rows.next_id(MarketplaceMessage), connection_id=connection_id,
                     external_id=external_id, marketplace_order_id=None, order_ref=ref, direction="in",
                     sender=sender, body=body, read_at=sent if read else None, created_at=sent)
    messages = [{"external_id": e, "order_ref": ref, "sender": sender, "body": body,
                 "sent_at": ago(anchor, seconds=hours * 3600).isoformat()}
                for e, ref, sender, body, hours, _, _ in MESSAGES]
    return {FEED: {"orders.json": {"orders": feed_orders(rows, offers, anchor)},
                   "messages.json": {"messages": messages}}}


def write_feeds(folder: Path, feeds: Feeds) -> list[Path]:
    """Write each feed's documents into <folder>/<feed>/ (replacing the channel's side, keeping our pushes)."""
    written = []
    for feed, documents in feeds.items():
        (folder / feed).mkdir(parents=True, exist_ok=True)
        for name, document in documents.items():
            path = folder / feed / name
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
            written.append(path)
    return written
