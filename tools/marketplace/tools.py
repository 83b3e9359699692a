"""Marketplace tools: connections, channel orders, offers, stock and price pushes, buyer messages (staff only)."""

from db.enums import Role
from db.models import MarketplaceConnection, MarketplaceListing, MarketplaceOrder
from tools.context import STAFF_ROLES, ToolContext
from tools.marketplace import connections, imports, listings, messages, sandbox
from tools.marketplace import schemas as s
from tools.registry import tool

AGENT = "marketplace"
MANAGERS = {Role.MERCHANT, Role.ADMIN}
# Support answers buyers; merchants and admins run the channels.
SUPPORT_UP = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}


def connection_out(connection: MarketplaceConnection, counts: dict[str, int] | None = None) -> s.ConnectionOut:
    """A connection as callers see it: the names of its credentials, never their values."""
    settings = connection.settings or {}
    return s.ConnectionOut(
        id=connection.id, channel=connection.channel, name=connection.name, status=connection.status,
        has_credentials=connection.credentials_encrypted is not None,
        credential_fields=list(connection.credential_fields or []),
        feed=sandbox.feed_name(connection) if connection.channel == "sandbox" else None,
        price_adjustment_pct=settings.get("price_adjustment_pct", "0"), last_sync_at=connection.last_sync_at,
        last_message_sync_at=connection.last_message_sync_at, created_at=connection.created_at, **(counts or {}),
    )


def channel_order_out(row: MarketplaceOrder) -> s.ChannelOrderOut:
    """A channel order's sync record."""
    return s.ChannelOrderOut.model_validate(row)


def offer_out(listing: MarketplaceListing, variant, connection_name: str) -> s.OfferOut:
    """An offer with its SKU and product name."""
    return s.OfferOut(
        id=listing.id, connection_id=listing.connection_id, connection_name=connection_name, sku=variant.sku,
        item_id=variant.id, name=variant.product.name, price=listing.price, currency=listing.currency,
        quantity=listing.quantity, status=listing.status, last_pushed_at=listing.last_pushed_at,
    )


@tool(agent=AGENT, method="POST", path="/marketplace/connections", roles=MANAGERS, mutates=True, confirm=True,
      examples=["connect our Amazon FR seller account", "create a sandbox marketplace connection called Test shop",
                "add a new Cdiscount connection named Cdiscount Pro", "set up an eBay connection with a 10% markup",
                "connect a new marketplace channel"])
async def create_marketplace_connection(ctx: ToolContext, params: s.CreateConnectionIn) -> s.ConnectionOut:
    """Connect a seller account on a channel (amazon, ebay, cdiscount, etsy, sandbox); credentials are encrypted."""
    settings = {"feed": params.feed, "price_adjustment_pct": params.price_adjustment_pct}
    connection = await connections.create_connection(ctx, params.channel, params.name, settings, params.credentials)
    return connection_out(connection)


@tool(agent=AGENT, method="GET", path="/marketplace/connections", roles=SUPPORT_UP,
      examples=["list our marketplace connections", "which sales channels are we connected to",
                "show every marketplace account, deleted ones too", "what channels do we sell on"])
async def list_marketplace_connections(ctx: ToolContext, params: s.ListConnectionsIn) -> s.ConnectionList:
    """List marketplace connections with their status and last sync (credentials are never shown)."""
    rows = await connections.list_connections(ctx.session, params.include_deleted)
    return s.ConnectionList(connections=[connection_out(c) for c in rows])


@tool(agent=AGENT, method="GET", path="/marketplace/connections/{connection}", roles=SUPPORT_UP,
      examples=["show the sandbox marketplace connection", "details of connection 1",
                "how is our Amazon connection doing", "when did we last sync the sandbox channel"])
async def get_marketplace_connection(ctx: ToolContext, params: s.ConnectionIn) -> s.ConnectionOut:
    """Get a connection with its imported and failed orders, active offers and unread messages."""
    connection = await connections.find_connection(ctx.session, params.connection)
    return connection_out(connection, await connections.counts(ctx.session, connection.id))


@tool(agent=AGENT, method="PUT", path="/marketplace/connections/{connection}", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["pause the sandbox marketplace connection", "rename connection 2 to Amazon Germany",
                "reactivate our eBay connection", "set the price markup of the sandbox channel to 5 percent",
                "replace the API key of our Amazon connection"])
