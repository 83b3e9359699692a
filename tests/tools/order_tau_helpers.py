"""Load one retail-benchmark task's user, orders and products from db.json into the test database.

A small test-only importer (the real one is `shopcrew seed --from-tau`): just enough rows for the order
tools to replay a task's gold write actions and be compared with expected_states.json.
"""

import json
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path

from db.engine import unit_of_work
from db.enums import (
    OrderStatus,
    PaymentMethodKind,
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

TAU = Path(__file__).resolve().parents[3] / "shared" / "tau2-retail"
STATUSES = {"pending": OrderStatus.PENDING, "processed": OrderStatus.PROCESSED,
            "delivered": OrderStatus.DELIVERED, "cancelled": OrderStatus.CANCELLED}
WRITES = {"cancel_pending_order", "modify_pending_order_address", "modify_pending_order_items",
          "modify_pending_order_payment", "return_delivered_order_items", "exchange_delivered_order_items",
          "modify_user_address"}


@cache
def data() -> tuple[dict, dict]:
    """(db.json, expected_states.json['tasks']), read once."""
    expected = json.loads((TAU / "expected_states.json").read_text())
    return json.loads((TAU / "db.json").read_text()), expected["tasks"]


def money(value: float) -> Decimal:
    """A benchmark amount to the cent (the benchmark keeps float noise such as 71.96000000000001)."""
    return Decimal(str(round(value, 2)))


def writes(task: dict) -> list[dict]:
    """The task's gold write actions, in order."""
    return [a for a in task["actions"] if a["name"] in WRITES]


def user_of(task: dict) -> str:
    """The one user whose data the task's writes touch."""
    db, _ = data()
    users = {a["arguments"].get("user_id") or db["orders"][a["arguments"]["order_id"]]["user_id"]
             for a in writes(task)}
    assert len(users) == 1, users
    return users.pop()


def customer_row(user: dict) -> Customer:
    """The user as a customer with a default address and saved payment methods."""
    row = Customer(id=user["user_id"], email=user["email"], first_name=user["name"]["first_name"],
                   last_name=user["name"]["last_name"])
    row.addresses = [Address(**user["address"], is_default=True)]
    return row


def method_row(user_id: str, method: dict) -> PaymentMethod:
    """A benchmark payment method (credit_card, paypal or gift_card with balance)."""
    return PaymentMethod(
        id=method["id"], customer_id=user_id, kind=PaymentMethodKind(method["source"]),
        brand=method.get("brand"), last_four=method.get("last_four"),
        balance=money(method["balance"]) if "balance" in method else None,
    )


def product_row(product: dict) -> Product:
    """A benchmark product with its variants (sold without stock records)."""
    row = Product(id=product["product_id"], name=product["name"])
    row.variants = [
        ProductVariant(id=v["item_id"], sku=f"TAU-{v['item_id']}", position=i, options=v["options"],
                       price=money(v["price"]), available=v["available"], track_stock=False)
        for i, v in enumerate(product["variants"].values())
    ]
    return row


def order_rows(order: dict) -> list:
    """The order with one line per item, its payments and ledger, and its fulfilments as shipments."""
    total = sum((money(i["price"]) for i in order["items"]), Decimal(0))
    row = Order(id=order["order_id"], customer_id=order["user_id"], status=STATUSES[order["status"]],
                shipping_address=order["address"], subtotal=total, total=total)
    row.lines = [
        OrderLine(position=i, product_id=item["product_id"], variant_id=item["item_id"],
                  sku=f"TAU-{item['item_id']}", name=item["name"], options=item["options"],
                  unit_price=money(item["price"]), quantity=1)
        for i, item in enumerate(order["items"])
    ]
    rows: list = [row]
    payments: dict[str, Payment] = {}
    for entry in order["payment_history"]:
        method_id, amount = entry["payment_method_id"], money(entry["amount"])
        payment = payments.get(method_id)
        if payment is None:
            payment = payments[method_id] = Payment(
                id=str(uuid.uuid4()), order_id=row.id, method_id=method_id, status=PaymentStatus.CAPTURED,
                amount_authorized=Decimal(0), amount_captured=Decimal(0), amount_refunded=Decimal(0),
            )
            rows.append(payment)
        refund = entry["transaction_type"] == "refund"
        if refund:
            payment.amount_refunded += amount
            payment.status = PaymentStatus.REFUNDED
        else:
            payment.amount_authorized += amount
            payment.amount_captured += amount
        payment.transactions.append(PaymentTransaction(
            order_id=row.id, method_id=method_id, result=TransactionResult.SUCCESS, amount=amount,
            kind=TransactionKind.REFUND if refund else TransactionKind.SALE,
            gateway_reference=f"tau_{uuid.uuid4().hex[:8]}",
        ))
    for parcel in order["fulfillments"]:
        rows.append(Shipment(id=str(uuid.uuid4()), order_id=row.id, tracking_numbers=parcel["tracking_id"],
                             item_ids=parcel["item_ids"], status=ShipmentStatus.DELIVERED
                             if order["status"] == "delivered" else ShipmentStatus.SHIPPED))
    return rows


async def load_task(sessions, task: dict) -> Customer:
    """Insert the task's user with their orders and every product those orders or the actions mention."""
    db, _ = data()
    user = db["users"][user_of(task)]
    orders = [db["orders"][oid] for oid in user["orders"]]
    mentioned = {i["item_id"] for o in orders for i in o["items"]}
    for action in writes(task):
        mentioned |= set(action["arguments"].get("new_item_ids", []))
    products = [p for p in db["products"].values() if mentioned & set(p["variants"])]
    customer = customer_row(user)
    async with unit_of_work(sessions) as s:
        s.add_all([customer, *(product_row(p) for p in products)])
        s.add_all([method_row(user["user_id"], m) for m in user["payment_methods"].values()])
        await s.flush()
        for order in orders:
            rows = order_rows(order)
            s.add(rows[0])
            await s.flush()
            s.add_all(rows[1:])
    return customer


def catalog_price(item_id: str) -> tuple[Decimal, dict]:
    """A variant's own price and options in db.json."""
    db, _ = data()
    for product in db["products"].values():
        if item_id in product["variants"]:
            variant = product["variants"][item_id]
            return money(variant["price"]), variant["options"]
    raise KeyError(item_id)
