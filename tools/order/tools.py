"""Order tools: thin registry entries over the order service (and the retail benchmark's order writes)."""

from db.enums import OrderStatus, ReturnResolution, Role
from db.models import Order
from tools.after_sales import returns
from tools.context import ALL_ROLES, STAFF_ROLES, ToolContext
from tools.customer import service as customers
from tools.errors import Forbidden
from tools.fraud import review
from tools.order import amend, analytics, service
from tools.order import schemas as s
from tools.payment import service as payments
from tools.product import service as products
from tools.registry import Precondition, tool
from tools.schemas import OrderRef

AGENT = "order"
# Customers act on their own orders; staff who talk to customers act for them (warehouse staff don't).
BUYER_ROLES = {Role.CUSTOMER, Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
# The order's state each write needs, read before the write asks for its details. They mirror the guards the
# writes enforce (service.cancel_pending, amend.require_status, returns eligibility): a cancel or an item
# change needs an order exactly pending (items never modified), a return or exchange one delivered and still
# within a return window, which is what the status label says.
UNTOUCHED_PENDING = Precondition("get_order_details", ("order_id",), "status_label", (OrderStatus.PENDING,))
PENDING = Precondition("get_order_details", ("order_id",), "status", (OrderStatus.PENDING,))
RETURNABLE = Precondition("get_order_details", ("order_id",), "status_label", (OrderStatus.DELIVERED,))


async def details(ctx: ToolContext, order: Order) -> s.OrderDetails:
    """Everything about an order the caller may see: items, parcels, payments, return or exchange."""
    latest = await service.latest_rma(ctx.session, order.id)
    rma = await service.latest_return(ctx.session, order.id)
    exchange = await service.latest_exchange(ctx.session, order.id)
    history = await payments.history(ctx.session, order.id)
    return s.OrderDetails(
        order_id=order.id, customer_id=order.customer_id, status=order.status,
        status_label=await returns.status_in_words(ctx, order), items_modified=order.items_modified,
        shipping_address=order.shipping_address,
        items=[
            s.OrderItemOut(item_id=ln.variant_id, product_id=ln.product_id, name=ln.name, sku=ln.sku,
                           options=ln.options, price=ln.unit_price, quantity=ln.quantity)
            for ln in order.lines
        ],
        fulfillments=[
            s.FulfillmentOut(tracking_numbers=sh.tracking_numbers, item_ids=sh.item_ids, status=sh.status)
            for sh in await service.fulfillments(ctx.session, order.id)
        ],
        payment_history=[
            s.PaymentEntryOut(transaction_type=e.transaction_type, amount=e.amount,
                              payment_method_id=e.payment_method_id)
            for e in history
        ],
        subtotal=order.subtotal, shipping_cost=order.shipping_cost, carrier=order.carrier_code, total=order.total,
        currency=order.currency,
        placed_at=order.placed_at, delivered_at=order.delivered_at, cancel_reason=order.cancel_reason,
        rma_number=latest.rma_number if latest else None,
        return_items=sorted(ln.variant_id for ln in rma.lines for _ in range(ln.quantity)) if rma else None,
        return_payment_method_id=rma.refund_method_id if rma else None,
        return_refund_amount=rma.refund_amount if rma else None,
        exchange_items=[ln.old_variant_id for ln in exchange.lines] if exchange else None,
        exchange_new_items=[ln.new_variant_id for ln in exchange.lines] if exchange else None,
        exchange_payment_method_id=exchange.payment_method_id if exchange else None,
        exchange_price_difference=exchange.price_difference if exchange else None,
        notes=[] if ctx.principal.is_customer else [s.NoteOut.model_validate(n) for n in order.notes],
    )


@tool(agent=AGENT, method="POST", path="/orders", roles=BUYER_ROLES,
      mutates=True, confirm=True,
      examples=["order 2 of SKU KB-RED-01 with my visa card", "I want to buy item 1008292230",
                "place an order for customer noah_brown_6181: one water bottle, paid with paypal_1234",
                "buy this keyboard and ship it to my default address"])
async def place_order(ctx: ToolContext, params: s.PlaceOrderIn) -> s.OrderDetails:
    """Place an order: reserve the stock, charge the payment method and screen it for fraud."""
    customer = await customers.get_visible_customer(ctx, params.customer_id)
    if (earlier := await service.replayed_order(ctx, ctx.idempotency_key)) is not None:
        return await details(ctx, earlier)
    items = [(await products.get_variant(ctx.session, line.item), line.quantity) for line in params.lines]
    order = await service.place(
        ctx, customer, items, method_id=params.payment_method_id,
        shipping=params.shipping_address.model_dump() if params.shipping_address else None,
        billing=params.billing_address.model_dump() if params.billing_address else None,
        client_ip=ctx.client_ip,
    )
    return await details(ctx, order)


@tool(agent=AGENT, method="GET", path="/orders/{order_id}", roles=ALL_ROLES,
      examples=["where is my order #W2378156?", "show order W2611340", "what's the status of order #W4817420",
                "which items are in my order #W2611340 and how was it paid",
                "is my keyboard on its way?", "when will the jacket I bought arrive?",
                "did my headphones ship already?"])
async def get_order_details(ctx: ToolContext, params: OrderRef) -> s.OrderDetails:
    """Get an order: status, items with item ids and options, parcels with tracking, payment history."""
    return await details(ctx, await service.get_visible_order(ctx, params.order_id))


# Lent to every specialist for its writes: a person names their order by what it holds ("rate my order with
# the camp stove") as often as by its number.
@tool(agent=AGENT, method="GET", path="/orders", roles=ALL_ROLES, lookup=True,
      examples=["list my orders", "show pending orders", "orders of noah_brown_6181 placed in January",
                "which orders were cancelled last week"])
async def list_orders(ctx: ToolContext, params: s.ListOrdersIn) -> s.OrderList:
    """List orders, newest first, filtered by customer, status and date (customers see their own)."""
    customer_id = None
    if ctx.principal.is_customer or params.customer_id:
        customer_id = (await customers.get_visible_customer(ctx, params.customer_id)).id
    rows, total = await service.list_orders(
        ctx.session, customer_id=customer_id, status=params.status, placed_from=params.placed_from,
        placed_to=params.placed_to, limit=params.limit, offset=params.offset,
    )
    return s.OrderList(
        orders=[
            s.OrderSummary(
                order_id=o.id, customer_id=o.customer_id, status=o.status, items_modified=o.items_modified,
                item_count=sum(ln.quantity for ln in o.lines), item_names=[ln.label for ln in o.lines],
                total=o.total, placed_at=o.placed_at, delivered_at=o.delivered_at,
            )
            for o in rows
        ],
        total=total,
    )


@tool(agent=AGENT, method="PUT", path="/orders/{order_id}/status", roles=STAFF_ROLES,
      mutates=True, confirm=True,
      examples=["mark order #W2611340 as processed", "order #W4817420 was delivered",
                "put order #W2378156 on hold", "cancel order #W2611340 because the customer asked by phone"])
async def update_order_status(ctx: ToolContext, params: s.UpdateStatusIn) -> s.OrderDetails:
    """Move an order to another status (processed, delivered, on hold, cancelled) by its state machine."""
    order = await service.get_order(ctx.session, params.order_id, for_update=True)
    if order.status == OrderStatus.ON_HOLD and params.status in (OrderStatus.PENDING, OrderStatus.CANCELLED):
        await _decide_hold(ctx, order, params)
    else:
        await service.change_status(ctx, order, params.status, params.reason)
    return await details(ctx, order)


async def _decide_hold(ctx: ToolContext, order: Order, params: s.UpdateStatusIn) -> None:
    # Letting a held order go on or cancelling it is a fraud review's decision, by this route as by the review
    # queue's: one path records who decided, and warehouse staff may not.
    if ctx.principal.role not in review.REVIEWERS:
        deciders = ", ".join(sorted(role.value for role in review.REVIEWERS))
        raise Forbidden(f"order {order.id} is on hold; only {deciders} staff release or reject it")
    if params.status == OrderStatus.PENDING:
        await review.release(ctx, order, params.reason or "")
    else:
        await review.reject(ctx, order, service.cancel_reason(params.reason))


@tool(agent=AGENT, method="POST", path="/orders/{order_id}/notes", roles=STAFF_ROLES,
      mutates=True,
      examples=["add a note to order #W2611340: customer called about the delivery date",
                "note on #W4817420 that the parcel must go to the neighbour"])
async def add_order_note(ctx: ToolContext, params: s.AddNoteIn) -> s.OrderDetails:
    """Add an internal staff note to an order."""
    order = await service.get_order(ctx.session, params.order_id)
    service.add_note(ctx, order, params.body)
    await ctx.session.flush()
    return await details(ctx, order)


@tool(agent=AGENT, method="GET", path="/analytics/orders", roles={Role.MERCHANT, Role.ADMIN},
      examples=["order analytics for the last 30 days", "how many orders did we get this week",
                "what is our average order value", "cancellation rate over the last 90 days"])
async def get_order_analytics(ctx: ToolContext, params: s.AnalyticsIn) -> s.OrderAnalytics:
    """Order figures over the last N days: count and revenue by status and day, average, cancel rate."""
    return await analytics.order_analytics(ctx.session, ctx.now(), params.days)


@tool(agent=AGENT, method="POST", path="/orders/{order_id}/cancel", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=UNTOUCHED_PENDING,
      examples=["cancel my order #W2611340, I no longer need it", "I ordered #W4817420 by mistake, cancel it",
                "cancel pending order W2378156"])
async def cancel_pending_order(ctx: ToolContext, params: s.CancelIn) -> s.OrderDetails:
    """Cancel a pending order (reason 'no longer needed' or 'ordered by mistake'); payments are refunded."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    await service.cancel_pending(ctx, order, params.reason)
    return await details(ctx, order)


@tool(agent=AGENT, method="PUT", path="/orders/{order_id}/address", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=PENDING,
      examples=["ship my order #W2611340 to 10 Main Street, Denver CO 80202, USA instead",
                "change the delivery address of pending order W4817420"])
async def modify_pending_order_address(ctx: ToolContext, params: s.ModifyAddressIn) -> s.OrderDetails:
    """Change the shipping address of a pending order."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    amend.modify_address(ctx, order, params.model_dump(exclude={"order_id"}))
    return await details(ctx, order)


@tool(agent=AGENT, method="PUT", path="/orders/{order_id}/payment", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=PENDING,
      examples=["pay my order #W2611340 with my gift card instead",
                "switch the payment of W4817420 to paypal_3024827",
                "I'd rather use another of my payment methods for order W2378156"])
async def modify_pending_order_payment(ctx: ToolContext, params: s.ModifyPaymentIn) -> s.OrderDetails:
    """Pay a pending order with another of the customer's methods; the old one is refunded."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    await amend.modify_payment(ctx, order, params.payment_method_id)
    return await details(ctx, order)


@tool(agent=AGENT, method="PUT", path="/orders/{order_id}/items", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=UNTOUCHED_PENDING,
      examples=["change the keyboard in my pending order #W2611340 to the blue switch version",
                "swap item 1008292230 for 2768401027 in order W4817420, my gift card pays the difference"])
async def modify_pending_order_items(ctx: ToolContext, params: s.ModifyItemsIn) -> s.OrderDetails:
    """Swap items of a pending order for other options of the same products (only once per order)."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    await amend.modify_items(ctx, order, params.item_ids, params.new_item_ids, params.payment_method_id)
    return await details(ctx, order)


@tool(agent=AGENT, method="POST", path="/orders/{order_id}/return", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=RETURNABLE,
      examples=["I want to return the water bottle from order #W2611340",
                "return item 1008292230 of W4817420 and refund my gift card",
                "send back everything from my delivered order #W2378156"])
async def return_delivered_order_items(ctx: ToolContext, params: s.ReturnItemsIn) -> s.OrderDetails:
    """Request a return of items of a delivered order, refunded to the original method or a gift card."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    # The same RMA as after-sales' request_return: one implementation of eligibility and records.
    ask = returns.ReturnAsk(items=params.item_ids, reason=params.reason, resolution=ReturnResolution.REFUND,
                            method_id=params.payment_method_id)
    await returns.open_return(ctx, order, ask)
    return await details(ctx, order)


@tool(agent=AGENT, method="POST", path="/orders/{order_id}/exchange", roles=BUYER_ROLES,
      mutates=True, confirm=True, precondition=RETURNABLE,
      examples=["exchange the t-shirt from order #W2611340 for size L",
                "swap my delivered keyboard for the red switch one",
                "exchange item 1008292230 in W4817420 for 2768401027"])
async def exchange_delivered_order_items(ctx: ToolContext, params: s.ExchangeItemsIn) -> s.OrderDetails:
    """Request an exchange of delivered items for other options of the same products."""
    order = await service.get_visible_order(ctx, params.order_id, for_update=True)
    ask = returns.ReturnAsk(items=params.item_ids, reason=params.reason, resolution=ReturnResolution.EXCHANGE,
                            method_id=params.payment_method_id, new_items=params.new_item_ids)
    await returns.open_return(ctx, order, ask)
    return await details(ctx, order)
