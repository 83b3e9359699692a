"""Sales channel connections and what flows through them: orders, listings (offers), messages."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, Timestamped, utcnow
from db.enums import ChannelKind, ConnectionStatus, SyncStatus


class MarketplaceConnection(Timestamped, Base):
    """A seller account on a channel (amazon, ebay, cdiscount, etsy, or the sandbox test channel)."""

    __tablename__ = "marketplace_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[ChannelKind] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[ConnectionStatus] = mapped_column(String(16), default=ConnectionStatus.ACTIVE, index=True)
    # Fernet token of the credentials' JSON (key from settings); never decrypted except to call the channel.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    # The names of the stored credential fields (e.g. api_key), never their values.
    credential_fields: Mapped[list[str]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_sync_at: Mapped[datetime | None]
    last_message_sync_at: Mapped[datetime | None]


class MarketplaceOrder(Base):
    """An order as the channel sent it; order_id is our order once imported, error why it could not be."""

    __tablename__ = "marketplace_orders"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("marketplace_connections.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[SyncStatus] = mapped_column(String(24), index=True)
    buyer_email: Mapped[str] = mapped_column(String(255), default="")
    total: Mapped[Money] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    placed_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MarketplaceListing(Timestamped, Base):
    """An offer of one variant on one channel, with the price and quantity last pushed."""

    __tablename__ = "marketplace_listings"
    __table_args__ = (UniqueConstraint("connection_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("marketplace_connections.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("product_variants.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Money]
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    quantity: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    last_pushed_at: Mapped[datetime | None]


class MarketplaceMessage(Base):
    """A buyer message received from (in) or sent to (out) a channel."""

    __tablename__ = "marketplace_messages"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction_in_or_out"),
        UniqueConstraint("connection_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("marketplace_connections.id"), index=True)
    # The channel's id of the message, so fetching the same messages twice stores each once.
    external_id: Mapped[str | None] = mapped_column(String(64))
    marketplace_order_id: Mapped[int | None] = mapped_column(ForeignKey("marketplace_orders.id"), index=True)
    # The channel's order number the message is about, kept even before that order is imported.
    order_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    sender: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
