"""The retail benchmark's db.json in our schema, and back: import it, and rebuild its JSON shape from rows.

Mapping (lossless for db.json): user -> Customer (same id) + default Address + PaymentMethods (same ids,
kind = source); product -> Product (same id) + ProductVariants (id = item_id, sku TAU-<item_id>, not
stock-tracked); order -> Order (same id) + one OrderLine per item (quantity 1) + one Shipment per
fulfillment + one Payment per (order, method) with a PaymentTransaction per payment_history entry
(payment -> sale, refund -> refund), in order. The benchmark's status "pending (item modified)" is
pending with items_modified set.
"""

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import (
    LoyaltyTier,
    OrderChannel,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
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
    Shipment,
)
from db.seed.base import Progress, Rows, ago, quiet, stable_uuid, today_midnight, write
from db.seed.keys import add_api_keys
from db.seed.people import add_staff

CURRENCY = "USD"
ITEM_MODIFIED = "pending (item modified)"
TAU_STATUS = {status: status.value.replace("_", " ") for status in OrderStatus}
FROM_TAU_STATUS = {text: status for status, text in TAU_STATUS.items()}
MONEY_KINDS = {TransactionKind.SALE: "payment", TransactionKind.CAPTURE: "payment", TransactionKind.REFUND: "refund"}
ADDRESS_KEYS = ("address1", "address2", "city", "country", "state", "zip")


def _dec(value: float) -> Decimal:
    # str() of a JSON float is its shortest exact decimal form, e.g. 536.65 -> Decimal("536.65").
    return Decimal(str(value))


def import_tau(session: Session, path: Path, progress: Progress = quiet) -> None:
    """Write the benchmark's users, products and orders (plus the demo staff users and their keys)."""
    data = json.loads(Path(path).read_text())
    write(session, tau_rows(data), progress, "retail benchmark")


def tau_rows(data: dict[str, Any], anchor: datetime | None = None) -> Rows:
    """Every row the benchmark's data becomes; dates are recent, in the source's order."""
    anchor, rows = anchor or today_midnight(), Rows()
    for i, user in enumerate(data["users"].values()):
        _add_user(rows, user, ago(anchor, days=90, seconds=-i * 60))
    for i, product in enumerate(data["products"].values()):
        _add_product(rows, product, ago(anchor, days=120, seconds=-i))
    # Orders four to six days old (delivered ones well inside any return window), in the source's order.
    for i, order in enumerate(data["orders"].values()):
        _add_order(rows, order, ago(anchor, days=6, seconds=-i * 180))
    staff = add_staff(rows, anchor)
    add_api_keys(rows, staff, [], anchor)
    return rows


def _add_user(rows: Rows, user: dict[str, Any], created: datetime) -> None:
    rows.add(Customer, id=user["user_id"], email=user["email"], first_name=user["name"]["first_name"],
             last_name=user["name"]["last_name"], phone=None, loyalty_points=0, loyalty_tier=LoyaltyTier.BRONZE,
             erased_at=None, created_at=created, updated_at=created)
    rows.add(Address, id=rows.next_id(Address), customer_id=user["user_id"], is_default=True,
             **{k: user["address"][k] for k in ADDRESS_KEYS})
    for j, method in enumerate(user["payment_methods"].values()):
        # Creation times one second apart keep the source's order of payment methods.
        saved = created + timedelta(seconds=j + 1)
        rows.add(PaymentMethod, id=method["id"], customer_id=user["user_id"], kind=method["source"],
                 brand=method.get("brand"), last_four=method.get("last_four"), paypal_email=None,
                 balance=_dec(method["balance"]) if "balance" in method else None, active=True,
                 created_at=saved, updated_at=saved)


def _add_product(rows: Rows, product: dict[str, Any], created: datetime) -> None:
    rows.add(Product, id=product["product_id"], name=product["name"], brand="", supplier="", category_id=None,
             description="", archived=False, created_at=created, updated_at=created)
    for position, variant in enumerate(product["variants"].values()):
        rows.add(ProductVariant, id=variant["item_id"], product_id=product["product_id"],
                 sku=f"TAU-{variant['item_id']}", position=position, options=variant["options"],
                 price=_dec(variant["price"]), currency=CURRENCY, cost=None, weight_kg=Decimal("0.5"),
                 available=variant["available"], track_stock=False)


