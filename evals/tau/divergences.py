"""Known, deliberate differences between our tools and the benchmark's reference code, task by task.

A task listed here passes as a *known divergence* only when (1) every difference from the benchmark's
expected state falls under the entry's fields, and (2) our result equals the entry's corrected expectation
(what a correct implementation reaches) exactly. A listed task that matches upstream exactly fails too, so
the table never outlives the behaviour it describes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.tau.canonical import Difference
from evals.tau.data import TauData
from evals.tau.expectation import Expectation
from tools.schemas import normalize_order_id


@dataclass(frozen=True)
class Divergence:
    """Why we differ, which difference paths that may touch ('*' matches anything), and the correction."""

    name: str
    reason: str
    fields: tuple[str, ...]
    correct: Callable[[Expectation, TauData], Expectation]

    def covers(self, difference: Difference) -> bool:
        """True when the difference lies in one of the entry's fields."""
        return any(re.fullmatch(".*".join(map(re.escape, f.split("*"))), difference.where) for f in self.fields)


def _variants(data: TauData) -> dict[str, dict[str, Any]]:
    return {item_id: v for p in data.db["products"].values() for item_id, v in p["variants"].items()}


def _own_variant(order: dict[str, Any], original: dict[str, Any], variants: dict[str, dict[str, Any]]) -> None:
    # A line whose item id changed was modified; it keeps its own new variant's price and options.
    for line, before in zip(order["items"], original["items"], strict=True):
        if line["item_id"] != before["item_id"]:
            line.update(price=variants[line["item_id"]]["price"], options=dict(variants[line["item_id"]]["options"]))


def own_variant_prices(expected: Expectation, data: TauData) -> Expectation:
    """Modified lines priced and described by their own new variant, in the state and in call results."""
    fixed, variants = expected.clone(), _variants(data)
    results = [c.result for c in fixed.calls if c.ok and isinstance(c.result, dict) and "items" in c.result]
    for order in [*fixed.orders.values(), *results]:
        _own_variant(order, data.db["orders"][order["order_id"]], variants)
    return fixed


def lenient_order_numbers(expected: Expectation, data: TauData) -> Expectation:
    """An order number missing its W ('#9502127') names order #W9502127, which the lookup then returns."""
    fixed = expected.clone()
    for call in fixed.calls:
        order_id = normalize_order_id(call.arguments.get("order_id", ""))
        if call.name == "get_order_details" and not call.ok and order_id in data.db["orders"]:
            call.ok, call.result = True, data.db["orders"][order_id]
    return fixed


OWN_PRICES = Divergence(
    "modified lines keep their own price",
    "Upstream modify_pending_order_items gives every modified line the price and options of the LAST new "
    "variant in the call (tau2-retail/README.md, 'Quirk'); ours gives each line its own new variant's. The "
    "payment or refund of the difference is the same on both sides (payment_history is compared as usual).",
    ("order *.items[*].price", "order *.items[*].options.*", "call * modify_pending_order_items.result.items[*].*"),
    own_variant_prices,
)
LENIENT_ORDER_NUMBERS = Divergence(
    "order numbers without the W",
    "The user quotes '#9502127'. Upstream lookups are exact, so get_order_details fails; ours accepts an order "
    "number with or without '#' and 'W' (DESIGN.md section 3: human references) and finds the customer's own "
    "order #W9502127. '#9502126' names no order on either side. Nothing is written either way.",
    ("call * get_order_details.ok",),
    lenient_order_numbers,
)
DIVERGENCES: dict[str, Divergence] = {
    **{task_id: OWN_PRICES for task_id in ("20", "21", "36", "37", "100")},
    **{task_id: LENIENT_ORDER_NUMBERS for task_id in ("46", "47")},
}
