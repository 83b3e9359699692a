"""Fake tools shaped like the registry's (pydantic inputs, metadata with examples) for the local model's tests."""

from datetime import date
from typing import Literal

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field

ORDER_ID = Field(
    pattern=r"^#?[Ww]?\d{5,9}$",
    description="Order number, e.g. #W2611340 (the # and W may be left out).",
    examples=["#W2611340"],
)


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderRef(Schema):
    order_id: str = ORDER_ID


class CancelIn(Schema):
    order_id: str = ORDER_ID
    reason: Literal["no longer needed", "ordered by mistake"] = Field(description="Why the customer cancels.")


class SearchIn(Schema):
    query: str = Field(min_length=1, max_length=200, description="Words to look for.", examples=["blue t-shirt"])
    limit: int = Field(10, ge=1, le=50, description="How many results at most.")


class FindByEmailIn(Schema):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="The customer's email address.")


class ModifyAddressIn(Schema):
    order_id: str = ORDER_ID
    address1: str = Field(min_length=1, description="Street and number.", examples=["12 Rue de Rivoli"])
    address2: str = Field("", description="Apartment, suite, floor.")
    city: str = Field(min_length=1, description="City.")
    state: str = Field("", description="State or region, if any.")
    country: str = Field(min_length=2, description="Country name or ISO code.")
    zip: str = Field(min_length=2, description="Postal code.")


class ExchangeIn(Schema):
    order_id: str = ORDER_ID
    item_ids: list[str] = Field(min_length=1, description="Item ids to give back.", examples=[["1008292230"]])
    new_item_ids: list[str] = Field(min_length=1, description="Item ids wanted instead, same order.")
    payment_method_id: str = Field(
        min_length=2, description="Saved payment method paying the difference.", examples=["gift_card_7245904"]
    )


class ReserveIn(Schema):
    item_ref: str = Field(min_length=1, description="Variant (item) id or SKU.", examples=["KB-CLICKY-01"])
    quantity: int = Field(ge=1, le=100, description="Units to hold.")


class ListOrdersIn(Schema):
    status: Literal["pending", "processed", "delivered", "cancelled"] | None = Field(
        None, description="Only this status."
    )
    placed_from: date | None = Field(None, description="Placed on or after this day.")
    placed_to: date | None = Field(None, description="Placed on or before this day.")
    limit: int = Field(20, ge=1, le=200, description="How many rows at most.")


class LogIn(Schema):
    customer_id: str | None = Field(
        None, description="Customer id or email; leave out for yourself.", examples=["noah_brown_6181"]
    )
    channel: Literal["email", "phone", "chat", "store"] = Field(description="Contact channel.")
    kind: Literal["question", "complaint", "note"] = Field(description="Kind of contact.")
    summary: str = Field(min_length=3, description="What was said or done.")


def make_tool(
    name: str,
    description: str,
    schema: type[BaseModel],
    examples: list[str],
    *,
    agent: str = "order",
    confirm: bool = False,
) -> StructuredTool:
    """A StructuredTool as the graph builds them from registry specs."""
    return StructuredTool.from_function(
        func=lambda **kwargs: "ok",
        name=name,
        description=description,
        args_schema=schema,
        metadata={"examples": examples, "agent": agent, "mutates": confirm, "confirm": confirm},
    )


def shop_tools() -> list[StructuredTool]:
    """Nine tools across orders, products, customers and stock."""
    return [
        make_tool(
            "get_order_details",
            "Get an order: status, items, parcels with tracking, payment history.",
            OrderRef,
            ["where is my order #W2378156?", "show order W2611340", "what's the status of order #W4817420"],
        ),
        make_tool(
            "cancel_pending_order",
            "Cancel a pending order (reason 'no longer needed' or 'ordered by mistake').",
            CancelIn,
            ["cancel my order #W2611340, I no longer need it", "I ordered #W4817420 by mistake, cancel it"],
            confirm=True,
        ),
        make_tool(
            "search_products",
            "Search products by words in name, brand, description or options.",
            SearchIn,
            ["do you sell blue t-shirts", "search for mechanical keyboard", "anything in leather"],
            agent="product",
        ),
        make_tool(
            "find_customer_by_email",
            "Find a customer's id from their email address.",
            FindByEmailIn,
            ["find the customer with email noah.brown7922@example.com", "my email is ava@example.com"],
            agent="customer",
        ),
        make_tool(
            "modify_pending_order_address",
            "Change the shipping address of a pending order.",
            ModifyAddressIn,
            [
                "ship my order #W2611340 to 10 Main Street, Denver CO 80202, USA instead",
                "change the delivery address of pending order W4817420",
            ],
            confirm=True,
        ),
        make_tool(
            "exchange_delivered_order_items",
            "Exchange delivered items for other options of the same products.",
            ExchangeIn,
            ["exchange the t-shirt from order #W2611340 for size L", "swap item 1008292230 in W4817420 for 2768401027"],
            confirm=True,
        ),
        make_tool(
            "reserve_stock",
            "Reserve units of an item (held from sale until released).",
            ReserveIn,
            ["reserve 2 units of KB-CLICKY-01", "hold 5 of item 1008292230 for a cart"],
            agent="inventory",
        ),
        make_tool(
            "list_orders",
            "List orders, newest first, filtered by status and date.",
            ListOrdersIn,
            ["list my orders", "show pending orders", "which orders were cancelled last week"],
        ),
        make_tool(
            "log_customer_interaction",
            "Log a contact with a customer (call, email, support case, note).",
            LogIn,
            ["log a phone call with noah_brown_6181 about a late parcel", "note that the customer emailed"],
            agent="customer",
        ),
    ]