async def update_marketplace_connection(ctx: ToolContext, params: s.UpdateConnectionIn) -> s.ConnectionOut:
    """Rename, pause or reactivate a connection, change its settings, or replace or clear its credentials."""
    connection = await connections.find_connection(ctx.session, params.connection, for_update=True)
    changes = params.model_dump(include={"name", "status", "feed", "price_adjustment_pct"})
    await connections.update_connection(ctx, connection, changes, params.credentials, params.clear_credentials)
    return connection_out(connection)


@tool(agent=AGENT, method="DELETE", path="/marketplace/connections/{connection}", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["delete the test marketplace connection", "disconnect our eBay account",
                "remove marketplace connection 3"])
async def delete_marketplace_connection(ctx: ToolContext, params: s.ConnectionIn) -> s.DeleteConnectionOut:
    """Delete a connection: its credentials are wiped and its offers ended; orders it imported stay."""
    connection = await connections.find_connection(ctx.session, params.connection, for_update=True)
    ended = await connections.disconnect(ctx, connection)
    return s.DeleteConnectionOut(connection=connection_out(connection), offers_ended=ended)


@tool(agent=AGENT, method="POST", path="/marketplace/orders/import", roles=MANAGERS,
      mutates=True, confirm=True,
      examples=["import our Amazon orders", "import the new orders from the sandbox channel",
                "sync marketplace orders from connection 1", "pull in today's orders from the sandbox marketplace",
                "fetch the channel orders and create them in the shop"])
async def import_marketplace_orders(ctx: ToolContext, params: s.ImportIn) -> s.ImportOut:
    """Import a channel's new orders: buyer matched by email or created, stock allocated, fraud screened, once each."""
    connection = await connections.find_connection(ctx.session, params.connection, channel=params.channel,
                                                 for_update=True)
    report = await imports.import_orders(ctx, connection, params.since)
    return s.ImportOut(
        connection_id=connection.id,
        fetched=len(report.imported) + len(report.failed) + len(report.already),
        imported=[channel_order_out(r) for r in report.imported],
        failed=[channel_order_out(r) for r in report.failed], already_imported=report.already,
    )


@tool(agent=AGENT, method="GET", path="/marketplace/orders", roles=STAFF_ROLES,
      examples=["list channel orders", "which marketplace orders failed to import",
                "show imported orders from the sandbox channel", "marketplace orders that could not be synced"])
async def list_marketplace_orders(ctx: ToolContext, params: s.ListChannelOrdersIn) -> s.ChannelOrderList:
    """List channel orders by sync status (imported, or failed with the reason), newest first."""
    connection_id = None
    if params.channel or params.connection:
        connection_id = (await connections.find_connection(ctx.session, params.connection, channel=params.channel)).id
    rows, total = await imports.list_channel_orders(ctx.session, connection_id, params.status, params.limit,
                                                    params.offset)
    return s.ChannelOrderList(orders=[channel_order_out(r) for r in rows], total=total)


async def _pushed(ctx: ToolContext, connection: MarketplaceConnection) -> s.PushOut:
    rows = await listings.list_offers(ctx.session, connection_id=connection.id, status="active")
    return s.PushOut(connection_id=connection.id, offers=[offer_out(*row) for row in rows])


@tool(agent=AGENT, method="POST", path="/marketplace/listings/push-stock", roles=MANAGERS,
      mutates=True, confirm=True,
      examples=["push stock to eBay", "update the sandbox channel's stock levels",
                "sync our stock quantities to the marketplace", "send current inventory to Amazon listings"])
async def push_marketplace_stock(ctx: ToolContext, params: s.ChannelIn) -> s.PushOut:
    """Push our free stock to every active offer of a connection (available units per SKU)."""
    connection = await connections.find_connection(ctx.session, params.connection, channel=params.channel)
    await listings.push_stock(ctx, connection)
    return await _pushed(ctx, connection)


@tool(agent=AGENT, method="POST", path="/marketplace/listings/push-prices", roles=MANAGERS,
      mutates=True, confirm=True,
      examples=["push prices to the sandbox channel", "update our Amazon prices from the catalogue",
                "sync listing prices to the marketplace", "send the new prices to eBay"])
async def push_marketplace_prices(ctx: ToolContext, params: s.ChannelIn) -> s.PushOut:
    """Push our variant prices (with the connection's price adjustment) to every active offer of a connection."""
    connection = await connections.find_connection(ctx.session, params.connection, channel=params.channel)
    await listings.push_prices(ctx, connection)
    return await _pushed(ctx, connection)


@tool(agent=AGENT, method="POST", path="/marketplace/offers", roles=MANAGERS, mutates=True, confirm=True,
      examples=["offer KB-CLICKY-01 on the sandbox channel", "list the blue water bottle on Amazon",
                "create a marketplace offer for SKU HM-MUG-01", "start selling item 1008292230 on eBay"])
