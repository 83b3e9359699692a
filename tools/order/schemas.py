"""Inputs and outputs of the order tools."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from db.enums import OrderStatus, ReturnReason
from tools.schemas import Address, Money, OrderId, Page, Schema


def item_ids_field(description: str):
    """A list of item ids (variant ids), one entry per unit."""
    examples = [["1008292230", "4624254797"]]
    return Field(min_length=1, max_length=50, description=description, examples=examples)


def method_field(description: str = "Id of one of the customer's saved payment methods.", optional: bool = False):
    """A payment method id of the customer (left out: None, where the tool has a default)."""
    return Field(None if optional else ..., min_length=2, max_length=64, description=description,
                 examples=["gift_card_7245904"])


OLD_ITEMS = "Item ids (variant ids) of the order's items, one per unit; repeat an id to name two units."
NEW_ITEMS = "The replacement item ids, paired with item_ids in order (same product, other options)."


class LineIn(Schema):
    item: str = Field(
        min_length=1, max_length=64, description="Item id (variant id) or SKU.", examples=["KB-RED-01"]
    )
    quantity: int = Field(1, ge=1, le=100, description="How many units.")


class PlaceOrderIn(Schema):
    customer_id: str | None = Field(
        None, min_length=2, max_length=255, examples=["noah_brown_6181"],
        description="Customer id, email or full name (staff ordering for a customer); customers leave it out.",
    )
    lines: list[LineIn] = Field(min_length=1, max_length=50, description="What to order.")
    payment_method_id: str = method_field()
    shipping_address: Address | None = Field(None, description="Where to ship; default address if left out.")
    billing_address: Address | None = Field(None, description="Billing address, if different.")


class ListOrdersIn(Page):
    customer_id: str | None = Field(
        None, min_length=2, max_length=255, examples=["me", "noah_brown_6181"],
        description="Customer id, email or full name (staff); customers see theirs (or say 'me').",
    )
    status: OrderStatus | None = Field(None, description="Only orders in this status.")
    placed_from: date | None = Field(None, description="Placed on or after this day (UTC).")
    placed_to: date | None = Field(None, description="Placed on or before this day (UTC).")


class UpdateStatusIn(Schema):
    order_id: OrderId
    status: Literal["pending", "on_hold", "processed", "delivered", "cancelled"] = Field(
        description="The new status; allowed moves follow the order state machine.",
    )
    reason: str | None = Field(None, min_length=2, max_length=100, description="Why (required to cancel).")


class AddNoteIn(Schema):
    order_id: OrderId
    body: str = Field(
        min_length=1, max_length=2000, description="The note.", examples=["Called: leave at the door"]
    )


class AnalyticsIn(Schema):
    days: int = Field(30, ge=1, le=366, description="How many days back from now.")


class CancelIn(Schema):
    order_id: OrderId
    reason: Literal["no longer needed", "ordered by mistake"] = Field(
        description="Why the customer cancels: 'no longer needed' or 'ordered by mistake'.",
    )


class ModifyAddressIn(Address):
    order_id: OrderId


class ModifyPaymentIn(Schema):
    order_id: OrderId
    payment_method_id: str = method_field()


class ModifyItemsIn(Schema):
    order_id: OrderId
    item_ids: list[str] = item_ids_field(OLD_ITEMS)
    new_item_ids: list[str] = item_ids_field(NEW_ITEMS)
    payment_method_id: str = method_field()


class ReturnItemsIn(Schema):
    order_id: OrderId
    item_ids: list[str] = item_ids_field(OLD_ITEMS)
    # Optional as in after-sales' request_return: both open the same RMA, which refunds the original by default.
    payment_method_id: str | None = method_field(
        "Refund to: the order's original method (default) or one of the customer's gift cards.", optional=True)
    reason: ReturnReason = Field(ReturnReason.OTHER, description="Why the items come back.")


class ExchangeItemsIn(ModifyItemsIn):
    reason: ReturnReason = Field(ReturnReason.OTHER, description="Why the items are exchanged.")


class OrderItemOut(Schema):
    item_id: str = Field(description="Item id (variant id).")
    product_id: str = Field(description="Product id.")
    name: str = Field(description="Product name when ordered.")
    sku: str = Field(description="SKU when ordered.")
    options: dict[str, Any] = Field(description="Options of the variant, e.g. colour and size.")
    price: Money = Field(description="Unit price.")
    quantity: int = Field(description="Units ordered.")


class FulfillmentOut(Schema):
    tracking_numbers: list[str] = Field(description="Tracking numbers of the parcel.")
    item_ids: list[str] = Field(description="Item ids in the parcel.")
    status: str = Field(description="Shipment status.")


class PaymentEntryOut(Schema):
    transaction_type: Literal["payment", "refund"] = Field(description="payment or refund.")
    amount: Money = Field(description="Amount moved.")
    payment_method_id: str = Field(description="Payment method used.")


class NoteOut(Schema):
    author: str = Field(description="Who wrote it.")
    body: str = Field(description="The note.")
    created_at: datetime = Field(description="When.")


class OrderDetails(Schema):
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    status: OrderStatus = Field(description="Order status.")
    status_label: str = Field(description="Status in words, e.g. 'pending (item modified)' or 'delivered (return "
                                          "window closed)'.")
    items_modified: bool = Field(description="True once the items of the pending order were changed.")
    shipping_address: dict[str, Any] = Field(description="Shipping address.")
    items: list[OrderItemOut] = Field(description="Ordered items.")
    fulfillments: list[FulfillmentOut] = Field(description="Parcels sent, with tracking numbers.")
    payment_history: list[PaymentEntryOut] = Field(description="Payments and refunds, oldest first.")
    subtotal: Money = Field(description="Sum of the items.")
    shipping_cost: Money = Field(description="Shipping charged (0 when it ships free).")
    carrier: str | None = Field(None, description="Code of the carrier chosen for the order, e.g. colissimo.")
    total: Money = Field(description="What the order costs.")
    currency: str = Field(description="Currency code.")
    placed_at: datetime = Field(description="When the order was placed.")
    delivered_at: datetime | None = Field(None, description="When the order was delivered, if it was.")
    cancel_reason: str | None = Field(None, description="Why it was cancelled.")
    rma_number: str | None = Field(None, description="Return authorisation number of the latest return.")
    return_items: list[str] | None = Field(None, description="Item ids of the latest return.")
    return_payment_method_id: str | None = Field(None, description="Where the return will be refunded.")
    return_refund_amount: Money | None = Field(None, description="What the latest return refunds once its items are "
                                                                 "back (its label cost taken off).")
    exchange_items: list[str] | None = Field(None, description="Item ids given back in the latest exchange.")
    exchange_new_items: list[str] | None = Field(None, description="Item ids sent in exchange, same order.")
    exchange_payment_method_id: str | None = Field(None, description="Pays or gets the difference.")
    exchange_price_difference: Money | None = Field(None, description="New minus old; > 0: customer pays.")
    notes: list[NoteOut] = Field(default_factory=list, description="Staff notes (staff only).")


class OrderSummary(Schema):
    order_id: str = Field(description="Order number.")
    customer_id: str = Field(description="Customer id.")
    status: OrderStatus = Field(description="Order status.")
    items_modified: bool = Field(description="True once the items were changed.")
    item_count: int = Field(description="Units ordered.")
    item_names: list[str] = Field(
        description="What was ordered: each line's product name with its options in brackets, in line order.")
    total: Money = Field(description="Order total.")
    placed_at: datetime = Field(description="When it was placed.")
    delivered_at: datetime | None = Field(None, description="When it was delivered, if it was.")


class OrderList(Schema):
    orders: list[OrderSummary] = Field(description="Orders, newest first.")
    total: int = Field(description="How many orders match in all.")


class StatusFigure(Schema):
    status: OrderStatus = Field(description="Order status.")
    count: int = Field(description="Orders in this status.")
    value: Money = Field(description="Sum of their totals.")


class DayFigure(Schema):
    day: date = Field(description="Day (UTC).")
    count: int = Field(description="Orders placed that day.")
    revenue: Money = Field(description="Totals of that day's orders that were not cancelled.")


class OrderAnalytics(Schema):
    days: int = Field(description="Window length in days.")
    since: datetime = Field(description="Start of the window.")
    order_count: int = Field(description="Orders placed in the window.")
    revenue: Money = Field(description="Totals of the orders not cancelled.")
    average_order_value: Money = Field(description="Revenue per order not cancelled.")
    cancellation_rate: float = Field(description="Share of the orders that were cancelled (0-1).")
    by_status: list[StatusFigure] = Field(description="Count and value per status.")
    by_day: list[DayFigure] = Field(description="Count and revenue per day, oldest first.")
