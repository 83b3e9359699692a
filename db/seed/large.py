"""The large shop for benchmarks: the demo shop plus thousands of customers and 100,000+ past orders.

The extra orders are history (placed 121 to 850 days ago, delivered or cancelled), so the demo's last
120 days, its stock allocations and its named fixtures stay exactly as in the small shop.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.enums import (
    LoyaltyTier,
    OrderChannel,
    OrderStatus,
    PaymentMethodKind,
    PaymentStatus,
    TransactionKind,
    TransactionResult,
)
from db.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    Product,
    ProductVariant,
)
from db.seed.base import Progress, Rows, ago, first_ids_after_existing, quiet, stable_uuid, write
from db.seed.demo import Demo
from db.seed.people import FIRST, LAST, NAMED, ascii_slug, random_address, set_loyalty
from tools.transport.reference import reference_rate as rate
from tools.transport.reference import zone_of

LARGE_ORDERS = 100_000
LARGE_CUSTOMERS = 5_000
BATCH = 5_000
RANDOM_SEED = 1_000_003
# Lines per order, weighted like the demo's baskets (a list is much cheaper to draw from than choices()).
LINE_COUNTS = [1] * 45 + [2] * 30 + [3] * 17 + [4] * 8


def add_large_shop(session: Session, demo: Demo, orders: int = LARGE_ORDERS, progress: Progress = quiet,
                   customers: int = LARGE_CUSTOMERS) -> None:
    """Add customers and `orders` historical orders (lines, payments, transactions) in bulk batches."""
    rng = random.Random(RANDOM_SEED)
    rows = Rows(first_ids_after_existing(session, (Address, OrderLine, PaymentTransaction)))
    rows.taken.update(c["id"] for c in demo.rows.of(Customer))
    rows.taken.update(m["id"] for m in demo.rows.of(PaymentMethod))
    rows.taken.update(o["id"] for o in demo.rows.of(Order))
    buyers = _customers(rows, rng, demo, customers)
    write(session, rows, progress, "customers")
    rows.clear()
    catalogue = _catalogue(demo)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for start in range(0, orders, BATCH):
        for _ in range(min(BATCH, orders - start)):
            buyer = rng.choice(buyers)
            order = _order(rows, rng, demo.anchor, buyer, catalogue)
            if order["status"] == OrderStatus.DELIVERED:
                spent[buyer["customer"]["id"]] += order["total"]
        write(session, rows)
        rows.clear()
        progress("orders", min(start + BATCH, orders), orders)
    _update_loyalty(session, buyers, spent, demo)


def _customers(rows: Rows, rng: random.Random, demo: Demo, count: int) -> list[dict[str, Any]]:
    # Demo customers other than the named ones buy too; the named ones keep exactly their documented orders.
    named = {c["id"] for c in demo.rows.of(Customer)[:len(NAMED)]}
    methods = {m["customer_id"]: m for m in demo.rows.of(PaymentMethod) if m["kind"] != PaymentMethodKind.GIFT_CARD}
    homes = {a["customer_id"]: a for a in demo.rows.of(Address) if a["is_default"]}
    buyers = [{"customer": c, "method": methods[c["id"]], "address": _plain(homes[c["id"]])}
              for c in demo.rows.of(Customer) if c["id"] not in named]
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{ascii_slug(first)}_{ascii_slug(last)}"
        created = ago(demo.anchor, days=rng.randint(860, 1500))
        customer = rows.add(
            Customer, id=rows.fresh(lambda s=slug: f"{s}_{rng.randint(1000, 9999)}"),
            email=f"{slug.replace('_', '.')}.{n}@example.net", first_name=first, last_name=last,
            phone=None, loyalty_points=0, loyalty_tier=LoyaltyTier.BRONZE, erased_at=None,
            created_at=created, updated_at=created,
        )
        address = random_address(rng, rng.choices(["FR", "EU", "US"], weights=[60, 28, 12])[0])
        rows.add(Address, id=rows.next_id(Address), customer_id=customer["id"], is_default=True, **address)
        kind = rng.choice([PaymentMethodKind.CREDIT_CARD, PaymentMethodKind.PAYPAL])
        card = kind == PaymentMethodKind.CREDIT_CARD
        method = rows.add(PaymentMethod, id=rows.fresh(lambda k=kind: f"{k}_{rng.randint(1_000_000, 9_999_999)}"),
                          customer_id=customer["id"], kind=kind, brand="visa" if card else None,
                          last_four=f"{rng.randint(0, 9999):04d}" if card else None,
                          paypal_email=None if card else customer["email"], balance=None, active=True,
                          created_at=created, updated_at=created)
        buyers.append({"customer": customer, "method": method, "address": address})
    return buyers


def _plain(address: dict[str, Any]) -> dict[str, Any]:
    return {k: address[k] for k in ("address1", "address2", "city", "state", "country", "zip")}


def _catalogue(demo: Demo) -> list[tuple[dict[str, Any], str]]:
    names = {p["id"]: p["name"] for p in demo.rows.of(Product)}
    return [(v, names[v["product_id"]]) for v in demo.rows.of(ProductVariant) if v["available"]]


def _order(rows: Rows, rng: random.Random, anchor: datetime, buyer: dict[str, Any],
           catalogue: list[tuple[dict[str, Any], str]]) -> dict[str, Any]:
    placed = ago(anchor, days=rng.randint(121, 850), seconds=rng.randint(0, 86_399))
    order_id = rows.fresh(lambda: f"#W{rng.randint(1_000_000, 9_999_999)}")
    picked = rng.sample(catalogue, rng.choice(LINE_COUNTS))
    items = [(v, name, 1 if rng.random() < 0.85 else 2) for v, name in picked]
    subtotal = sum((v["price"] * q for v, _, q in items), Decimal("0"))
    weight = min(sum((v["weight_kg"] * q for v, _, q in items), Decimal("0")), Decimal("30"))
    shipping = rate("colissimo", zone_of(buyer["address"]["country"]), weight)[0]
    status = OrderStatus.DELIVERED if rng.random() < 0.9 else OrderStatus.CANCELLED
    cancelled = status == OrderStatus.CANCELLED
    order = rows.add(
        Order, id=order_id, customer_id=buyer["customer"]["id"], status=status, items_modified=False,
        channel=OrderChannel.WEB, currency="EUR", subtotal=subtotal, shipping_cost=shipping,
        carrier_code="colissimo", total=subtotal + shipping, shipping_address=buyer["address"],
        billing_address=buyer["address"],
        cancel_reason="no longer needed" if cancelled else None, client_ip=f"198.51.100.{rng.randint(1, 254)}",
        placed_at=placed, created_at=placed, updated_at=placed + timedelta(days=4),
        delivered_at=None if cancelled else placed + timedelta(days=4),
    )
    for position, (v, name, quantity) in enumerate(items):
        rows.add(OrderLine, id=rows.next_id(OrderLine), order_id=order_id, position=position,
                 product_id=v["product_id"], variant_id=v["id"], sku=v["sku"], name=name, options=v["options"],
                 unit_price=v["price"], quantity=quantity, quantity_allocated=0 if cancelled else quantity,
                 quantity_shipped=0 if cancelled else quantity, quantity_returned=0)
    _pay(rows, rng, order, buyer["method"]["id"], cancelled)
    return order


def _pay(rows: Rows, rng: random.Random, order: dict[str, Any], method_id: str, refunded: bool) -> None:
    total, payment_id = order["total"], stable_uuid("payment", order["id"])
    rows.add(Payment, id=payment_id, order_id=order["id"], method_id=method_id, gateway="sandbox",
             status=PaymentStatus.REFUNDED if refunded else PaymentStatus.CAPTURED, currency="EUR",
             amount_authorized=total, amount_captured=total, amount_refunded=total if refunded else Decimal("0"),
             created_at=order["placed_at"], updated_at=order["updated_at"])
    kinds = [TransactionKind.SALE, TransactionKind.REFUND] if refunded else [TransactionKind.SALE]
    for hours, kind in enumerate(kinds):
        rows.add(PaymentTransaction, id=rows.next_id(PaymentTransaction), payment_id=payment_id,
                 order_id=order["id"], method_id=method_id, kind=kind, result=TransactionResult.SUCCESS,
                 amount=total, currency="EUR", gateway_reference=f"sbx_{rng.getrandbits(48):012x}",
                 idempotency_key=None, reason=order["cancel_reason"] or "",
                 created_at=order["placed_at"] + timedelta(hours=hours * 5))


def _update_loyalty(session: Session, buyers: list[dict[str, Any]], spent: dict[str, Decimal], demo: Demo) -> None:
    # Demo customers keep the points of their recent orders and add those of their history.
    recent = {c["id"]: Decimal(c["loyalty_points"]) for c in demo.rows.of(Customer)}
    changes = []
    for buyer in buyers:
        customer = dict(buyer["customer"])
        set_loyalty(customer, spent[customer["id"]] + recent.get(customer["id"], Decimal("0")))
        changes.append({k: customer[k] for k in ("id", "loyalty_points", "loyalty_tier")})
    session.execute(update(Customer), changes)
