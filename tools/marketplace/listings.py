"""Offers (listings) on a channel, and pushing our stock and prices to them; callers own the transaction.

The channel is told first and the listing rows updated after: if the channel refuses, nothing changes
here. If our transaction then rolls back, the channel is ahead of our rows until the next push.
"""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import ConnectionStatus
from db.models import MarketplaceConnection, MarketplaceListing, ProductVariant
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict
from tools.inventory import service as inventory
from tools.marketplace.channels import PriceUpdate, StockUpdate, adapter_for
from tools.marketplace.connections import ENTITY, require_usable
from tools.product import service as products

CENT = Decimal("0.01")
# Drop-shipped variants have no stock of ours to count: the channel is told this many are available.
UNTRACKED_QUANTITY = 99


def channel_price(variant: ProductVariant, connection: MarketplaceConnection) -> Decimal:
    """Our price of the variant, adjusted by the connection's percentage (channels charge their own fees)."""
    adjustment = Decimal(str((connection.settings or {}).get("price_adjustment_pct", "0")))
    return (variant.price * (100 + adjustment) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


async def sellable_quantities(ctx: ToolContext, variants: list[ProductVariant]) -> dict[str, int]:
    """Units each variant may sell: free stock, none when unavailable, a fixed number when drop-shipped."""
    free = await inventory.available_by_variant(ctx.session, [v.id for v in variants], ctx.now())
    quantities = {}
    for variant in variants:
        if not products.is_sellable(variant):
            quantities[variant.id] = 0
        else:
            quantities[variant.id] = max(0, free[variant.id]) if variant.track_stock else UNTRACKED_QUANTITY
    return quantities


async def active_listings(session: AsyncSession, connection_id: int) -> list[MarketplaceListing]:
    """The connection's active offers, by id, with nothing else loaded."""
    stmt = (select(MarketplaceListing).where(MarketplaceListing.connection_id == connection_id,
                                             MarketplaceListing.status == "active")
            .order_by(MarketplaceListing.id).with_for_update())
    return list((await session.execute(stmt)).scalars())


async def variants_of(session: AsyncSession, listings: list[MarketplaceListing]) -> dict[str, ProductVariant]:
    """The listings' variants with their products, by variant id."""
    ids = [ln.variant_id for ln in listings]
    stmt = select(ProductVariant).options(selectinload(ProductVariant.product)).where(ProductVariant.id.in_(ids))
    return {v.id: v for v in (await session.execute(stmt)).scalars()}


async def push_stock(ctx: ToolContext, connection: MarketplaceConnection) -> list[MarketplaceListing]:
    """Tell the channel how many units each active offer may sell, from our stock levels."""
    require_usable(connection)
    listings = await active_listings(ctx.session, connection.id)
    variants = await variants_of(ctx.session, listings)
    quantities = await sellable_quantities(ctx, list(variants.values()))
    await adapter_for(connection).push_stock(
        [StockUpdate(variants[ln.variant_id].sku, quantities[ln.variant_id]) for ln in listings])
    for listing in listings:
        listing.quantity, listing.last_pushed_at = quantities[listing.variant_id], ctx.now()
    _announce(ctx, connection, "stock_pushed", len(listings), sum(quantities.values()))
    return listings


async def push_prices(ctx: ToolContext, connection: MarketplaceConnection) -> list[MarketplaceListing]:
    """Tell the channel each active offer's price, from our variant prices (and the connection's adjustment)."""
    require_usable(connection)
    listings = await active_listings(ctx.session, connection.id)
    variants = await variants_of(ctx.session, listings)
    prices = {v.id: channel_price(v, connection) for v in variants.values()}
    await adapter_for(connection).push_prices(
        [PriceUpdate(variants[ln.variant_id].sku, prices[ln.variant_id], ln.currency) for ln in listings])
    for listing in listings:
        listing.price, listing.last_pushed_at = prices[listing.variant_id], ctx.now()
    _announce(ctx, connection, "prices_pushed", len(listings))
    return listings


def _announce(ctx: ToolContext, connection: MarketplaceConnection, action: str, offers: int,
              units: int | None = None) -> None:
    facts = {"offers": offers, **({"units": units} if units is not None else {})}
    audit(ctx, ENTITY, str(connection.id), action, data=facts)
    emit(ctx, "marketplace_connection.stock_pushed" if action == "stock_pushed"
         else "marketplace_connection.prices_pushed", str(connection.id), facts)


async def create_offer(ctx: ToolContext, connection: MarketplaceConnection, item: str) -> MarketplaceListing:
    """List a variant on the channel at our price and free stock, and push both to it now."""
    require_usable(connection)
    variant = await products.get_variant(ctx.session, item)
    existing = await ctx.session.scalar(select(MarketplaceListing).where(
        MarketplaceListing.connection_id == connection.id, MarketplaceListing.variant_id == variant.id))
    if existing is not None and existing.status == "active":
        raise Conflict(f"{variant.sku} is already offered on {connection.name}", code="duplicate_offer",
                       details={"offer_id": existing.id})
    if not products.is_sellable(variant):
        raise Conflict(f"item {variant.sku} is not available for sale", code="unavailable")
    price = channel_price(variant, connection)
    quantity = (await sellable_quantities(ctx, [variant]))[variant.id]
    adapter = adapter_for(connection)
    await adapter.push_prices([PriceUpdate(variant.sku, price, "EUR")])
    await adapter.push_stock([StockUpdate(variant.sku, quantity)])
    listing = existing or MarketplaceListing(connection_id=connection.id, variant_id=variant.id,
                                             created_at=ctx.now())
    listing.price, listing.quantity, listing.currency = price, quantity, "EUR"
    listing.status, listing.last_pushed_at, listing.updated_at = "active", ctx.now(), ctx.now()
    ctx.session.add(listing)
    await ctx.session.flush()
    facts = {"connection_id": connection.id, "sku": variant.sku, "price": str(price), "quantity": quantity}
    audit(ctx, "marketplace_listing", str(listing.id), "offered", to_state="active", data=facts)
    emit(ctx, "marketplace_listing.offered", str(listing.id), facts)
    return listing


async def list_offers(
    session: AsyncSession, *, connection_id: int | None = None, status: str | None = None, offer_id: int | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[tuple[MarketplaceListing, ProductVariant, str]]:
    """Offers with their variant and connection name, by connection then id (deleted connections' only by id)."""
    stmt = (select(MarketplaceListing, ProductVariant, MarketplaceConnection.name)
            .join(ProductVariant, ProductVariant.id == MarketplaceListing.variant_id)
            .join(MarketplaceConnection, MarketplaceConnection.id == MarketplaceListing.connection_id)
            .options(selectinload(ProductVariant.product)))
    if offer_id is not None:
        stmt = stmt.where(MarketplaceListing.id == offer_id)
    elif connection_id is not None:
        stmt = stmt.where(MarketplaceListing.connection_id == connection_id)
    else:
        stmt = stmt.where(MarketplaceConnection.status != ConnectionStatus.DISCONNECTED)
    if status is not None:
        stmt = stmt.where(MarketplaceListing.status == status)
    stmt = stmt.order_by(MarketplaceListing.connection_id, MarketplaceListing.id).limit(limit).offset(offset)
    return [tuple(row) for row in (await session.execute(stmt)).all()]