class NoArgs(Schema):
    """Hand-off tools take no arguments."""


# A roster like the crew's: agent -> (routing description, requests that belong to it).
ROSTER = {
    "order": (
        "Orders: placing, tracking status, cancelling, changing address, items or payment of pending orders.",
        ["where is my order", "cancel my order", "change the shipping address of my order", "list my orders"],
    ),
    "product": (
        "The catalogue: products, variants, prices, options, categories and search.",
        ["do you sell blue t-shirts in size M", "how much is this keyboard", "what product types do you have"],
    ),
    "marketplace": (
        "Sales channels such as Amazon or eBay: connections, listings, offers, marketplace messages.",
        ["import our Amazon orders", "push stock to eBay", "unread marketplace messages"],
    ),
    "customer": (
        "Customer accounts: profile, addresses, loyalty tier and points, account erasure.",
        ["update my phone number", "how many loyalty points do I have", "delete my account"],
    ),
    "inventory": (
        "Stock: levels per warehouse, availability, reservations, movements, low-stock report.",
        ["is this item in stock", "low stock report", "record a stock adjustment"],
    ),
    "transport": (
        "Carriers and shipments: shipping rates, carrier choice, tracking numbers and events.",
        ["how much is shipping to Germany", "track my parcel", "which carrier is cheapest for 2 kg"],
    ),
    "payment": (
        "Payments: saved payment methods, gift cards, charges, refunds, transactions.",
        ["add a new card", "what's my gift card balance", "refund this transaction"],
    ),
    "warehouse": (
        "Warehouses: sites, capacity and utilisation, performance, picking and packing.",
        ["how full is the Paris warehouse", "warehouse performance this month"],
    ),
    "monitoring": (
        "The crew itself: system overview, agent health, alerts, recent tool calls.",
        ["system health", "which agents are failing", "show open system alerts"],
    ),
    "documents": (
        "Paperwork: invoices, credit notes, packing slips and shipping labels.",
        ["send me the invoice for my order", "print a shipping label", "issue a credit note"],
    ),
    "fraud": (
        "Fraud screening: fraud scores, blocklist, releasing or rejecting orders on hold.",
        ["is this order fraudulent", "block this email address", "release the order on hold"],
    ),
    "risk": (
        "Business risk: anomalies in orders, refunds and payment failures, risk alerts.",
        ["any anomalies in refunds this week", "risk assessment", "acknowledge the risk alert"],
    ),
    "knowledge": (
        "Shop policies and procedures: returns policy, shipping times, warranty, payment options.",
        ["what is your return policy", "how long does delivery take", "how do gift cards work"],
    ),
    "after_sales": (
        "Returns and service after delivery: RMAs, exchanges, satisfaction surveys, warranty claims.",
        ["status of my RMA", "file a warranty claim for my headphones", "rate my experience"],
    ),
    "backoffice": (
        "Administration: staff users, system configuration, sales reports, dashboard metrics.",
        ["sales report for October", "create a staff user", "show the dashboard"],
    ),
    "quality": (
        "Quality control: inspections, defects, product quality metrics, supplier ratings.",
        ["schedule a receiving inspection for SKU KB-CLICKY-01", "supplier quality rating"],
    ),
}


def handoff_tools() -> list[StructuredTool]:
    """One transfer_to_<agent> tool per agent of the roster, as the router binds them."""
    return [
        StructuredTool.from_function(
            func=lambda: "ok",
            name=f"transfer_to_{name}",
            description=description,
            args_schema=NoArgs,
            metadata={"agent": name, "examples": examples},
        )
        for name, (description, examples) in ROSTER.items()
    ]
