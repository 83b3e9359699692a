"""Answers written from tool results: templates, the generic renderer, refusals and declined confirmations."""

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

ORDER = {
    "order_id": "#W2611340",
    "customer_id": "noah_brown_6181",
    "status": "pending",
    "status_label": "pending",
    "shipping_address": {
        "address1": "10 Main Street",
        "address2": "",
        "city": "Denver",
        "state": "CO",
        "zip": "80202",
        "country": "USA",
    },
    "items": [
        {"item_id": "1008292230", "name": "Mechanical Keyboard", "price": 129.9, "quantity": 1},
        {"item_id": "2008292230", "name": "Water Bottle", "price": 19.0, "quantity": 2},
    ],
    "fulfillments": [],
    "payment_history": [{"transaction_type": "payment", "amount": 167.9, "payment_method_id": "credit_card_9513926"}],
    "total": 167.9,
    "currency": "EUR",
    "placed_at": "2026-01-05T10:00:00",
    "cancel_reason": None,
}


def after_call(model, name, args, content, request="please do it"):
    """The model's reply to the result of its own call."""
    call = AIMessage("", tool_calls=[{"name": name, "args": args, "id": "call_1", "type": "tool_call"}])
    result = ToolMessage(content if isinstance(content, str) else json.dumps(content), tool_call_id="call_1")
    reply = model.invoke([HumanMessage(request), call, result])
    assert reply.tool_calls == []
    return reply.content


def test_a_result_becomes_plain_sentences_from_the_template(shop):
    text = after_call(shop, "get_order_details", {"order_id": "#W2611340"}, ORDER)
    assert text == (
        "Order #W2611340 is pending. It contains Mechanical Keyboard and Water Bottle, for a total of "
        "167.90 EUR. It ships to 10 Main Street, Denver, CO 80202, USA. It was paid with "
        "credit_card_9513926."
    )


def test_a_delivered_order_says_who_delivered_it_and_when(shop):
    delivered = {**ORDER, "status": "delivered", "status_label": "delivered", "carrier": "ups",
                 "delivered_at": "2026-01-09T15:00:00"}
    text = after_call(shop, "get_order_details", {"order_id": "#W2611340"}, delivered)
    assert "Carrier: Ups." in text and "It was delivered on 9 Jan 2026." in text


def test_a_template_line_without_its_value_is_left_out(shop):
    cancelled = {**ORDER, "status": "cancelled", "status_label": "cancelled", "cancel_reason": None}
    text = after_call(shop, "cancel_pending_order", {"order_id": "#W2611340", "reason": "no longer needed"}, cancelled)
    assert text.startswith("Order #W2611340 is now cancelled (reason: no longer needed).")


def test_an_empty_list_uses_the_empty_section(shop):
    assert after_call(shop, "list_orders", {}, {"orders": [], "total": 0}) == "I found no orders matching that."


@pytest.mark.parametrize(
    "result",
    [
        {
            "id": "x1",
            "name": "Thing",
            "price": 12.0,
            "currency": "USD",
            "status": "on_hold",
            "created_at": "2026-01-05T10:00:00",
        },
        {"rows": [{"sku": "A-1", "on_hand": 3}, {"sku": "B-2", "on_hand": 0}], "total": 2},
        {"rows": [{"name": f"Row {i}", "price": 1.5 * i} for i in range(9)], "total": 9},
        {"ok": True, "message": "customer noah_brown_6181 has been anonymised"},
        [1, 2, 3],
    ],
)
def test_the_generic_renderer_never_dumps_json(shop, result):
    text = after_call(shop, "get_widget_report", {}, result)
    assert text and "{" not in text and "[" not in text and '"' not in text


def test_the_generic_renderer_formats_money_lists_and_messages(shop):
    assert after_call(shop, "get_widget", {}, {"name": "Thing", "price": 12.0, "currency": "USD"}) == (
        "Widget Thing: price 12.00 USD."
    )
    many = {"rows": [{"name": f"Row {i}", "price": 1.5 * i} for i in range(9)], "total": 9}
    text = after_call(shop, "list_rows", {}, many)
    assert text.startswith("I found 9 rows. Here are the first few:\n- Row 0 (price 0.00 EUR)\n")
    assert text.endswith("…and 4 more.")
    assert after_call(shop, "erase_it", {}, {"ok": True, "message": "the account has been anonymised"}) == (
        "The account has been anonymised."
    )


