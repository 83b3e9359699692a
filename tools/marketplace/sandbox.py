"""`SandboxChannel`: a *test* marketplace backed by JSON files, standing in for a real channel's API.

No real marketplace is behind it. Each sandbox connection reads and writes one feed folder,
`<marketplace dir>/<feed>/` (the marketplace dir is SHOPCREW_MARKETPLACE_PATH, by default
`<data dir>/marketplace`; the feed name is the connection's `feed` setting):

- `orders.json`   `{"orders": [...]}`   orders "placed on the channel", written by tests and `shopcrew seed`;
- `messages.json` `{"messages": [...]}` buyers' messages, written the same way;
- `listings.json` what we pushed: `{"<sku>": {"quantity", "price", "currency", "updated_at"}}`;
- `sent.json`     `{"messages": [...]}` the messages we sent to buyers, each with the order it is about and the
                  message it answers (`order_ref`, `in_reply_to`; at least one of them).

The formats of the first two are `FeedOrder` and `FeedMessage` below (docs/marketplace.md shows examples).
A missing file is an empty feed; a malformed one answers `502 channel_error` naming the bad entry.
"""

import asyncio
import json
import os
import threading
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError

from db.base import utcnow
from db.enums import ChannelKind
from db.models import MarketplaceConnection
from tools.errors import InvalidInput, NotFound
from tools.marketplace.channels import (
    ChannelError,
    ChannelLine,
    ChannelMessage,
    ChannelOrder,
    PriceUpdate,
    StockUpdate,
    register_adapter,
)
from tools.marketplace.runtime import current

# Read-modify-write of one feed's files, one at a time within the process.
_WRITING = threading.Lock()


class FeedEntry(BaseModel):
    """Part of a feed file; fields the format does not know are ignored, as a channel's extras would be."""

    model_config = ConfigDict(extra="ignore")


class FeedBuyer(FeedEntry):
    """Who bought, as the channel shares it."""

    email: str = Field(min_length=3, max_length=255)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=40)


class FeedAddress(FeedEntry):
    """Where the channel's order ships."""

    address1: str = Field(min_length=1, max_length=255)
    address2: str = Field("", max_length=255)
    city: str = Field(min_length=1, max_length=100)
    state: str = Field("", max_length=100)
    country: str = Field(min_length=2, max_length=100)
    zip: str = Field(min_length=2, max_length=20)


class FeedLine(FeedEntry):
    """One ordered SKU at the channel's unit price."""

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=1000)
    unit_price: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


class FeedOrder(FeedEntry):
    """An entry of orders.json."""

    external_id: str = Field(min_length=1, max_length=64)
    placed_at: datetime
    buyer: FeedBuyer
    shipping_address: FeedAddress
    lines: list[FeedLine] = Field(min_length=1, max_length=50)
    total: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")


class FeedMessage(FeedEntry):
    """An entry of messages.json."""

    external_id: str = Field(min_length=1, max_length=64)
    sender: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=4000)
    sent_at: datetime
    order_ref: str | None = Field(None, max_length=64)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _read(path: Path, key: str, model: type[FeedEntry]) -> list[Any]:
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get(key, [])
        return TypeAdapter(list[model]).validate_python(entries)
    except (ValueError, AttributeError) as exc:
        problem = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = f" (entry {problem['loc'][0]}: {'.'.join(map(str, problem['loc'][1:]))}: {problem['msg']})" \
            if problem else ""
        raise ChannelError(f"the sandbox feed {path.name} is malformed{where}") from None


