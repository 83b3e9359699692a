"""Demo orders: lines, totals and payments, spread over every status and the last 120 days."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from db.enums import (
    OrderChannel,
    OrderStatus,
    PaymentMethodKind,
    PaymentStatus,
    TransactionKind,
    TransactionResult,
)
from db.models import Address, Order, OrderLine, Payment, PaymentMethod, PaymentTransaction, ProductVariant
from db.seed.base import Rows, ago, stable_uuid
from db.seed.stock import Stock
from tools.transport.reference import reference_rate as rate
from tools.transport.reference import zone_of

S = OrderStatus
STATUS_COUNTS = {S.DELIVERED: 120, S.PENDING: 55, S.PROCESSED: 45, S.CANCELLED: 35, S.RETURN_REQUESTED: 18,
                 S.EXCHANGE_REQUESTED: 15, S.ON_HOLD: 12}
# Orders of the named demo customers (people.NAMED, same order), so docs can cite them per status.
NAMED_PLAN = [
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.DELIVERED, S.CANCELLED, S.RETURN_REQUESTED],
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.CANCELLED, S.EXCHANGE_REQUESTED],
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.CANCELLED, S.ON_HOLD],
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.DELIVERED, S.CANCELLED],
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.RETURN_REQUESTED, S.CANCELLED],
    [S.PENDING, S.PROCESSED, S.DELIVERED, S.EXCHANGE_REQUESTED, S.CANCELLED],
]
# How many days back an order in each status may have been placed.
AGE_DAYS = {S.PENDING: (0, 6), S.ON_HOLD: (0, 4), S.PROCESSED: (1, 10), S.DELIVERED: (8, 119),
            S.RETURN_REQUESTED: (10, 28), S.EXCHANGE_REQUESTED: (10, 28), S.CANCELLED: (1, 119)}
CARRIERS_BY_ZONE = {"domestic": ["colissimo", "colissimo", "chronopost", "dpd", "colis_prive"],
                    "eu": ["dpd", "ups", "colissimo", "fedex"], "world": ["ups", "fedex", "colissimo"]}
MAX_PARCEL_KG = 30
CANCEL_REASONS = ["no longer needed", "ordered by mistake"]


@dataclass
class Shop:
    """What order generation draws from: the catalogue, customers' addresses and methods, and stock."""

    rows: Rows
    rng: random.Random
    anchor: datetime
    stock: Stock
    variants: list[dict[str, Any]] = field(default_factory=list)
    by_product: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    addresses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    methods: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Rows, rng: random.Random, anchor: datetime, stock: Stock,
                  names: dict[str, str]) -> "Shop":
        """Index the queued catalogue and customers."""
        shop = cls(rows, rng, anchor, stock, names=names)
        shop.variants = [v for v in rows.of(ProductVariant) if v["available"]]
        shop.by_product = defaultdict(list)
        for v in rows.of(ProductVariant):
            shop.by_product[v["product_id"]].append(v)
        shop.addresses, shop.methods = defaultdict(list), defaultdict(list)
        for a in rows.of(Address):
            shop.addresses[a["customer_id"]].append({k: a[k] for k in ADDRESS_KEYS})
        for m in rows.of(PaymentMethod):
            shop.methods[m["customer_id"]].append(m)
        return shop


ADDRESS_KEYS = ("address1", "address2", "city", "state", "country", "zip")


@dataclass
class Placed:
    """An order being generated: its row, lines, items, chosen carrier and payment method."""

    order: dict[str, Any]
    lines: list[dict[str, Any]]
    items: list[tuple[dict[str, Any], int]]
    carrier: str
    transit_days: int
    method: dict[str, Any]
    payment: dict[str, Any]
    weight: Decimal


def plan(rng: random.Random, customers: list[dict[str, Any]], named: int) -> list[tuple[dict[str, Any], S, int]]:
    """(customer, status, index among the named customers or -1) for every order: the named customers'
    fixed plans first, then the remaining statuses for the other customers at random."""
    planned = [(customers[i], status, i) for i, statuses in enumerate(NAMED_PLAN[:named]) for status in statuses]
    left = Counter(STATUS_COUNTS) - Counter(status for _, status, _ in planned)
    statuses = [status for status, count in sorted(left.items()) for _ in range(count)]
    rng.shuffle(statuses)
    others = customers[named:]
    # A few regulars order often, most people once or twice.
    weights = [rng.choice([1, 1, 1, 2, 3, 6]) for _ in others]
    buyers = rng.choices(others, weights, k=len(statuses))
    return planned + [(c, status, -1) for c, status in zip(buyers, statuses, strict=True)]


def basket(shop: Shop) -> list[tuple[dict[str, Any], int]]:
    """One to four random available variants with quantities (mostly one each), one parcel's weight at most."""
    while True:
        count = shop.rng.choices([1, 2, 3, 4], weights=[45, 30, 17, 8])[0]
        picked = shop.rng.sample(shop.variants, count)
        items = [(v, shop.rng.choices([1, 2, 3], weights=[82, 14, 4])[0]) for v in picked]
        if sum(v["weight_kg"] * q for v, q in items) <= MAX_PARCEL_KG:
            return items


