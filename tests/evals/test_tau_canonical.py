"""The canonical comparison of benchmark-shaped orders and users: cents, positions, the benchmark's sorting."""

import copy
from decimal import Decimal

from evals.tau import canonical
from evals.tau.canonical import MISSING, Difference, cents, differences

ORDER = {
    "order_id": "#W1000001", "user_id": "ava_martin_1", "status": "pending",
    "address": {"address1": "1 Main St", "address2": "", "city": "Austin", "country": "USA", "state": "TX",
                "zip": "78701"},
    "items": [
        {"name": "Mug", "product_id": "p1", "item_id": "i1", "price": 10.0, "options": {"color": "red"}},
        {"name": "Lamp", "product_id": "p2", "item_id": "i2", "price": 61.96, "options": {"power": "USB"}},
    ],
    "fulfillments": [],
    "payment_history": [{"transaction_type": "payment", "amount": 71.96, "payment_method_id": "gift_card_1"}],
}
USER = {
    "user_id": "ava_martin_1", "name": {"first_name": "Ava", "last_name": "Martin"}, "email": "ava@example.com",
    "address": ORDER["address"], "orders": ["#W1000001", "#W1000002"],
    "payment_methods": {"gift_card_1": {"source": "gift_card", "id": "gift_card_1", "balance": 50.0},
                        "paypal_1": {"source": "paypal", "id": "paypal_1"}},
}


def order_diff(expected: dict, actual: dict) -> list[Difference]:
    return differences(canonical.order(expected), canonical.order(actual), "order #W1000001")


def test_cents_round_float_noise_half_up():
    assert cents(71.96000000000001) == 7196 and cents(0.04999999999999716) == 5
    assert cents(Decimal("10.005")) == 1001 and cents("-16.63") == -1663 and cents(None) is None


def test_same_order_in_other_number_types_matches():
    ours = copy.deepcopy(ORDER)
    ours["items"][1]["price"] = Decimal("61.96")
    ours["payment_history"][0]["amount"] = 71.96000000000001
    ours["cancel_reason"] = None  # db.json leaves unset optional fields out; both read as None
    assert order_diff(ORDER, ours) == []


def test_a_cent_is_a_difference():
    ours = copy.deepcopy(ORDER)
    ours["payment_history"][0]["amount"] = 71.97
    assert order_diff(ORDER, ours) == [
        Difference("order #W1000001.payment_history[0].amount", 7196, 7197)]


def test_item_order_matters():
    ours = copy.deepcopy(ORDER)
    ours["items"].reverse()
    found = {d.where for d in order_diff(ORDER, ours)}
    assert {"order #W1000001.items[0].item_id", "order #W1000001.items[1].item_id",
            "order #W1000001.items[0].price"} <= found


def test_a_missing_item_or_entity_is_reported():
    ours = copy.deepcopy(ORDER)
    ours["items"].pop()
    missing = order_diff(ORDER, ours)
    assert missing and all(d.actual == MISSING for d in missing)
    assert missing[0].where.startswith("order #W1000001.items[1]")
    assert differences(canonical.order(ORDER), MISSING, "order #W1000001") == [
        Difference("order #W1000001", canonical.order(ORDER), MISSING)]


def test_return_and_exchange_lists_compare_sorted_as_the_benchmark_stores_them():
    theirs = {**ORDER, "status": "exchange requested", "exchange_items": ["i1", "i2"],
              "exchange_new_items": ["i3", "i9"], "exchange_price_difference": -16.63,
              "exchange_payment_method_id": "gift_card_1"}
    # Ours keeps the pairs in the customer's order (i2 -> i3, i1 -> i9); the benchmark sorts each list.
    ours = {**theirs, "exchange_items": ["i2", "i1"], "exchange_new_items": ["i3", "i9"],
            "exchange_price_difference": Decimal("-16.63")}
    assert order_diff(theirs, ours) == []
    assert order_diff(theirs, {**ours, "exchange_new_items": ["i3", "i8"]}) == [
        Difference("order #W1000001.exchange_new_items[1]", "i9", "i8")]


def test_users_compare_methods_by_id_and_order_numbers_as_a_set():
    ours = copy.deepcopy(USER)
    ours["payment_methods"] = dict(reversed(ours["payment_methods"].items()))
    ours["orders"].reverse()
    assert differences(canonical.user(USER), canonical.user(ours), "user") == []
    ours["payment_methods"]["gift_card_1"]["balance"] = 49.99
    ours["address"] = {**USER["address"], "zip": "78702"}
    assert [d.where for d in differences(canonical.user(USER), canonical.user(ours), "user")] == [
        "user.address.zip", "user.payment_methods.gift_card_1.balance"]
