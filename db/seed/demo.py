"""The deterministic demo shop: the same ids, names, amounts and relative dates on every run."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import OrderStatus, ShipmentStatus
from db.models import Order, Product, ProductVariant
from db.seed.after_sales import add_after_sales
from db.seed.base import Rows, today_midnight
from db.seed.carriers import add_carriers
from db.seed.catalog import add_catalog
from db.seed.documents import add_documents
from db.seed.fraud_risk import add_fraud_and_risk
from db.seed.fulfilment import request_exchange, request_return, reserve, screen, ship
from db.seed.keys import add_api_keys
from db.seed.marketplace import add_marketplace
from db.seed.monitoring import add_system_alerts
from db.seed.orders import Shop, basket, cancel, place, placed_at, plan
from db.seed.people import NAMED, add_customers, add_staff, set_loyalty
from db.seed.quality import add_quality
from db.seed.stock import Stock

RANDOM_SEED = 20_260_611
CUSTOMERS = 60
S, SS = OrderStatus, ShipmentStatus
DELIVERED_LIKE = {S.DELIVERED, S.RETURN_REQUESTED, S.EXCHANGE_REQUESTED}


@dataclass
class Demo:
    """The demo shop's rows and the raw API keys issued in it, as (principal, key)."""

    rows: Rows
    keys: list[tuple[str, str]]
    anchor: datetime
    # Files the sandbox marketplace channel serves, by feed name then file name (written by `shopcrew seed`).
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_demo(anchor: datetime | None = None) -> Demo:
    """Generate the demo shop in memory; dates are offsets back from `anchor` (default: today 00:00 UTC)."""
    anchor = anchor or today_midnight()
    rng, rows = random.Random(RANDOM_SEED), Rows()
    add_carriers(rows)
    add_catalog(rows, rng, anchor)
    customers = add_customers(rows, rng, anchor, extra=CUSTOMERS - len(NAMED))
    staff = add_staff(rows, anchor)
    keys = add_api_keys(rows, staff, customers[:len(NAMED)], anchor)
    stock = Stock(rows, rng, anchor, rows.of(ProductVariant))
    shop = Shop.from_rows(rows, rng, anchor, stock, {p["id"]: p["name"] for p in rows.of(Product)})
    for customer, status, named in plan(rng, customers, len(NAMED)):
        _add_order(shop, customer, status, named)
    stock.add_opening_receipts()
    _set_loyalty(rows, customers)
    add_documents(rows, anchor)
    add_quality(rows, anchor)
    add_fraud_and_risk(rows, anchor)
    add_after_sales(rows, anchor)
    # Fixtures added after the shop is built, with their own randomness, so everything above stays the same.
    add_system_alerts(rows, anchor)
    feeds = add_marketplace(rows, anchor)
    return Demo(rows, keys, anchor, feeds)


def _reservable(shop: Shop, start: int) -> tuple[list, int]:
    # Re-draw the basket until one warehouse can hold all of it (some variants are out of stock).
    for _ in range(100):
        items = basket(shop)
        warehouse_id = shop.stock.reserve(items, start)
        if warehouse_id is not None:
            return items, warehouse_id
    raise RuntimeError("demo stock too low to place an order")


def _add_order(shop: Shop, customer: dict[str, Any], status: S, named: int) -> None:
    rng = shop.rng
    # Half the processed orders have left the warehouse; named customers alternate, starting with packed.
    leaves = rng.random() < 0.5 if named < 0 else named % 2 == 1
    shipped = status in DELIVERED_LIKE or (status == S.PROCESSED and leaves)
    age = (rng.randint(2, 10) if shipped else rng.randint(1, 3)) if status == S.PROCESSED else None
    if status == S.DELIVERED and named >= 0:
        age = rng.randint(8, 20)  # inside the 30-day return window, so docs' delivered orders can be returned
    start = rng.choices([0, 1, 2], weights=[70, 20, 10])[0]
    holds = status in (S.PENDING, S.ON_HOLD) or (status == S.PROCESSED and not shipped)
    if holds:
        items, warehouse_id = _reservable(shop, start)
    else:
        items, warehouse_id = basket(shop), shop.stock.warehouses[start]["id"]
    placed = place(shop, customer, status, placed_at(shop, status, age), items)
    screen(shop, placed, hold=status == S.ON_HOLD)
    warehouse = next(w for w in shop.stock.warehouses if w["id"] == warehouse_id)
    if status == S.CANCELLED:
        cancel(shop, placed)
    elif holds:
        reserve(shop, placed, warehouse_id)
        if status == S.PROCESSED:
            ship(shop, placed, warehouse, SS.PACKED)
    elif status == S.PROCESSED:
        ship(shop, placed, warehouse, rng.choice([SS.SHIPPED, SS.IN_TRANSIT, SS.IN_TRANSIT, SS.OUT_FOR_DELIVERY]))
    else:
        delivered = ship(shop, placed, warehouse, SS.DELIVERED)
        at = min(delivered + timedelta(days=rng.randint(1, 4)), shop.anchor - timedelta(minutes=30))
        if status == S.RETURN_REQUESTED:
            request_return(shop, placed, at)
        elif status == S.EXCHANGE_REQUESTED:
            request_exchange(shop, placed, at)


def _set_loyalty(rows: Rows, customers: list[dict[str, Any]]) -> None:
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for order in rows.of(Order):
        if order["status"] in DELIVERED_LIKE:
            spent[order["customer_id"]] += order["total"]
    for customer in customers:
        set_loyalty(customer, spent[customer["id"]])
