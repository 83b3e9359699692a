"""The confirmation question says the action in words, with every argument it will run with and no secrets."""

import json

import pytest
from langchain_core.messages import ToolMessage

from graph.specialists import confirmation_text
from tools.registry import REGISTRY


@pytest.mark.parametrize(
    ("tool", "args", "text"),
    [
        ("cancel_pending_order", {"order_id": "#W4621646", "reason": "no longer needed"},
         "cancel a pending order (order id: #W4621646; reason: no longer needed)"),
        ("ship_shipment", {"shipment_ref": "W2741705"}, "hand a packed parcel to its carrier (shipment ref: W2741705)"),
        ("return_delivered_order_items", {"order_id": "#W1", "item_ids": ["11", "12"]},
         "request a return of items of a delivered order, refunded to the original method or a gift card "
         "(order id: #W1; item ids: 11, 12)"),
        # Records read as their fields in words, never as JSON.
        ("update_product", {"product_id": "2381599414", "variants": [{"item_id": "AU-MIC-04", "price": 134.9,
                                                                      "available": True}]},
         "update a product's name, brand, supplier, description, category, variant prices or availability "
         "(product id: 2381599414; variants: item id AU-MIC-04, price 134.9, available yes)"),
    ],
)
def test_the_action_reads_as_words_with_its_arguments(tool, args, text):
    assert confirmation_text(REGISTRY.get(tool))({"name": tool, "args": args}, None, None) == text


def test_credentials_are_never_shown():
    spec = REGISTRY.get("create_marketplace_connection")
    text = confirmation_text(spec)({"name": spec.name, "args": {"channel": "etsy", "credentials": {"key": "s3cret"}}},
                                   None, None)
    assert "s3cret" not in text and text.startswith("connect a seller account on a channel (channel: etsy")


def test_items_the_conversation_showed_are_named_beside_their_ids():
    spec = REGISTRY.get("modify_pending_order_items")
    order = {"order_id": "#W7137149", "items": [
        {"item_id": "1451794972", "name": "Merino Socks", "options": {"size": "35-38", "colour": "grey"}}]}
    variants = {"variants": [{"item_id": "1701770084", "name": "Merino Socks", "options": {"size": "43-46"}}]}
    state = {"messages": [ToolMessage(json.dumps(order), tool_call_id="1"), ToolMessage(json.dumps(variants),
                                                                                        tool_call_id="2"),
                          ToolMessage("order not found", tool_call_id="3")]}
    call = {"name": spec.name, "args": {"order_id": "#W7137149", "item_ids": ["1451794972"],
                                        "new_item_ids": ["1701770084"], "payment_method_id": "paypal_8030938"}}
    text = confirmation_text(spec)(call, state, None)
    assert "item ids: 1451794972 (Merino Socks, 35-38, grey)" in text
    assert "new item ids: 1701770084 (Merino Socks, 43-46)" in text
    assert "payment method id: paypal_8030938;" in text or text.endswith("payment method id: paypal_8030938)")
