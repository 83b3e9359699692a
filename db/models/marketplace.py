"""Sales channel connections and what flows through them: orders, listings (offers), messages."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, Timestamped, utcnow
from db.enums import ConnectionStatus


class MarketplaceConnection(Timestamped, Base):
    """A seller account on a channel (amazon, ebay, cdiscount, etsy...)."""

    __tablename__ = "marketplace_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[ConnectionStatus] = mapped_column(String(16), default=ConnectionStatus.ACTIVE, index=True)
    # The name of where the credentials live (e.g. an environment variable), never a secret itself.
    credentials_ref: Mapped[str] = mapped_column(String(255), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_sync_at: Mapped[datetime | None]


class MarketplaceOrder(Base):
    """An order as the channel sent it; order_id is our order once imported."""

    __tablename__ = "marketplace_orders"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("marketplace_connections.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
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
    __table_args__ = (CheckConstraint("direction IN ('in', 'out')", name="direction_in_or_out"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("marketplace_connections.id"), index=True)
    marketplace_order_id: Mapped[int | None] = mapped_column(ForeignKey("marketplace_orders.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    sender: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
