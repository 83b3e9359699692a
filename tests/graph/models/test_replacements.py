"""An order line's replacement named by its options ("a large in the same colour", "the 43-46 size, still grey"):
the model reads the order, then the product's variants, and asks to confirm the change with the variant's id."""


import pytest
from langchain_core.messages import HumanMessage

from graph.models.local.variants import names_value, replacement
from tests.graph.models.test_dialogue import specialist
from tests.graph.models.test_own_records import reply_after
from tools.registry import load_all

SOCKS = "4773857741"
VARIANTS = [
    {"item_id": "1451794972", "product_id": SOCKS, "options": {"size": "35-38", "colour": "grey"}},
    {"item_id": "4290237071", "product_id": SOCKS, "options": {"size": "35-38", "colour": "mustard"}},
    {"item_id": "1701770084", "product_id": SOCKS, "options": {"size": "43-46", "colour": "grey"}},
    {"item_id": "1012599535", "product_id": SOCKS, "options": {"size": "43-46", "colour": "mustard"}},
]
LINE = {"item_id": "1451794972", "product_id": SOCKS, "name": "Merino Socks", "options": VARIANTS[0]["options"]}
PLANTERS = [
    {"item_id": "1", "product_id": "P", "options": {"size": "M", "colour": "charcoal"}},
    {"item_id": "2", "product_id": "P", "options": {"size": "M", "colour": "white"}},
    {"item_id": "3", "product_id": "P", "options": {"size": "L", "colour": "white"}},
]


@pytest.mark.parametrize(
    ("value", "text", "named"),
    [
        ("L", "could I get a large instead?", True),
        ("L", "in size L please", True),
        ("M", "I'm after the one I had", False),  # "m" in "I'm" is no size
        ("1 l", "the 1 litre blue one", True),
        ("1 l", "the 1l one", True),
        ("1 l", "one blue one, 750 ml", False),
        ("43-46", "I need the 43-46 size", True),
        ("sea salt", "the sea salt scent", True),
        ("sea salt", "the salt one", False),
    ],
)
def test_an_option_value_is_named_by_its_words_its_size_name_or_its_unit_written_out(value, text, named):
    assert names_value(value, text) is named


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need the 43-46 size, still grey", "1701770084"),  # the colour it has stays
        ("43-46 in mustard please", "1012599535"),
        ("something warmer", None),  # names no option: nothing is guessed
        ("the 35-38 ones in grey", None),  # the line's own options are no change
    ],
)
def test_the_replacement_has_the_named_options_and_keeps_the_others(text, expected):
    assert replacement(LINE, VARIANTS, text) == expected


def test_a_value_the_line_has_is_no_change_and_a_kept_option_may_give_way():
    line = {"item_id": "1", "product_id": "P", "options": {"size": "M", "colour": "charcoal"}}
    # "the large rather than the medium": L is the change; no large comes in charcoal, and white is named anyway.
    assert replacement(line, PLANTERS, "I'd rather have the large than the medium, white is fine") == "3"
    assert replacement(line, PLANTERS, "the large one") == "3"  # the only large, whatever its colour


def test_a_pending_orders_line_is_changed_to_the_variant_named_by_options():
    model = specialist(load_all(), "order")
    conversation = [HumanMessage("the socks in W7137149 will be too small for me, I need the 43-46 size, still grey."
                                 " put any difference on my paypal")]
    read = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W7137149"})]
    order = {"order_id": "#W7137149", "status": "pending", "status_label": "pending",
             "items": [LINE | {"quantity": 1}],
             "payment_history": [{"transaction_type": "payment", "payment_method_id": "paypal_8030938"}]}
    conversation, listing = reply_after(model, [*conversation, read], order)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("find_product_variants", {"product_id": SOCKS})]
    _, change = reply_after(model, [*conversation, listing], {"variants": VARIANTS})
    assert [(c["name"], c["args"]) for c in change.tool_calls] == [("modify_pending_order_items", {
        "order_id": "#W7137149", "item_ids": ["1451794972"], "new_item_ids": ["1701770084"],
        "payment_method_id": "paypal_8030938"})]


def test_a_pair_of_skus_is_read_as_the_lines_item_and_the_variants_item():
    model = specialist(load_all(), "order")
    conversation = [HumanMessage("exchange the AP-TEE-01 shirt from #W6710201 for AP-TEE-05, paypal_8030938 pays")]
    read = model.invoke(conversation)
    order = {"order_id": "#W6710201", "status": "delivered", "status_label": "delivered",
             "items": [{"item_id": "6429754640", "product_id": "T", "sku": "AP-TEE-01", "name": "Logo T-Shirt",
                        "quantity": 1, "options": {"size": "S"}}]}
    conversation, listing = reply_after(model, [*conversation, read], order)
    variants = {"variants": [
        {"item_id": "6429754640", "product_id": "T", "sku": "AP-TEE-01", "options": {"size": "S"}},
        {"item_id": "1144594311", "product_id": "T", "sku": "AP-TEE-05", "options": {"size": "L"}}]}
    _, exchange = reply_after(model, [*conversation, listing], variants)
    assert [(c["name"], c["args"]) for c in exchange.tool_calls] == [("exchange_delivered_order_items", {
        "order_id": "#W6710201", "item_ids": ["6429754640"], "new_item_ids": ["1144594311"],
        "payment_method_id": "paypal_8030938"})]


def test_a_line_is_never_its_own_replacement():
    model = specialist(load_all(), "order")
    conversation = [HumanMessage("exchange the t-shirt from W6710201 for another one, paypal_8030938 pays")]
    read = model.invoke(conversation)
    order = {"order_id": "#W6710201", "status": "delivered", "status_label": "delivered",
             "items": [{"item_id": "6429754640", "product_id": "T", "name": "Logo T-Shirt", "quantity": 1,
                        "options": {"size": "S"}}]}
    conversation, listing = reply_after(model, [*conversation, read], order)
    variants = {"variants": [{"item_id": "6429754640", "product_id": "T", "options": {"size": "S"}},
                             {"item_id": "1144594311", "product_id": "T", "options": {"size": "L"}}]}
    _, question = reply_after(model, [*conversation, listing], variants)
    # No option named: the model asks for the new item rather than exchanging the shirt for itself.
    assert not question.tool_calls and "new item" in question.text.lower()


def test_a_tool_lent_only_to_read_with_never_takes_a_request():
    # The customer specialist may read a product's variants for a write, yet a product named beside an order is
    # no request for them: the person asks for someone to call.
    reply = specialist(load_all(), "customer").invoke([HumanMessage(
        "can someone from your team call me about my keyboard order W9821644?")])
    assert [c["name"] for c in reply.tool_calls] == ["open_support_case"]


def test_a_change_to_my_order_named_in_words_finds_the_order_first():
    # No order number: the speaker's pending order holding the planter is found among theirs, then read.
    model = specialist(load_all(), "order")
    conversation = [HumanMessage("I'd rather have the large planter than the medium on my order that hasn't shipped,"
                                 " white is fine. my gift card can cover the difference")]
    listing = model.invoke(conversation)
    assert [(c["name"], c["args"]) for c in listing.tool_calls] == [("list_orders", {"customer_id": "me"})]
    orders = {"orders": [
        {"order_id": "#W3972548", "status": "pending", "item_names": ["Self-Watering Planter"]},
        {"order_id": "#W7581196", "status": "delivered", "item_names": ["Bitstream DAC Amp"]},
    ]}
    _, read = reply_after(model, [*conversation, listing], orders)
    assert [(c["name"], c["args"]) for c in read.tool_calls] == [("get_order_details", {"order_id": "#W3972548"})]