def test_list_entries_sharing_a_name_show_what_tells_them_apart(shop):
    variant = {"name": "Logo T-Shirt", "available": True, "category": "Apparel", "brand": "Shopcrew"}
    sizes = [{**variant, "sku": f"TEE-0{i}", "price": 25.0, "options": {"size": s}} for i, s in enumerate("SMLX")]
    text = after_call(shop, "find_variants", {}, {"variants": sizes, "total": 4})
    assert text.startswith("I found 4 variants. Here they are:\n- Logo T-Shirt (sku TEE-00, options size S, ")
    assert all(f"size {s}" in text for s in "SMLX")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "Error[not_found]: order #W9999999 not found",
            "I couldn't find that order. Could you check the order number?",
        ),
        (
            "Error[invalid_transition]: order #W2611340 is delivered and cannot be cancelled",
            "Order #W2611340 can't be cancelled: order #W2611340 is delivered and cannot be cancelled.",
        ),
    ],
)
def test_errors_with_a_template_section(shop, content, expected):
    name = "get_order_details" if "not_found" in content else "cancel_pending_order"
    assert (
        after_call(shop, name, {"order_id": "#W9999999" if "not_found" in content else "#W2611340"}, content)
        == expected
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "Error[forbidden]: order #W1 belongs to another customer",
            "I'm sorry, that isn't allowed from this account: order #W1 belongs to another customer.",
        ),
        (
            "Error[invalid_input]: invalid arguments for reserve_stock: "
            "quantity: Input should be less than or equal to 100",
            "Some details weren't valid: the quantity should be less than or equal to 100. Could you give me a valid "
            "quantity?",
        ),
        (
            "Error[insufficient_stock]: only 2 units of KB-CLICKY-01 available",
            "There isn't enough stock for that: only 2 units of KB-CLICKY-01 available. Would a smaller quantity work?",
        ),
        (
            "Error[payment_declined]: card declined by the issuer",
            "The payment was declined: card declined by the issuer. Would you like to use another payment method?",
        ),
        (
            "Error[conflict]: the reservation is already released",
            "That conflicts with what is already recorded: the reservation is already released.",
        ),
        (
            "Error[not_found]: no item KB-NOPE-01",
            "I couldn't find that item. Could you check the item ref and send it again?",
        ),
        (  # the record not found is what to check, not another the call named
            "Error[not_found]: warehouse 'Munich' not found",
            "I couldn't find that warehouse. Could you check the warehouse and send it again?",
        ),
        (
            "Error[invalid_input]: say which customer the case is for (customer_id or order_id)",
            "Some details weren't valid: say which customer the case is for (customer_id or order_id). Could you give "
            "me a valid customer ID or order ID?",
        ),
    ],
)
def test_errors_are_explained_plainly(shop, content, expected):
    assert after_call(shop, "reserve_stock", {"item_ref": "KB-CLICKY-01", "quantity": 3}, content) == expected


def test_a_declined_confirmation_says_nothing_was_done(shop):
    declined = (
        "User rejected the tool call for `cancel_pending_order` with reason: The person declined this "
        "action, so it was not carried out. Nothing was changed."
    )
    text = after_call(shop, "cancel_pending_order", {"order_id": "#W2611340", "reason": "no longer needed"}, declined)
    assert text == "Understood, I did not cancel a pending order. Nothing was changed."


def test_plain_text_results_are_passed_on_as_a_sentence(shop):
    assert after_call(shop, "transfer_to_order", {}, "handed to order") == "Handed to order."


def test_the_second_specialist_of_a_plan_takes_its_part_of_the_request(shop):
    request = HumanMessage("cancel my order #W2611340 because i ordered by mistake and find me a blue t-shirt")
    done = AIMessage("Order #W2611340 is now cancelled.", name="order")
    reply = shop.bind_tools([t for t in shop.bound_tools if t.name == "search_products"]).invoke([request, done])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("search_products", {"query": "blue t-shirt"})]


def test_a_record_with_an_owner_is_listed_by_its_own_id(shop):
    methods = [{"id": "credit_card_5596910", "customer_id": "camille_fournier_1290", "kind": "credit_card",
                "brand": "mastercard"},
               {"id": "gift_card_3495746", "customer_id": "camille_fournier_1290", "kind": "gift_card",
                "balance": 70.99}]
    text = after_call(shop, "list_payment_methods", {"customer_id": "me"},
                      {"customer_id": "camille_fournier_1290", "methods": methods})
    assert "- credit_card_5596910 (" in text and "- gift_card_3495746 (" in text
    assert "- camille_fournier_1290" not in text
