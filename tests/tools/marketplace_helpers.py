"""Builders for the marketplace tests: a stocked catalogue, sandbox feeds, and a marketplace runtime."""

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr

from db.models import Product
from tests import factories as f

PLACED = "2026-11-20T10:00:00+00:00"


@dataclass
class Catalogue:
    """A keyboard in two switches (10 units each) and a mug with 2 units, in one warehouse."""

    keyboard: Product
    mug: Product

    @property
    def red(self):
        return self.keyboard.variants[0]

    @property
    def blue(self):
        return self.keyboard.variants[1]

    @property
    def white(self):
        return self.mug.variants[0]


async def catalogue(sessions) -> Catalogue:
    """Build the stocked catalogue."""
    keyboard = await f.product(sessions, variants=[
        {"sku": "KB-RED", "options": {"switch": "red"}, "price": Decimal("89.00")},
        {"sku": "KB-BLUE", "options": {"switch": "blue"}, "price": Decimal("94.50")},
    ])
    mug = await f.product(sessions, name="Mug", variants=[
        {"sku": "MUG-W", "options": {"color": "white"}, "price": Decimal("12.00")},
    ])
    warehouse = await f.warehouse(sessions)
    for variant, units in ((keyboard.variants[0], 10), (keyboard.variants[1], 10), (mug.variants[0], 2)):
        await f.stock(sessions, warehouse, variant, on_hand=units)
    return Catalogue(keyboard, mug)


def new_key() -> SecretStr:
    """A fresh Fernet key, as SHOPCREW_MARKETPLACE_SECRET_KEY would hold."""
    return SecretStr(Fernet.generate_key().decode())


def feed_order(external_id: str, lines: list[tuple[str, int, str]], *, email: str = "buyer@example.org",
               first: str = "Jane", last: str = "Buyer", total: str | None = None, placed_at: str = PLACED,
               currency: str = "EUR") -> dict[str, Any]:
    """One order of the sandbox feed; lines are (sku, quantity, unit price)."""
    computed = sum((Decimal(price) * qty for _, qty, price in lines), Decimal(0))
    return {
        "external_id": external_id, "placed_at": placed_at,
        "buyer": {"email": email, "first_name": first, "last_name": last},
        "shipping_address": {"address1": "5 Rue Neuve", "city": "Lille", "country": "FR", "zip": "59000"},
        "lines": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines],
        "total": total or str(computed), "currency": currency,
    }


def write_feed(folder: Path, orders: list[dict] | None = None, messages: list[dict] | None = None) -> Path:
    """Write a sandbox feed folder (orders.json and messages.json) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    if orders is not None:
        (folder / "orders.json").write_text(json.dumps({"orders": orders}), encoding="utf-8")
    if messages is not None:
        (folder / "messages.json").write_text(json.dumps({"messages": messages}), encoding="utf-8")
    return folder
