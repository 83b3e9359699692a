"""The confirmation question says the action in words, with every argument it will run with and no secrets."""

import pytest

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
    ],
)
def test_the_action_reads_as_words_with_its_arguments(tool, args, text):
    assert confirmation_text(REGISTRY.get(tool))({"name": tool, "args": args}, None, None) == text


def test_credentials_are_never_shown():
    spec = REGISTRY.get("create_marketplace_connection")
    text = confirmation_text(spec)({"name": spec.name, "args": {"channel": "etsy", "credentials": {"key": "s3cret"}}},
                                   None, None)
    assert "s3cret" not in text and text.startswith("connect a seller account on a channel (channel: etsy")