def _add_order(rows: Rows, order: dict[str, Any], placed: datetime) -> None:
    oid, status = order["order_id"], FROM_TAU_STATUS.get(order["status"], OrderStatus.PENDING)
    total = sum((_dec(item["price"]) for item in order["items"]), Decimal("0"))
    sent = status not in (OrderStatus.PENDING, OrderStatus.CANCELLED, OrderStatus.ON_HOLD)
    rows.add(Order, id=oid, customer_id=order["user_id"], status=status,
             items_modified=order["status"] == ITEM_MODIFIED, channel=OrderChannel.WEB, currency=CURRENCY,
             subtotal=total, shipping_cost=Decimal("0"), total=total, shipping_address=order["address"],
             billing_address=None, cancel_reason=order.get("cancel_reason"), client_ip=None, placed_at=placed,
             delivered_at=placed + timedelta(days=3) if sent and status != OrderStatus.PROCESSED else None,
             created_at=placed, updated_at=placed)
    for position, item in enumerate(order["items"]):
        rows.add(OrderLine, id=rows.next_id(OrderLine), order_id=oid, position=position,
                 product_id=item["product_id"], variant_id=item["item_id"], sku=f"TAU-{item['item_id']}",
                 name=item["name"], options=item["options"], unit_price=_dec(item["price"]), quantity=1,
                 quantity_allocated=int(sent), quantity_shipped=int(sent), quantity_returned=0)
    for k, fulfillment in enumerate(order["fulfillments"]):
        shipped = placed + timedelta(days=1, seconds=k)
        delivered = status != OrderStatus.PROCESSED and sent
        rows.add(Shipment, id=stable_uuid("tau-shipment", oid, k), order_id=oid, carrier_code=None,
                 warehouse_id=None,
                 tracking_number=(fulfillment["tracking_id"] or [None])[0],
                 tracking_numbers=fulfillment["tracking_id"], item_ids=fulfillment["item_ids"],
                 status=ShipmentStatus.DELIVERED if delivered else ShipmentStatus.SHIPPED, weight_kg=None,
                 cost=None, shipped_at=shipped, delivered_at=placed + timedelta(days=3) if delivered else None,
                 created_at=shipped, updated_at=shipped)
    _add_payments(rows, oid, order["payment_history"], placed)


def _add_payments(rows: Rows, oid: str, history: list[dict[str, Any]], placed: datetime) -> None:
    paid: dict[str, Decimal] = defaultdict(Decimal)
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for entry in history:
        book = paid if entry["transaction_type"] == "payment" else refunded
        book[entry["payment_method_id"]] += _dec(entry["amount"])
    for method_id in dict.fromkeys(e["payment_method_id"] for e in history):
        captured, back = paid[method_id], refunded[method_id]
        status = (PaymentStatus.REFUNDED if back and back >= captured else
                  PaymentStatus.PARTIALLY_REFUNDED if back else PaymentStatus.CAPTURED)
        rows.add(Payment, id=stable_uuid("tau-payment", oid, method_id), order_id=oid, method_id=method_id,
                 gateway="sandbox", status=status, currency=CURRENCY, amount_authorized=captured,
                 amount_captured=captured, amount_refunded=back, created_at=placed, updated_at=placed)
    for k, entry in enumerate(history):
        method_id = entry["payment_method_id"]
        kind = TransactionKind.SALE if entry["transaction_type"] == "payment" else TransactionKind.REFUND
        rows.add(PaymentTransaction, id=rows.next_id(PaymentTransaction),
                 payment_id=stable_uuid("tau-payment", oid, method_id), order_id=oid, method_id=method_id,
                 kind=kind, result=TransactionResult.SUCCESS, amount=_dec(entry["amount"]), currency=CURRENCY,
                 gateway_reference=f"tau-{oid.lstrip('#')}-{k}", idempotency_key=None, reason="",
                 created_at=placed + timedelta(minutes=k))


def method_as_tau(method: Any) -> dict[str, Any]:
    """A payment method in the benchmark's shape (brand and last four for cards, balance for gift cards)."""
    shaped: dict[str, Any] = {"source": str(method.kind), "id": method.id}
    if method.kind == "credit_card":
        shaped.update(brand=method.brand, last_four=method.last_four)
    if method.kind == "gift_card":
        shaped["balance"] = float(method.balance or 0)
    return shaped