def _write(path: Path, data: Any) -> None:
    """Replace the file atomically, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _update(path: Path, change) -> Any:
    with _WRITING:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        result = change(data)
        _write(path, data)
        return result


class SandboxChannel:
    """The file-backed test channel of one connection."""

    kind = ChannelKind.SANDBOX

    def __init__(self, folder: Path):
        self.folder = folder

    async def fetch_orders(self, since: datetime | None) -> list[ChannelOrder]:
        """The feed's orders placed at or after `since`, oldest first."""
        feed = await asyncio.to_thread(_read, self.folder / "orders.json", "orders", FeedOrder)
        orders = [_order(entry) for entry in feed]
        return sorted((o for o in orders if since is None or o.placed_at >= since), key=lambda o: o.placed_at)

    async def push_stock(self, updates: list[StockUpdate]) -> None:
        """Write the quantities into listings.json."""
        await asyncio.to_thread(self._set, {u.sku: {"quantity": u.quantity} for u in updates})

    async def push_prices(self, updates: list[PriceUpdate]) -> None:
        """Write the prices into listings.json."""
        await asyncio.to_thread(
            self._set, {u.sku: {"price": str(u.price), "currency": u.currency} for u in updates}
        )

    async def send_message(self, order_ref: str | None, body: str, in_reply_to: str | None = None) -> str:
        """Append the message to sent.json (the order it is about and the message it answers must be in the feed);
        its id is SBX-MSG-<hex>."""
        if order_ref is None and in_reply_to is None:
            raise InvalidInput("a message goes to a buyer: say the order it is about or the message it answers",
                               details=[{"field": "about_order", "problem": "missing"},
                                        {"field": "reply_to", "problem": "missing"}])
        if order_ref is not None:
            feed = await asyncio.to_thread(_read, self.folder / "orders.json", "orders", FeedOrder)
            if order_ref not in {entry.external_id for entry in feed}:
                raise NotFound(f"the channel has no order {order_ref}")
        if in_reply_to is not None and in_reply_to not in await asyncio.to_thread(self._thread_ids):
            raise NotFound(f"the channel has no message {in_reply_to}")
        message_id = f"SBX-MSG-{uuid.uuid4().hex[:12].upper()}"
        entry = {"external_id": message_id, "order_ref": order_ref, "in_reply_to": in_reply_to, "body": body,
                 "sent_at": utcnow().isoformat()}
        await asyncio.to_thread(_update, self.folder / "sent.json",
                                lambda data: data.setdefault("messages", []).append(entry))
        return message_id

    async def fetch_messages(self, since: datetime | None) -> list[ChannelMessage]:
        """The feed's buyer messages sent at or after `since`, oldest first."""
        feed = await asyncio.to_thread(_read, self.folder / "messages.json", "messages", FeedMessage)
        messages = [ChannelMessage(m.external_id, m.sender, m.body, _aware(m.sent_at), m.order_ref) for m in feed]
        return sorted((m for m in messages if since is None or m.sent_at >= since), key=lambda m: m.sent_at)

    def _thread_ids(self) -> set[str]:
        """The ids of the conversation's messages: the buyers' and ours."""
        received = _read(self.folder / "messages.json", "messages", FeedMessage)
        sent = self.folder / "sent.json"
        ours = json.loads(sent.read_text(encoding="utf-8")).get("messages", []) if sent.exists() else []
        return {m.external_id for m in received} | {m["external_id"] for m in ours}

    def _set(self, changes: dict[str, dict[str, Any]]) -> None:
        stamp = utcnow().isoformat()

        def apply(data: dict) -> None:
            for sku, fields in changes.items():
                data.setdefault(sku, {}).update(fields, updated_at=stamp)

        _update(self.folder / "listings.json", apply)


def _order(entry: FeedOrder) -> ChannelOrder:
    return ChannelOrder(
        external_id=entry.external_id, placed_at=_aware(entry.placed_at), buyer_email=entry.buyer.email,
        buyer_first_name=entry.buyer.first_name, buyer_last_name=entry.buyer.last_name,
        buyer_phone=entry.buyer.phone, shipping_address=entry.shipping_address.model_dump(),
        lines=[ChannelLine(ln.sku, ln.quantity, ln.unit_price) for ln in entry.lines], total=entry.total,
        currency=entry.currency, raw=entry.model_dump(mode="json"),
    )


def feed_name(connection: MarketplaceConnection) -> str:
    """The connection's feed folder name (its `feed` setting, else connection-<id>)."""
    return str((connection.settings or {}).get("feed") or f"connection-{connection.id}")


def sandbox_for(connection: MarketplaceConnection, _credentials: dict[str, SecretStr]) -> SandboxChannel:
    """The sandbox channel of a connection, reading and writing its feed folder (it needs no credentials)."""
    return SandboxChannel(current().feeds_dir / feed_name(connection))


register_adapter(ChannelKind.SANDBOX, sandbox_for)
