"""Buyer messages through a channel: fetch, list unread, mark read, send; callers own the transaction."""

import re

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ConnectionStatus
from db.models import MarketplaceConnection, MarketplaceMessage, MarketplaceOrder
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput, NotFound
from tools.marketplace.channels import adapter_for
from tools.marketplace.connections import ENTITY, require_usable
from tools.schemas import normalize_order_id

MESSAGE = "marketplace_message"


OUR_ORDER = re.compile(r"^#?[Ww]\d{5,9}$")


async def channel_order(session: AsyncSession, connection_id: int, ref: str) -> MarketplaceOrder | None:
    """The connection's imported channel order named by the channel's number or by our order number."""
    ours = normalize_order_id(ref) if OUR_ORDER.match(ref) else ref
    stmt = select(MarketplaceOrder).where(MarketplaceOrder.connection_id == connection_id,
                                          or_(MarketplaceOrder.external_id == ref, MarketplaceOrder.order_id == ours))
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def fetch(ctx: ToolContext, connection: MarketplaceConnection) -> list[MarketplaceMessage]:
    """Store the buyers' messages the channel has received since the last fetch (each message once)."""
    require_usable(connection)
    incoming = await adapter_for(connection).fetch_messages(connection.last_message_sync_at)
    known = set((await ctx.session.execute(select(MarketplaceMessage.external_id).where(
        MarketplaceMessage.connection_id == connection.id,
        MarketplaceMessage.external_id.in_([m.external_id for m in incoming])))).scalars())
    stored = []
    for message in (m for m in incoming if m.external_id not in known):
        order = await channel_order(ctx.session, connection.id, message.order_ref) if message.order_ref else None
        row = MarketplaceMessage(
            connection_id=connection.id, external_id=message.external_id, order_ref=message.order_ref,
            marketplace_order_id=order.id if order else None, direction="in", sender=message.sender,
            body=message.body, created_at=message.sent_at,
        )
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(row)
                await ctx.session.flush()
        except IntegrityError:  # stored by a concurrent fetch
            continue
        stored.append(row)
    connection.last_message_sync_at = ctx.now()
    audit(ctx, ENTITY, str(connection.id), "messages_fetched", data={"new": len(stored)})
    emit(ctx, "marketplace_connection.messages_fetched", str(connection.id), {"new": len(stored)})
    return stored


async def unread(session: AsyncSession, connection_id: int | None, limit: int, offset: int) -> list[MarketplaceMessage]:
    """Buyers' messages nobody has read yet, oldest first (of one connection, or of every live one)."""
    stmt = (select(MarketplaceMessage)
            .join(MarketplaceConnection, MarketplaceConnection.id == MarketplaceMessage.connection_id)
            .where(MarketplaceMessage.direction == "in", MarketplaceMessage.read_at.is_(None)))
    if connection_id is not None:
        stmt = stmt.where(MarketplaceMessage.connection_id == connection_id)
    else:
        stmt = stmt.where(MarketplaceConnection.status != ConnectionStatus.DISCONNECTED)
    stmt = stmt.order_by(MarketplaceMessage.created_at, MarketplaceMessage.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def get_message(session: AsyncSession, message_id: int) -> MarketplaceMessage:
    """A message by id."""
    message = await session.get(MarketplaceMessage, message_id)
    if message is None:
        raise NotFound(f"marketplace message {message_id} not found")
    return message


def mark_read(ctx: ToolContext, message: MarketplaceMessage) -> None:
    """Mark a buyer's message read (reading it twice keeps the first time)."""
    if message.direction != "in":
        raise Conflict(f"message {message.id} was sent by us; only buyers' messages are marked read",
                       code="not_incoming")
    if message.read_at is None:
        message.read_at = ctx.now()
        audit(ctx, MESSAGE, str(message.id), "read")


async def send(ctx: ToolContext, connection: MarketplaceConnection, order_ref: str | None, body: str,
               reply_to: MarketplaceMessage | None) -> MarketplaceMessage:
    """Send a message to a buyer through the channel (about one of its orders, or in reply to a message)."""
    require_usable(connection)
    order = await channel_order(ctx.session, connection.id, order_ref) if order_ref else None
    if order_ref and order is None and OUR_ORDER.match(order_ref):
        raise NotFound(f"order {normalize_order_id(order_ref)} did not come from {connection.name}")
    if reply_to is not None:
        order_ref = order_ref or reply_to.order_ref
        order = order or (await ctx.session.get(MarketplaceOrder, reply_to.marketplace_order_id)
                          if reply_to.marketplace_order_id else None)
    if not body.strip():
        raise InvalidInput("the message is empty", details=[{"field": "body", "problem": "empty"}])
    external_order = order.external_id if order else order_ref
    answered = reply_to.external_id if reply_to is not None else None
    external_id = await adapter_for(connection).send_message(external_order, body, answered)
    row = MarketplaceMessage(
        connection_id=connection.id, external_id=external_id, order_ref=external_order,
        marketplace_order_id=order.id if order else None, direction="out", sender=ctx.actor, body=body,
        read_at=ctx.now(), created_at=ctx.now(),
    )
    ctx.session.add(row)
    if reply_to is not None and reply_to.direction == "in" and reply_to.read_at is None:
        reply_to.read_at = ctx.now()
    await ctx.session.flush()
    facts = {"connection_id": connection.id, "order_ref": external_order}
    audit(ctx, MESSAGE, str(row.id), "sent", data=facts)
    emit(ctx, "marketplace_message.sent", str(row.id), facts)
    return row