def _method(shop: Shop, customer_id: str, total: Decimal) -> dict[str, Any]:
    methods = shop.methods[customer_id]
    usable = [m for m in methods if m["kind"] != PaymentMethodKind.GIFT_CARD or m["balance"] >= total]
    return shop.rng.choice(usable or methods)


def place(shop: Shop, customer: dict[str, Any], status: S, placed_at: datetime,
          items: list[tuple[dict[str, Any], int]]) -> Placed:
    """Queue an order with its lines and payment (sale, plus the refund of a cancelled order)."""
    rng, rows = shop.rng, shop.rows
    address = shop.addresses[customer["id"]][0] if rng.random() < 0.85 else rng.choice(shop.addresses[customer["id"]])
    zone = zone_of(address["country"])
    weight = sum((v["weight_kg"] * q for v, q in items), Decimal("0"))
    carrier = rng.choice([c for c in CARRIERS_BY_ZONE[zone] if rate(c, zone, weight)])
    shipping, transit = rate(carrier, zone, weight)
    subtotal = sum((v["price"] * q for v, q in items), Decimal("0"))
    order_id = rows.fresh(lambda: f"#W{rng.randint(1_000_000, 9_999_999)}")
    order = rows.add(
        Order, id=order_id, customer_id=customer["id"], status=status, items_modified=False,
        channel=OrderChannel.STAFF if rng.random() < 0.08 else OrderChannel.WEB, currency="EUR",
        subtotal=subtotal, shipping_cost=shipping, carrier_code=carrier, total=subtotal + shipping,
        shipping_address=address,
        billing_address=dict(address), cancel_reason=None, client_ip=f"203.0.113.{rng.randint(1, 254)}",
        placed_at=placed_at, created_at=placed_at, updated_at=placed_at, delivered_at=None,
    )
    lines = [rows.add(OrderLine, id=rows.next_id(OrderLine), order_id=order_id, position=i,
                      product_id=v["product_id"], variant_id=v["id"], sku=v["sku"], name=shop.names[v["product_id"]],
                      options=v["options"], unit_price=v["price"], quantity=q, quantity_allocated=0,
                      quantity_shipped=0, quantity_returned=0)
             for i, (v, q) in enumerate(items)]
    method = _method(shop, customer["id"], order["total"])
    return Placed(order, lines, items, carrier, transit, method, _pay(shop, order, method), weight)


def _pay(shop: Shop, order: dict[str, Any], method: dict[str, Any]) -> dict[str, Any]:
    rows, total = shop.rows, order["total"]
    payment_id = stable_uuid("payment", order["id"])
    payment = rows.add(Payment, id=payment_id, order_id=order["id"], method_id=method["id"], gateway="sandbox",
             status=PaymentStatus.CAPTURED, currency="EUR", amount_authorized=total, amount_captured=total,
             amount_refunded=Decimal("0"), created_at=order["placed_at"], updated_at=order["placed_at"])
    transaction(shop, order, payment_id, method["id"], TransactionKind.SALE, total, order["placed_at"])
    return payment


def transaction(shop: Shop, order: dict[str, Any], payment_id: str, method_id: str, kind: TransactionKind,
                amount: Decimal, at: datetime, reason: str = "") -> None:
    """Queue one successful gateway transaction."""
    rows = shop.rows
    rows.add(PaymentTransaction, id=rows.next_id(PaymentTransaction), payment_id=payment_id, order_id=order["id"],
             method_id=method_id, kind=kind, result=TransactionResult.SUCCESS, amount=amount, currency="EUR",
             gateway_reference=f"sbx_{shop.rng.getrandbits(48):012x}", idempotency_key=None, reason=reason,
             created_at=at)


def cancel(shop: Shop, placed: Placed) -> None:
    """Cancel the order a few hours after it was placed and refund it in full."""
    order = placed.order
    at = order["placed_at"] + timedelta(hours=shop.rng.randint(1, 20))
    order.update(status=S.CANCELLED, cancel_reason=shop.rng.choice(CANCEL_REASONS), updated_at=at)
    payment = placed.payment
    payment.update(status=PaymentStatus.REFUNDED, amount_refunded=order["total"], updated_at=at)
    transaction(shop, order, payment["id"], placed.method["id"], TransactionKind.REFUND, order["total"], at,
                reason=order["cancel_reason"])


def placed_at(shop: Shop, status: S, age: int | None = None) -> datetime:
    """A placement time `age` days (random within the status's range) before the anchor."""
    low, high = AGE_DAYS[status]
    return ago(shop.anchor, days=shop.rng.randint(low, high) if age is None else age,
               seconds=shop.rng.randint(600, 86_000))
