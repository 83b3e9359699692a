"""The retail benchmark's order writes: cancel, modify address / payment / items, return, exchange.

Every refusal is checked to leave the order, its ledger, its stock and the gift card balances as they were.
"""

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from db.engine import unit_of_work
from db.enums import OrderStatus, PaymentMethodKind
from db.models import Exchange, ProductVariant, ReturnRequest, StockLevel
from tests import factories as f
from tests.tools.order_helpers import allocated, balance, shop, snapshot
from tools.errors import Conflict, InsufficientStock, InvalidInput, NotFound, PaymentDeclined


def history(out):
    return [(p.transaction_type, p.amount, p.payment_method_id) for p in out.payment_history]


async def pending(call, as_customer, sh, *skus, method=None):
    """A pending order placed through the tool, one line per SKU (quantity 1)."""
    return await call(as_customer(sh.customer), "place_order", lines=[{"item": s} for s in skus],
                      payment_method_id=(method or sh.card).id)


async def delivered(sessions, sh, *variants, method=None):
    """A delivered order as the benchmark holds them: one line per unit, paid once, no stock held."""
    return await f.order(sessions, sh.customer, [(v, 1) for v in variants], method or sh.card,
                         status=OrderStatus.DELIVERED)


async def switch_off(sessions, variant):
    async with unit_of_work(sessions) as s:
        await s.execute(update(ProductVariant).where(ProductVariant.id == variant.id).values(available=False))


# --- cancel_pending_order -------------------------------------------------------------------------------


