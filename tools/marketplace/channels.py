"""The channel seam: what Shopcrew needs from a marketplace, and which adapter serves a connection.

`ChannelAdapter` is the interface a real marketplace API client (Amazon SP-API, eBay, Cdiscount...) would
implement. This build ships one adapter, `SandboxChannel` (tools/marketplace/sandbox.py), a file-backed
test channel; a connection to any other channel can be created and hold its credentials, but syncing it
answers `409 channel_unsupported` until its client is written and registered in `ADAPTERS`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from pydantic import SecretStr

from db.enums import ChannelKind
from db.models import MarketplaceConnection
from tools.errors import Conflict, DomainError
from tools.marketplace import credentials


class ChannelError(DomainError):
    """The channel answered with something we cannot use (its fault, not the caller's)."""

    code = "channel_error"
    http_status = 502


@dataclass(frozen=True)
class ChannelLine:
    """One ordered item as the channel sold it."""

    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ChannelOrder:
    """An order the channel took and collected the money for."""

    external_id: str
    placed_at: datetime
    buyer_email: str
    buyer_first_name: str
    buyer_last_name: str
    shipping_address: dict[str, str]
    lines: list[ChannelLine]
    total: Decimal
    currency: str
    buyer_phone: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelMessage:
    """A buyer's message as the channel delivered it."""

    external_id: str
    sender: str
    body: str
    sent_at: datetime
    order_ref: str | None = None


@dataclass(frozen=True)
class StockUpdate:
    """How many units of a SKU the channel may sell."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class PriceUpdate:
    """The price a SKU sells at on the channel."""

    sku: str
    price: Decimal
    currency: str


class ChannelAdapter(Protocol):
    """The operations Shopcrew needs from a marketplace."""

    kind: ChannelKind

    async def fetch_orders(self, since: datetime | None) -> list[ChannelOrder]:
        """Orders placed on the channel since the moment (all of them when None)."""
        ...

    async def push_stock(self, updates: list[StockUpdate]) -> None:
        """Set the quantities the channel may sell."""
        ...

    async def push_prices(self, updates: list[PriceUpdate]) -> None:
        """Set the prices the channel sells at."""
        ...

    async def send_message(self, order_ref: str | None, body: str, in_reply_to: str | None = None) -> str:
        """Send a message to a buyer, about one of the channel's orders or in reply to one of their messages (its id
        on the channel), or both; returns its id. A message with neither reaches no buyer: refuse it."""
        ...

    async def fetch_messages(self, since: datetime | None) -> list[ChannelMessage]:
        """Buyers' messages received since the moment (all of them when None)."""
        ...


# An adapter is built per use from the connection and its decrypted credentials (field name -> secret).
AdapterFactory = Callable[[MarketplaceConnection, dict[str, SecretStr]], ChannelAdapter]
ADAPTERS: dict[ChannelKind, AdapterFactory] = {}


def register_adapter(kind: ChannelKind, factory: AdapterFactory) -> None:
    """Make `factory(connection, credentials)` the adapter of every connection to that channel."""
    ADAPTERS[kind] = factory


def adapter_for(connection: MarketplaceConnection) -> ChannelAdapter:
    """The adapter that talks to the connection's channel, holding its credentials."""
    factory = ADAPTERS.get(ChannelKind(connection.channel))
    if factory is None:
        supported = ", ".join(sorted(ADAPTERS)) or "none"
        raise Conflict(
            f"there is no {connection.channel} API client in this build, so connection {connection.name!r} cannot "
            f"sync yet (channels that can: {supported})",
            code="channel_unsupported",
        )
    secrets = credentials.decrypt(connection.credentials_encrypted) if connection.credentials_encrypted else {}
    return factory(connection, secrets)
