"""Canonical forms of the benchmark's values and their differences: money in cents, item lists by position.

Both sides go through the same functions: the benchmark's JSON (db.json, expected_states.json) and ours,
rebuilt in the benchmark's shape. The benchmark stores return and exchange item lists sorted (each list on
its own, which loses the old -> new pairing our exchanges keep), so canonical forms sort them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ADDRESS_KEYS = ("address1", "address2", "city", "country", "state", "zip")
SORTED_LISTS = ("return_items", "exchange_items", "exchange_new_items")
MISSING = "<missing>"


def cents(value: Any) -> int | None:
    """An amount in whole cents (float noise such as 71.96000000000001 rounds away); None stays None."""
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def address(value: dict[str, Any]) -> dict[str, str]:
    """The six address fields (a missing one reads as empty)."""
    return {key: value.get(key) or "" for key in ADDRESS_KEYS}


def order(value: dict[str, Any]) -> dict[str, Any]:
    """An order: items by position, money in cents, status in the benchmark's words, optional fields as None."""
    shaped = {
        "order_id": value["order_id"],
        "user_id": value["user_id"],
        "status": value["status"],
        "address": address(value["address"]),
        "items": [{"item_id": i["item_id"], "product_id": i["product_id"], "name": i["name"],
                   "price": cents(i["price"]), "options": dict(i["options"])} for i in value["items"]],
        "fulfillments": [{"tracking_id": list(f["tracking_id"]), "item_ids": list(f["item_ids"])}
                         for f in value["fulfillments"]],
        "payment_history": [{"transaction_type": p["transaction_type"], "amount": cents(p["amount"]),
                             "payment_method_id": p["payment_method_id"]} for p in value["payment_history"]],
        "cancel_reason": value.get("cancel_reason"),
        "return_payment_method_id": value.get("return_payment_method_id"),
        "exchange_payment_method_id": value.get("exchange_payment_method_id"),
        "exchange_price_difference": cents(value.get("exchange_price_difference")),
    }
    for key in SORTED_LISTS:
        shaped[key] = None if value.get(key) is None else sorted(value[key])
    return shaped


def method(value: dict[str, Any]) -> dict[str, Any]:
    """A payment method: kind, card brand and last four, gift card balance in cents."""
    return {"source": value["source"], "brand": value.get("brand"), "last_four": value.get("last_four"),
            "balance": cents(value.get("balance"))}


def user(value: dict[str, Any]) -> dict[str, Any]:
    """A user: name, email, default address, payment methods by id, order numbers as a set (sorted)."""
    # No benchmark tool changes a user's order list, and its order carries no meaning in our model.
    return {
        "user_id": value["user_id"],
        "name": {"first_name": value["name"]["first_name"], "last_name": value["name"]["last_name"]},
        "email": value["email"],
        "address": address(value["address"]),
        "payment_methods": {key: method(m) for key, m in value["payment_methods"].items()},
        "orders": sorted(value["orders"]),
    }


def variant(value: dict[str, Any]) -> dict[str, Any]:
    """A product variant (an item): options, availability, price in cents."""
    return {"item_id": value["item_id"], "options": dict(value["options"]), "available": value["available"],
            "price": cents(value["price"])}


def product(value: dict[str, Any]) -> dict[str, Any]:
    """A product with its variants by item id."""
    return {"product_id": value["product_id"], "name": value["name"],
            "variants": {key: variant(v) for key, v in value["variants"].items()}}


def number(value: Any) -> int:
    """A computed number (calculate's answer), in cents."""
    return cents(value)


def text(value: Any) -> str:
    """A plain answer (a user id, an acknowledgement)."""
    return str(value)


def mapping(value: dict[str, Any]) -> dict[str, Any]:
    """A plain name -> value map (product types)."""
    return dict(value)


@dataclass(frozen=True)
class Difference:
    """One place where the two sides differ: a path like `order #W1: items[2].price`, and both values."""

    where: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.where}: expected {self.expected!r}, got {self.actual!r}"


def differences(expected: Any, actual: Any, where: str) -> list[Difference]:
    """Every leaf where two canonical values differ: dicts key by key, lists position by position."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            found += differences(expected.get(key, MISSING), actual.get(key, MISSING), f"{where}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        found = []
        for i in range(max(len(expected), len(actual))):
            left = expected[i] if i < len(expected) else MISSING
            right = actual[i] if i < len(actual) else MISSING
            found += differences(left, right, f"{where}[{i}]")
        return found
    return [] if expected == actual else [Difference(where, expected, actual)]