async def test_cancel_refunds_every_payment_and_releases_stock(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-RED", "KB-RED", "MUG-W", method=sh.gift)
    assert await allocated(sessions, sh.red) == (10, 2)
    assert await balance(sessions, sh.gift) == Decimal("310.00")
    out = await call(as_customer(sh.customer), "cancel_pending_order", order_id=order.order_id,
                     reason="ordered by mistake")
    assert (out.status, out.cancel_reason) == (OrderStatus.CANCELLED, "ordered by mistake")
    assert history(out) == [("payment", Decimal("190"), sh.gift.id), ("refund", Decimal("190"), sh.gift.id)]
    assert await allocated(sessions, sh.red) == (10, 0)
    assert await balance(sessions, sh.gift) == Decimal("500.00")


async def test_cancel_after_a_payment_change_refunds_only_what_is_held(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-RED")
    me = as_customer(sh.customer)
    await call(me, "modify_pending_order_payment", order_id=order.order_id, payment_method_id=sh.gift.id)
    out = await call(me, "cancel_pending_order", order_id=order.order_id, reason="no longer needed")
    assert history(out)[-1] == ("refund", Decimal("89.00"), sh.gift.id) and len(out.payment_history) == 4
    assert await balance(sessions, sh.gift) == Decimal("500.00")


@pytest.mark.parametrize("case", ["bad_reason", "processed", "items_modified", "other_customer", "cancelled"])
async def test_cancel_refusals_change_nothing(sessions, call, as_customer, support, case):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await pending(call, as_customer, sh, "KB-RED", method=sh.gift)
    me, oid = as_customer(sh.customer), order.order_id
    if case == "processed":
        await call(support, "update_order_status", order_id=oid, status="processed")
    if case == "items_modified":
        await call(me, "modify_pending_order_items", order_id=oid, item_ids=[sh.red.id],
                   new_item_ids=[sh.blue.id], payment_method_id=sh.gift.id)
    if case == "cancelled":
        await call(me, "cancel_pending_order", order_id=oid, reason="no longer needed")
    before = await snapshot(sessions, oid, sh.gift)
    error, who, reason = {
        "bad_reason": (InvalidInput, me, "found it cheaper"), "processed": (Conflict, me, "no longer needed"),
        "items_modified": (Conflict, me, "no longer needed"), "other_customer": (NotFound, as_customer(bob),
                                                                                 "no longer needed"),
        "cancelled": (Conflict, me, "no longer needed"),
    }[case]
    with pytest.raises(error):
        await call(who, "cancel_pending_order", order_id=oid, reason=reason)
    assert await snapshot(sessions, oid, sh.gift) == before


# --- modify_pending_order_address -----------------------------------------------------------------------

NEW_ADDRESS = {"address1": "10 Main Street", "address2": "Apt 2", "city": "Denver", "state": "CO",
               "country": "USA", "zip": "80202"}


async def test_modify_address_of_pending_and_item_modified_orders(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-RED")
    me = as_customer(sh.customer)
    out = await call(me, "modify_pending_order_address", order_id=order.order_id, **NEW_ADDRESS)
    assert out.shipping_address == NEW_ADDRESS and history(out) == history(order)
    await call(me, "modify_pending_order_items", order_id=order.order_id, item_ids=[sh.red.id],
               new_item_ids=[sh.blue.id], payment_method_id=sh.card.id)
    out = await call(me, "modify_pending_order_address", order_id=order.order_id,
                     **{**NEW_ADDRESS, "zip": "80203"})
    assert out.shipping_address["zip"] == "80203" and out.status_label == "pending (item modified)"


async def test_modify_address_refusals_change_nothing(sessions, call, as_customer):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    done = await delivered(sessions, sh, sh.red)
    order = await pending(call, as_customer, sh, "KB-RED")
    attempts = [(as_customer(sh.customer), done.id, Conflict), (as_customer(bob), order.order_id, NotFound)]
    for who, oid, error in attempts:
        before = await snapshot(sessions, oid)
        with pytest.raises(error):
            await call(who, "modify_pending_order_address", order_id=oid, **NEW_ADDRESS)
        assert await snapshot(sessions, oid) == before
    with pytest.raises(InvalidInput):
        await call(as_customer(sh.customer), "modify_pending_order_address", order_id=order.order_id,
                   **{**NEW_ADDRESS, "city": ""})


# --- modify_pending_order_payment -----------------------------------------------------------------------


async def test_modify_payment_to_a_gift_card_and_back(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-GREEN")
    me = as_customer(sh.customer)
    out = await call(me, "modify_pending_order_payment", order_id=order.order_id,
                     payment_method_id=sh.gift.id)
    assert out.status == OrderStatus.PENDING
    assert history(out) == [("payment", Decimal("120"), sh.card.id), ("payment", Decimal("120"), sh.gift.id),
                            ("refund", Decimal("120"), sh.card.id)]
    assert await balance(sessions, sh.gift) == Decimal("380.00")
    other = await pending(call, as_customer, sh, "KB-RED", method=sh.gift)
    out = await call(me, "modify_pending_order_payment", order_id=other.order_id,
                     payment_method_id=sh.card.id)
    assert history(out)[-1] == ("refund", Decimal("89.00"), sh.gift.id)
    assert await balance(sessions, sh.gift) == Decimal("380.00")


@pytest.mark.parametrize("case", ["same_method", "gift_short", "two_entries", "foreign_method", "delivered",
                                  "unknown_method"])
async def test_modify_payment_refusals_change_nothing(sessions, call, as_customer, case):
    sh = await shop(sessions, gift_balance="100.00")
    bob = await f.customer(sessions, first="Bob", last="Stone")
    bob_card = await f.payment_method(sessions, bob)
    other_card = await f.payment_method(sessions, sh.customer)
    me = as_customer(sh.customer)
    order = await pending(call, as_customer, sh, "KB-GREEN", "KB-RED")  # 209.00
    oid = order.order_id
    if case == "two_entries":
        await call(me, "modify_pending_order_payment", order_id=oid, payment_method_id=other_card.id)
    if case == "delivered":
        oid = (await delivered(sessions, sh, sh.red)).id
    before = await snapshot(sessions, oid, sh.gift)
    error, method = {
        "same_method": (InvalidInput, sh.card.id), "gift_short": (PaymentDeclined, sh.gift.id),
        "two_entries": (Conflict, sh.card.id), "foreign_method": (NotFound, bob_card.id),
        "delivered": (Conflict, sh.gift.id), "unknown_method": (NotFound, "credit_card_404"),
    }[case]
    with pytest.raises(error):
        await call(me, "modify_pending_order_payment", order_id=oid, payment_method_id=method)
    assert await snapshot(sessions, oid, sh.gift) == before


# --- modify_pending_order_items -------------------------------------------------------------------------


async def test_modify_items_charges_the_difference_to_a_gift_card(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-RED", "MUG-W")
    out = await call(as_customer(sh.customer), "modify_pending_order_items", order_id=order.order_id,
                     item_ids=[sh.red.id], new_item_ids=[sh.green.id], payment_method_id=sh.gift.id)
    assert (out.status, out.items_modified, out.status_label) == ("pending", True, "pending (item modified)")
    assert [(i.item_id, i.sku, i.options, i.price) for i in out.items][0] == (
        sh.green.id, "KB-GREEN", {"switch": "green"}, Decimal("120.00"))
    assert out.items[0].name == "Mechanical Keyboard" and out.items[0].product_id == sh.keyboard.id
    assert history(out)[-1] == ("payment", Decimal("31.00"), sh.gift.id)
    assert out.total == Decimal("132.00")
    assert await balance(sessions, sh.gift) == Decimal("469.00")
    assert await allocated(sessions, sh.red) == (10, 0) and await allocated(sessions, sh.green) == (10, 1)


async def test_modify_items_refunds_cheaper_items_and_prices_each_line_alone(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await pending(call, as_customer, sh, "KB-GREEN", "KB-GREEN", "KB-BLUE")
    out = await call(as_customer(sh.customer), "modify_pending_order_items", order_id=order.order_id,
                     item_ids=[sh.green.id, sh.green.id], new_item_ids=[sh.blue.id, sh.red.id],
                     payment_method_id=sh.gift.id)
    # Upstream copies the last new variant's price and options to every changed line; we do not.
    assert [(i.item_id, i.price, i.options["switch"]) for i in out.items] == [
        (sh.blue.id, Decimal("94.50"), "blue"), (sh.red.id, Decimal("89.00"), "red"),
        (sh.blue.id, Decimal("94.50"), "blue")]
    assert history(out)[-1] == ("refund", Decimal("56.50"), sh.gift.id)  # (94.50 - 120) + (89 - 120)
    assert await balance(sessions, sh.gift) == Decimal("556.50")
    assert [await allocated(sessions, v) for v in (sh.red, sh.blue, sh.green)] == [(10, 1), (10, 2), (10, 0)]


async def test_modify_items_splits_a_line_of_several_units(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await call(as_customer(sh.customer), "place_order", lines=[{"item": "KB-RED", "quantity": 3}],
                       payment_method_id=sh.card.id)
    out = await call(as_customer(sh.customer), "modify_pending_order_items", order_id=order.order_id,
                     item_ids=[sh.red.id], new_item_ids=[sh.blue.id], payment_method_id=sh.card.id)
    assert [(i.item_id, i.quantity, i.price) for i in out.items] == [
        (sh.red.id, 2, Decimal("89.00")), (sh.blue.id, 1, Decimal("94.50"))]
    assert await allocated(sessions, sh.red) == (10, 2) and await allocated(sessions, sh.blue) == (10, 1)
    assert out.total == Decimal("272.50")


@pytest.mark.parametrize("case", ["twice", "not_in_order", "listed_too_often", "other_product", "same_item",
                                  "unavailable", "no_stock", "gift_short", "length", "delivered",
                                  "foreign_method"])
async def test_modify_items_refusals_change_nothing(sessions, call, as_customer, case):
    sh = await shop(sessions, gift_balance="20.00")
    bob = await f.customer(sessions, first="Bob", last="Stone")
    me = as_customer(sh.customer)
    order = await pending(call, as_customer, sh, "KB-RED", "MUG-W", method=sh.card)
    oid = order.order_id
    red, blue, green, mug = sh.red.id, sh.blue.id, sh.green.id, sh.mug.variants[0].id
    if case == "twice":
        await call(me, "modify_pending_order_items", order_id=oid, item_ids=[red], new_item_ids=[blue],
                   payment_method_id=sh.card.id)
    if case == "unavailable":
        await switch_off(sessions, sh.blue)
    if case == "no_stock":
        async with unit_of_work(sessions) as s:  # somebody else holds all the blue ones
            await s.execute(update(StockLevel).where(StockLevel.variant_id == blue).values(allocated=10))
    if case == "delivered":
        oid = (await delivered(sessions, sh, sh.red)).id
    before = await snapshot(sessions, oid, sh.gift)
    error, old, new, method = {
        "twice": (Conflict, [blue], [green], sh.card.id),
        "not_in_order": (InvalidInput, [green], [blue], sh.card.id),
        "listed_too_often": (InvalidInput, [red, red], [blue, green], sh.card.id),
        "other_product": (InvalidInput, [red], [mug], sh.card.id),
        "same_item": (InvalidInput, [red], [red], sh.card.id),
        "unavailable": (Conflict, [red], [blue], sh.card.id),
        "no_stock": (InsufficientStock, [red], [blue], sh.card.id),
        "gift_short": (PaymentDeclined, [red], [green], sh.gift.id),  # 31.00 > 20.00
        "length": (InvalidInput, [red, mug], [blue], sh.card.id),
        "delivered": (Conflict, [red], [blue], sh.card.id),
        "foreign_method": (NotFound, [red], [blue], (await f.payment_method(sessions, bob)).id),
    }[case]
    with pytest.raises(error):
        await call(me, "modify_pending_order_items", order_id=oid, item_ids=old, new_item_ids=new,
                   payment_method_id=method)
    assert await snapshot(sessions, oid, sh.gift) == before


# --- return_delivered_order_items -----------------------------------------------------------------------


async def test_return_opens_an_rma_without_refunding_yet(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, sh.red, sh.red, sh.mug.variants[0])
    out = await call(as_customer(sh.customer), "return_delivered_order_items", order_id=order.id,
                     item_ids=[sh.red.id, sh.mug.variants[0].id, sh.red.id], payment_method_id=sh.gift.id)
    assert (out.status, out.status_label) == (OrderStatus.RETURN_REQUESTED, "return requested")
    assert out.return_items == sorted([sh.red.id, sh.red.id, sh.mug.variants[0].id])
    assert out.return_payment_method_id == sh.gift.id and len(out.payment_history) == 1
    assert await balance(sessions, sh.gift) == Decimal("500.00")
    async with sessions() as s:
        rma = await s.scalar(select(ReturnRequest).options(selectinload(ReturnRequest.lines)))
    assert rma.rma_number == out.rma_number and len(rma.rma_number) == len("RMA-20260101-ABCD1234")
    assert rma.rma_number.startswith("RMA-") and rma.rma_number[4:12].isdigit()
    assert (rma.status, rma.reason, rma.resolution, rma.refund_method_id) == (
        "requested", "other", "refund", sh.gift.id)
    assert sorted(ln.variant_id for ln in rma.lines) == out.return_items
    assert {ln.quantity for ln in rma.lines} == {1} and len({ln.order_line_id for ln in rma.lines}) == 3
    # What the return refunds once the items are back is told with it, as after-sales' request_return tells it.
    assert rma.refund_amount and out.return_refund_amount == rma.refund_amount


async def test_return_to_the_original_method_with_a_reason(sessions, call, support):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, sh.red)
    out = await call(support, "return_delivered_order_items", order_id=order.id, item_ids=[sh.red.id],
                     payment_method_id=sh.card.id, reason="product_defect")
    assert out.return_payment_method_id == sh.card.id
    async with sessions() as s:
        assert (await s.scalar(select(ReturnRequest.reason))) == "product_defect"


@pytest.mark.parametrize("case", ["pending", "not_original", "not_in_order", "listed_too_often", "twice",
                                  "other_customer"])
async def test_return_refusals_change_nothing(sessions, call, as_customer, case):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    other_card = await f.payment_method(sessions, sh.customer)
    me = as_customer(sh.customer)
    oid = (await delivered(sessions, sh, sh.red, sh.blue)).id
    if case == "pending":
        oid = (await pending(call, as_customer, sh, "KB-RED")).order_id
    if case == "twice":
        await call(me, "return_delivered_order_items", order_id=oid, item_ids=[sh.red.id],
                   payment_method_id=sh.card.id)
    before = await snapshot(sessions, oid, sh.gift)
    error, who, items, method = {
        "pending": (Conflict, me, [sh.red.id], sh.card.id),
        "not_original": (InvalidInput, me, [sh.red.id], other_card.id),
        "not_in_order": (InvalidInput, me, [sh.green.id], sh.card.id),
        "listed_too_often": (InvalidInput, me, [sh.red.id, sh.red.id], sh.card.id),
        "twice": (Conflict, me, [sh.blue.id], sh.card.id),
        "other_customer": (NotFound, as_customer(bob), [sh.red.id], sh.card.id),
    }[case]
    with pytest.raises(error):
        await call(who, "return_delivered_order_items", order_id=oid, item_ids=items,
                   payment_method_id=method)
    assert await snapshot(sessions, oid, sh.gift) == before
    async with sessions() as s:
        assert len((await s.execute(select(ReturnRequest.id))).all()) == (1 if case == "twice" else 0)


# --- exchange_delivered_order_items ---------------------------------------------------------------------


async def test_exchange_records_pairs_and_difference_without_paying(sessions, call, as_customer):
    sh = await shop(sessions, gift_balance="40.00")
    order = await delivered(sessions, sh, sh.red, sh.blue, sh.red)
    out = await call(as_customer(sh.customer), "exchange_delivered_order_items", order_id=order.id,
                     item_ids=[sh.red.id, sh.blue.id, sh.red.id],
                     new_item_ids=[sh.green.id, sh.blue.id, sh.blue.id], payment_method_id=sh.gift.id)
    assert (out.status, out.status_label) == (OrderStatus.EXCHANGE_REQUESTED, "exchange requested")
    assert out.exchange_items == [sh.red.id, sh.blue.id, sh.red.id]
    assert out.exchange_new_items == [sh.green.id, sh.blue.id, sh.blue.id]
    assert out.exchange_price_difference == Decimal("36.50")  # 31 + 0 + 5.50
    assert out.exchange_payment_method_id == sh.gift.id and len(out.payment_history) == 1
    assert await balance(sessions, sh.gift) == Decimal("40.00")
    async with sessions() as s:
        exchange = await s.scalar(select(Exchange).options(selectinload(Exchange.lines)))
    assert exchange.status == "requested" and [ln.position for ln in exchange.lines] == [0, 1, 2]


@pytest.mark.parametrize("case", ["pending", "gift_short", "other_product", "unavailable", "not_in_order",
                                  "length", "foreign_method"])
async def test_exchange_refusals_change_nothing(sessions, call, as_customer, case):
    sh = await shop(sessions, gift_balance="30.00")
    bob = await f.customer(sessions, first="Bob", last="Stone")
    bob_gift = await f.payment_method(sessions, bob, PaymentMethodKind.GIFT_CARD, balance=1000)
    me = as_customer(sh.customer)
    oid = (await delivered(sessions, sh, sh.red, sh.mug.variants[0])).id
    if case == "pending":
        oid = (await pending(call, as_customer, sh, "KB-RED")).order_id
    if case == "unavailable":
        await switch_off(sessions, sh.green)
    before = await snapshot(sessions, oid, sh.gift, bob_gift)
    error, items, new, method = {
        "pending": (Conflict, [sh.red.id], [sh.blue.id], sh.card.id),
        "gift_short": (PaymentDeclined, [sh.red.id], [sh.green.id], sh.gift.id),  # 31.00 > 30.00
        "other_product": (InvalidInput, [sh.red.id], [sh.mug.variants[0].id], sh.card.id),
        "unavailable": (Conflict, [sh.red.id], [sh.green.id], sh.card.id),
        "not_in_order": (InvalidInput, [sh.blue.id], [sh.green.id], sh.card.id),
        "length": (InvalidInput, [sh.red.id], [sh.green.id, sh.blue.id], sh.card.id),
        "foreign_method": (NotFound, [sh.red.id], [sh.green.id], bob_gift.id),
    }[case]
    with pytest.raises(error):
        await call(me, "exchange_delivered_order_items", order_id=oid, item_ids=items, new_item_ids=new,
                   payment_method_id=method)
    assert await snapshot(sessions, oid, sh.gift, bob_gift) == before
    async with sessions() as s:
        assert (await s.execute(select(Exchange.id))).first() is None
