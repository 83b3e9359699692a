"""Importing a channel's orders through the one order placement path; callers own the transaction.

Each channel order is claimed first by inserting its (connection, external id) row, which is unique: an
order fetched twice, or by two imports at once, is placed once. The claim and the placement each run in
a savepoint, so an order that cannot be placed (unknown SKU, no stock, fraud refusal) is recorded as
failed, with the reason, while the others go ahead; a later import tries a failed order again.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import OrderChannel, PaymentMethodKind, SyncStatus
from db.models import Customer, MarketplaceConnection, MarketplaceOrder, Order, PaymentMethod
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.customer import service as customers
from tools.errors import Conflict, DomainError, InvalidInput, NotFound
from tools.marketplace.channels import ChannelOrder, adapter_for
from tools.marketplace.connections import ENTITY, require_usable
from tools.order import service as orders
from tools.payment import service as payments
from tools.product import service as products
from tools.schemas import Address

# Channels may report an order a little after it was placed: each import looks back this far past the
# last one (orders seen twice are placed once).
OVERLAP = timedelta(hours=1)
SHOP_CURRENCY = "EUR"


@dataclass
class ImportReport:
    """What one import did with each order the channel sent."""

    imported: list[MarketplaceOrder] = field(default_factory=list)
    failed: list[MarketplaceOrder] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # external ids imported before (or by a concurrent import)


async def claim(ctx: ToolContext, connection: MarketplaceConnection, order: ChannelOrder) -> MarketplaceOrder | None:
    """This import's row for the order: a new one, or a failed one to retry; None when it is already imported."""
    stmt = (select(MarketplaceOrder).where(MarketplaceOrder.connection_id == connection.id,
                                           MarketplaceOrder.external_id == order.external_id)
            .with_for_update().execution_options(populate_existing=True))
    if (row := await ctx.session.scalar(stmt)) is not None:
        if row.status == SyncStatus.IMPORTED:
            return None
        row.attempts += 1
        return row
    row = MarketplaceOrder(
        connection_id=connection.id, external_id=order.external_id, status=SyncStatus.FAILED,
        buyer_email=order.buyer_email.lower(), total=order.total, currency=order.currency, placed_at=order.placed_at,
        payload=order.raw, imported_at=ctx.now(), attempts=1,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError:  # a concurrent import claimed it first
        return None
    return row


async def buyer(ctx: ToolContext, order: ChannelOrder) -> Customer:
    """The customer with the buyer's email, or a new account for the buyer (shipping address as default)."""
    try:
        return await customers.get_customer(ctx.session, order.buyer_email)
    except NotFound:
        pass
    try:
        address = Address.model_validate(order.shipping_address)
    except ValidationError:
        raise InvalidInput("the buyer's shipping address is incomplete", code="bad_address") from None
    try:
        async with ctx.session.begin_nested():
            return await customers.create_customer(ctx, order.buyer_email, order.buyer_first_name,
                                                   order.buyer_last_name, order.buyer_phone, address)
    except Conflict:  # created by a concurrent import between our look-up and our insert
        return await customers.get_customer(ctx.session, order.buyer_email)


async def channel_method(ctx: ToolContext, customer: Customer, connection: MarketplaceConnection) -> PaymentMethod:
    """The customer's marketplace payment method for this channel (saved on the first order from it)."""
    for method in await payments.methods_of(ctx.session, customer.id):
        if method.kind == PaymentMethodKind.MARKETPLACE and method.brand == str(connection.channel):
            return method
    return await payments.add_method(ctx, customer.id, PaymentMethodKind.MARKETPLACE, brand=str(connection.channel))


def check_money(order: ChannelOrder) -> None:
    """The channel's total must be its lines' sum, in the shop's currency (it is what the channel collected)."""
    if order.currency != SHOP_CURRENCY:
        raise InvalidInput(f"the order is in {order.currency}; the shop sells in {SHOP_CURRENCY} only",
                           code="currency_unsupported")
    lines = sum((ln.unit_price * ln.quantity for ln in order.lines), Decimal(0))
    if orders.cents(lines) != orders.cents(order.total):
        raise InvalidInput(f"the order's total {order.total} is not the sum of its lines ({orders.cents(lines)})",
                           code="total_mismatch")


async def place(ctx: ToolContext, connection: MarketplaceConnection, order: ChannelOrder) -> Order:
    """Place the channel's order as ours: same stock allocation, fraud screening and payment records."""
    check_money(order)
    items = [(await products.get_variant(ctx.session, ln.sku), ln.quantity) for ln in order.lines]
    prices = {variant.id: ln.unit_price for (variant, _), ln in zip(items, order.lines, strict=True)}
    customer = await buyer(ctx, order)
    method = await channel_method(ctx, customer, connection)
    # One import places many orders: each gets its own key under the call's, or the second would replay the first.
    own = replace(ctx, idempotency_key=f"{ctx.idempotency_key}:{order.external_id}") if ctx.idempotency_key else ctx
    placed = await orders.place(
        own, customer, items, method_id=method.id, shipping=dict(order.shipping_address), billing=None,
        client_ip=None, channel=OrderChannel.MARKETPLACE, prices=prices,
    )
    orders.add_note(ctx, placed, f"Imported from {connection.name} ({connection.channel}) order {order.external_id}.")
    return placed


async def import_one(ctx: ToolContext, connection: MarketplaceConnection, order: ChannelOrder,
                     report: ImportReport) -> None:
    """Claim, then place, one channel order, recording the outcome on its row."""
    row = await claim(ctx, connection, order)
    if row is None:
        report.already.append(order.external_id)
        return
    try:
        async with ctx.session.begin_nested():
            placed = await place(ctx, connection, order)
    except DomainError as exc:
        row.status, row.error = SyncStatus.FAILED, f"{exc.code}: {exc.message}"
        report.failed.append(row)
        facts = {"connection_id": connection.id, "external_id": order.external_id, "error": exc.code}
        audit(ctx, "marketplace_order", str(row.id), "import_failed", to_state=row.status, data=facts)
        emit(ctx, "marketplace_order.import_failed", str(row.id), facts)
        return
    row.status, row.order_id, row.error, row.imported_at = SyncStatus.IMPORTED, placed.id, None, ctx.now()
    report.imported.append(row)
    facts = {"connection_id": connection.id, "external_id": order.external_id, "order_id": placed.id,
             "total": str(placed.total)}
    audit(ctx, "marketplace_order", str(row.id), "imported", to_state=row.status, data=facts)
    emit(ctx, "marketplace_order.imported", str(row.id), facts)


async def list_channel_orders(session: AsyncSession, connection_id: int | None, status: SyncStatus | None,
                              limit: int, offset: int) -> tuple[list[MarketplaceOrder], int]:
    """A page of channel orders, newest placed first, with the total count."""
    stmt = select(MarketplaceOrder)
    if connection_id is not None:
        stmt = stmt.where(MarketplaceOrder.connection_id == connection_id)
    if status is not None:
        stmt = stmt.where(MarketplaceOrder.status == status)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(MarketplaceOrder.placed_at.desc(), MarketplaceOrder.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0


async def import_orders(ctx: ToolContext, connection: MarketplaceConnection,
                        since: datetime | None = None) -> ImportReport:
    """Fetch the channel's orders (since the last import, or the given moment) and import each one once."""
    require_usable(connection)
    start = since if since is not None else (connection.last_sync_at - OVERLAP if connection.last_sync_at else None)
    fetched = await adapter_for(connection).fetch_orders(start)
    report = ImportReport()
    for order in fetched:
        await import_one(ctx, connection, order, report)
    connection.last_sync_at = ctx.now()
    facts = {"fetched": len(fetched), "imported": len(report.imported), "failed": len(report.failed),
             "already_imported": len(report.already)}
    audit(ctx, ENTITY, str(connection.id), "orders_imported", data=facts)
    emit(ctx, "marketplace_connection.orders_imported", str(connection.id), facts)
    return report