async def create_marketplace_offer(ctx: ToolContext, params: s.CreateOfferIn) -> s.OfferOut:
    """Offer a variant on a channel at our price and free stock (both pushed to the channel now)."""
    connection = await connections.find_connection(ctx.session, params.connection, channel=params.channel)
    listing = await listings.create_offer(ctx, connection, params.item)
    [row] = await listings.list_offers(ctx.session, offer_id=listing.id)
    return offer_out(*row)


@tool(agent=AGENT, method="GET", path="/marketplace/offers", roles=SUPPORT_UP,
      examples=["list our marketplace offers", "what do we sell on the sandbox channel",
                "show the active listings on Amazon", "which offers ended"])
async def list_marketplace_offers(ctx: ToolContext, params: s.ListOffersIn) -> s.OfferList:
    """List offers (listings) with their SKU, channel price and the stock last pushed."""
    connection_id = None
    if params.channel or params.connection:
        connection_id = (await connections.find_connection(ctx.session, params.connection, channel=params.channel)).id
    rows = await listings.list_offers(ctx.session, connection_id=connection_id, status=params.status,
                                      limit=params.limit, offset=params.offset)
    return s.OfferList(offers=[offer_out(*row) for row in rows])


@tool(agent=AGENT, method="POST", path="/marketplace/messages/fetch", roles=SUPPORT_UP,
      mutates=True,
      examples=["fetch new marketplace messages", "check the sandbox channel for buyer messages",
                "download new messages from Amazon buyers"])
async def fetch_marketplace_messages(ctx: ToolContext, params: s.ChannelIn) -> s.FetchMessagesOut:
    """Fetch the buyers' messages a channel received since the last fetch (each stored once)."""
    connection = await connections.find_connection(ctx.session, params.connection, channel=params.channel,
                                                 for_update=True)
    stored = await messages.fetch(ctx, connection)
    return s.FetchMessagesOut(connection_id=connection.id, new=[s.MessageOut.model_validate(m) for m in stored])


@tool(agent=AGENT, method="GET", path="/marketplace/messages/unread", roles=SUPPORT_UP,
      examples=["unread marketplace messages", "any new messages from marketplace buyers?",
                "show buyer messages we haven't read", "what are the buyers asking on the sandbox channel"])
async def list_unread_marketplace_messages(ctx: ToolContext, params: s.UnreadIn) -> s.MessageList:
    """List buyers' marketplace messages nobody has read yet, oldest first."""
    connection_id = None
    if params.channel or params.connection:
        connection_id = (await connections.find_connection(ctx.session, params.connection, channel=params.channel)).id
    rows = await messages.unread(ctx.session, connection_id, params.limit, params.offset)
    return s.MessageList(messages=[s.MessageOut.model_validate(m) for m in rows])


@tool(agent=AGENT, method="POST", path="/marketplace/messages/{message_id}/read", roles=SUPPORT_UP, mutates=True,
      examples=["mark marketplace message 2 as read", "I've read buyer message 3", "mark message #1 read"])
async def mark_marketplace_message_read(ctx: ToolContext, params: s.MessageRef) -> s.MessageOut:
    """Mark a buyer's marketplace message as read."""
    message = await messages.get_message(ctx.session, params.message_id)
    messages.mark_read(ctx, message)
    return s.MessageOut.model_validate(message)


@tool(agent=AGENT, method="POST", path="/marketplace/messages", roles=SUPPORT_UP, mutates=True,
      examples=["reply to marketplace message 2: your parcel left today",
                "tell the buyer of sandbox order SBX-1001 that it ships tomorrow",
                "send a message to the Amazon buyer of order 405-1234567 saying sorry for the delay",
                "tell him his parcel goes out tomorrow", "reply to her: sorry, that colour is sold out",
                "answer the buyer that it is back in stock next week"])
async def send_marketplace_message(ctx: ToolContext, params: s.SendMessageIn) -> s.MessageOut:
    """Send a message to a marketplace buyer, in reply to their message or about one of the channel's orders."""
    reply_to = await messages.get_message(ctx.session, params.reply_to) if params.reply_to else None
    connection = (await ctx.session.get(MarketplaceConnection, reply_to.connection_id)
                  if reply_to is not None and not (params.channel or params.connection)
                  else await connections.find_connection(ctx.session, params.connection, channel=params.channel))
    row = await messages.send(ctx, connection, params.about_order, params.body, reply_to)
    return s.MessageOut.model_validate(row)
