"""Marketplace connections: create, find, change and disconnect; callers own the transaction."""

import re
from decimal import Decimal
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ChannelKind, ConnectionStatus, SyncStatus
from db.models import MarketplaceConnection, MarketplaceListing, MarketplaceMessage, MarketplaceOrder
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, InvalidInput, NotFound
from tools.marketplace import credentials

ENTITY = "marketplace_connection"
# Settings a connection may carry (never secrets: those go through `credentials`).
SETTING_FIELDS = ("feed", "price_adjustment_pct")


def _matching(rows: list[MarketplaceConnection], ref: str | None,
              channel: ChannelKind | None) -> list[MarketplaceConnection]:
    live = [c for c in rows if c.status != ConnectionStatus.DISCONNECTED]
    if ref is None:
        return [c for c in live if channel is None or c.channel == channel]
    ref = ref.strip().lower()
    exact = [c for c in rows if ref in (str(c.id), c.name.lower())]
    by_kind = [c for c in live if c.channel == ref]
    # "the sandbox marketplace connection", "our Amazon FR account": a name or a channel said inside the words.
    said = set(re.findall(r"[a-z0-9]+", ref))
    inside = [c for c in live if c.name.lower() in ref or str(c.channel) in said]
    return exact or by_kind or inside


async def find_connection(session: AsyncSession, ref: str | None = None, *, channel: ChannelKind | None = None,
                          for_update: bool = False) -> MarketplaceConnection:
    """A connection by id or name (any case), else by channel, else the shop's only live connection.

    A reference that is neither is searched for a connection's name or channel inside it; several
    matches answer Ambiguous with the candidates, none NotFound.
    """
    rows = list((await session.execute(select(MarketplaceConnection).order_by(MarketplaceConnection.id))).scalars())
    found = _matching(rows, ref, channel)
    if not found:
        what = f"marketplace connection {ref!r}" if ref else f"{channel} connection" if channel else "connection"
        raise NotFound(f"{what} not found" if ref else f"the shop has no marketplace {what}")
    if len(found) > 1:
        raise Ambiguous("several marketplace connections match; say which by its name or id",
                        details=[{"id": c.id, "name": c.name, "channel": str(c.channel)} for c in found])
    if not for_update:
        return found[0]
    stmt = (select(MarketplaceConnection).where(MarketplaceConnection.id == found[0].id).with_for_update()
            .execution_options(populate_existing=True))
    return await session.scalar(stmt)


def require_usable(connection: MarketplaceConnection) -> None:
    """Refuse to sync or push through a paused or disconnected connection."""
    if connection.status == ConnectionStatus.PAUSED:
        raise Conflict(f"connection {connection.name!r} is paused; set it active first", code="connection_paused")
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise Conflict(f"connection {connection.name!r} was deleted", code="connection_disconnected")


