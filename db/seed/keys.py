"""Deterministic demo API keys, so docs/demo-data.md can print them (never use these in production)."""

import hashlib
from datetime import datetime
from typing import Any

from db.models import ApiKey
from db.seed.base import Rows

# Public on purpose: anyone with the docs can derive the demo keys, which is what a demo shop wants.
DEMO_SECRET = "shopcrew-demo-keys"


def demo_key(principal: str) -> str:
    """The raw demo key of a principal label such as `staff:ada.admin` or `customer:ava.martin@example.com`."""
    return "sc_demo_" + hashlib.sha256(f"{DEMO_SECRET}:{principal}".encode()).hexdigest()[:24]


def add_api_keys(rows: Rows, staff: list[dict[str, Any]], customers: list[dict[str, Any]],
                 anchor: datetime) -> list[tuple[str, str]]:
    """Queue one key per staff user and per given customer; returns (principal, raw key) pairs."""
    issued = []
    for user in staff:
        issued.append((f"staff:{user['username']}", None, user["id"]))
    for customer in customers:
        issued.append((f"customer:{customer['email']}", customer["id"], None))
    keys = []
    for principal, customer_id, staff_id in issued:
        raw = demo_key(principal)
        rows.add(ApiKey, id=rows.next_id(ApiKey), key_hash=ApiKey.hash_key(raw), prefix=raw[:12],
                 label=f"demo {principal}", customer_id=customer_id, staff_user_id=staff_id,
                 revoked_at=None, last_used_at=None, created_at=anchor, updated_at=anchor)
        keys.append((principal, raw))
    return keys