def user_as_tau(customer: Any, address: Any | None, methods: list[Any], order_ids: list[str]) -> dict[str, Any]:
    """A customer in the benchmark's user shape (address = the default one); lists in the order given."""
    return {
        "user_id": customer.id,
        "name": {"first_name": customer.first_name, "last_name": customer.last_name},
        "address": {k: getattr(address, k) if address else "" for k in ADDRESS_KEYS},
        "email": customer.email,
        "payment_methods": {m.id: method_as_tau(m) for m in methods},
        "orders": list(order_ids),
    }


def product_as_tau(product: Any, variants: list[Any]) -> dict[str, Any]:
    """A product in the benchmark's shape, variants keyed by item id in position order."""
    return {
        "name": product.name,
        "product_id": product.id,
        "variants": {v.id: {"item_id": v.id, "options": dict(v.options), "available": v.available,
                            "price": float(v.price)} for v in sorted(variants, key=lambda v: v.position)},
    }


def order_as_tau(order: Any, lines: list[Any], shipments: list[Any], transactions: list[Any]) -> dict[str, Any]:
    """An order in the benchmark's shape: one item per unit, fulfillments, and its money history.

    The history is the successful sales, captures and refunds by id; cancel_reason appears once set.
    """
    status = ITEM_MODIFIED if order.status == OrderStatus.PENDING and order.items_modified else TAU_STATUS[
        OrderStatus(order.status)]
    shaped = {
        "order_id": order.id,
        "user_id": order.customer_id,
        "address": dict(order.shipping_address),
        "items": [{"name": line.name, "product_id": line.product_id, "item_id": line.variant_id,
                   "price": float(line.unit_price), "options": dict(line.options)}
                  for line in sorted(lines, key=lambda line: line.position) for _ in range(line.quantity)],
        "status": status,
        "fulfillments": [{"tracking_id": list(s.tracking_numbers), "item_ids": list(s.item_ids)}
                         for s in sorted(shipments, key=lambda s: (s.created_at, s.id))],
        "payment_history": [{"transaction_type": MONEY_KINDS[t.kind], "amount": float(t.amount),
                             "payment_method_id": t.method_id}
                            for t in sorted(transactions, key=lambda t: t.id)
                            if t.result == TransactionResult.SUCCESS and t.kind in MONEY_KINDS],
    }
    if order.cancel_reason is not None:
        shaped["cancel_reason"] = order.cancel_reason
    return shaped


def _grouped(session: Session, model: type, key: str, *order_by: Any) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in session.scalars(select(model).order_by(*order_by)):
        groups[getattr(row, key)].append(row)
    return groups


def export_tau(session: Session) -> dict[str, dict[str, Any]]:
    """The whole database in db.json's shape (products, users, orders); async callers use run_sync."""
    variants = _grouped(session, ProductVariant, "product_id", ProductVariant.position)
    addresses = _grouped(session, Address, "customer_id", Address.is_default.desc(), Address.id)
    methods = _grouped(session, PaymentMethod, "customer_id", PaymentMethod.created_at, PaymentMethod.id)
    lines = _grouped(session, OrderLine, "order_id", OrderLine.position)
    shipments = _grouped(session, Shipment, "order_id", Shipment.created_at, Shipment.id)
    transactions = _grouped(session, PaymentTransaction, "order_id", PaymentTransaction.id)
    orders = list(session.scalars(select(Order).order_by(Order.placed_at, Order.id)))
    order_ids: dict[str, list[str]] = defaultdict(list)
    for order in orders:
        order_ids[order.customer_id].append(order.id)
    customers = session.scalars(select(Customer).order_by(Customer.created_at, Customer.id))
    return {
        "products": {p.id: product_as_tau(p, variants[p.id])
                     for p in session.scalars(select(Product).order_by(Product.created_at, Product.id))},
        "users": {c.id: user_as_tau(c, next(iter(addresses[c.id]), None), methods[c.id], order_ids[c.id])
                  for c in customers},
        "orders": {o.id: order_as_tau(o, lines[o.id], shipments[o.id], transactions[o.id]) for o in orders},
    }