def settings_from(channel: ChannelKind, fields: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The connection's settings after the given changes (a feed only makes sense for the sandbox)."""
    merged = {**current, **{k: v for k, v in fields.items() if v is not None}}
    if "feed" in fields and fields["feed"] is not None and channel != ChannelKind.SANDBOX:
        raise InvalidInput("only a sandbox connection reads a feed",
                           details=[{"field": "feed", "problem": "sandbox only"}])
    if "price_adjustment_pct" in merged:
        merged["price_adjustment_pct"] = str(Decimal(str(merged["price_adjustment_pct"])))
    return merged


def store_credentials(connection: MarketplaceConnection, secrets: dict[str, SecretStr] | None) -> None:
    """Encrypt and keep the credentials (or clear them with None); only their names stay readable."""
    if secrets is None:
        connection.credentials_encrypted, connection.credential_fields = None, []
        return
    connection.credentials_encrypted = credentials.encrypt(secrets)
    connection.credential_fields = sorted(secrets)


def _facts(connection: MarketplaceConnection) -> dict[str, Any]:
    # What audit rows and events say about a connection: never the credentials, only their names.
    return {"channel": str(connection.channel), "name": connection.name, "status": str(connection.status),
            "credential_fields": list(connection.credential_fields or [])}


async def create_connection(ctx: ToolContext, channel: ChannelKind, name: str, settings: dict[str, Any],
                            secrets: dict[str, SecretStr] | None) -> MarketplaceConnection:
    """A new active connection; its name must be unused."""
    taken = await ctx.session.scalar(
        select(MarketplaceConnection.id).where(func.lower(MarketplaceConnection.name) == name.lower())
    )
    if taken:
        raise Conflict(f"a connection named {name!r} already exists", code="duplicate_name")
    connection = MarketplaceConnection(channel=channel, name=name, status=ConnectionStatus.ACTIVE,
                                       settings=settings_from(channel, settings, {}), credential_fields=[],
                                       created_at=ctx.now(), updated_at=ctx.now())
    store_credentials(connection, secrets)
    ctx.session.add(connection)
    await ctx.session.flush()
    audit(ctx, ENTITY, str(connection.id), "created", to_state=connection.status, data=_facts(connection))
    emit(ctx, "marketplace_connection.created", str(connection.id), _facts(connection))
    return connection


async def update_connection(ctx: ToolContext, connection: MarketplaceConnection, changes: dict[str, Any],
                            secrets: dict[str, SecretStr] | None, clear_credentials: bool) -> None:
    """Rename, pause or reactivate, change settings, replace or clear the credentials."""
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise Conflict(f"connection {connection.name!r} was deleted", code="connection_disconnected")
    if (name := changes.get("name")) and name.lower() != connection.name.lower():
        clash = await ctx.session.scalar(select(MarketplaceConnection.id).where(
            func.lower(MarketplaceConnection.name) == name.lower(), MarketplaceConnection.id != connection.id))
        if clash:
            raise Conflict(f"a connection named {name!r} already exists", code="duplicate_name")
        connection.name = name
    if status := changes.get("status"):
        connection.status = ConnectionStatus(status)
    connection.settings = settings_from(connection.channel, {k: changes.get(k) for k in SETTING_FIELDS},
                                        dict(connection.settings or {}))
    if clear_credentials or secrets is not None:
        store_credentials(connection, None if clear_credentials else secrets)
    connection.updated_at = ctx.now()
    audit(ctx, ENTITY, str(connection.id), "updated", data=_facts(connection))
    emit(ctx, "marketplace_connection.updated", str(connection.id), _facts(connection))


async def disconnect(ctx: ToolContext, connection: MarketplaceConnection) -> int:
    """Delete a connection: credentials wiped, offers ended; the row stays for the orders it imported."""
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise Conflict(f"connection {connection.name!r} was already deleted", code="connection_disconnected")
    before = connection.status
    store_credentials(connection, None)
    connection.status, connection.updated_at = ConnectionStatus.DISCONNECTED, ctx.now()
    ended = await ctx.session.execute(
        update(MarketplaceListing).where(MarketplaceListing.connection_id == connection.id,
                                         MarketplaceListing.status == "active")
        .values(status="ended", updated_at=ctx.now()).execution_options(synchronize_session=False)
    )
    audit(ctx, ENTITY, str(connection.id), "deleted", from_state=before, to_state=connection.status,
          data={**_facts(connection), "offers_ended": ended.rowcount})
    emit(ctx, "marketplace_connection.deleted", str(connection.id), {"channel": str(connection.channel),
                                                         "offers_ended": ended.rowcount})
    return ended.rowcount


async def list_connections(session: AsyncSession, include_deleted: bool) -> list[MarketplaceConnection]:
    """Connections by id (deleted ones only when asked)."""
    stmt = select(MarketplaceConnection).order_by(MarketplaceConnection.id)
    if not include_deleted:
        stmt = stmt.where(MarketplaceConnection.status != ConnectionStatus.DISCONNECTED)
    return list((await session.execute(stmt)).scalars())


async def counts(session: AsyncSession, connection_id: int) -> dict[str, int]:
    """Imported and failed channel orders, active offers and unread messages of a connection."""
    orders = dict((await session.execute(
        select(MarketplaceOrder.status, func.count()).where(MarketplaceOrder.connection_id == connection_id)
        .group_by(MarketplaceOrder.status))).all())
    offers = await session.scalar(select(func.count()).select_from(MarketplaceListing).where(
        MarketplaceListing.connection_id == connection_id, MarketplaceListing.status == "active"))
    unread = await session.scalar(select(func.count()).select_from(MarketplaceMessage).where(
        MarketplaceMessage.connection_id == connection_id, MarketplaceMessage.direction == "in",
        MarketplaceMessage.read_at.is_(None)))
    return {"orders_imported": orders.get(SyncStatus.IMPORTED, 0), "orders_failed": orders.get(SyncStatus.FAILED, 0),
            "active_offers": offers or 0, "unread_messages": unread or 0}
