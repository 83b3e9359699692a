"""Requesting a return (RMA): eligibility boundaries, resolutions, label costs, ownership, roles, REST, and the
order agent's benchmark tools opening the very same records."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import OrderStatus
from db.models import AuditEvent, Exchange, Order, OutboxEvent, ReturnRequest
from tests import factories as f
from tests.tools.after_sales_helpers import delivered, everything, set_setting, topics
from tests.tools.order_helpers import shop
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound

RMA = re.compile(r"^RMA-\d{8}-[A-Z0-9]{8}$")


async def ask(call, who, order, **args):
    """request_return with a reason (changed_mind unless given)."""
    return await call(who, "request_return", order_id=order.id, **{"reason": "changed_mind", **args})


# --- eligibility ------------------------------------------------------------------------------------------


async def test_day_30_is_inside_the_window_and_day_31_outside(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    inside = await delivered(sessions, sh, [(sh.red, 1)], days_ago=30)
    outside = await delivered(sessions, sh, [(sh.red, 1)], days_ago=31)
    out = await ask(call, me, inside)
    assert RMA.match(out.rma_number) and out.rma_number[4:12] == f"{utcnow():%Y%m%d}"
    assert (out.status, out.reason, out.resolution, out.refund_method_id) == (
        "requested", "changed_mind", "refund", sh.card.id)
    before = await everything(sessions)
    with pytest.raises(Conflict) as refused:
        await ask(call, me, outside)
    assert refused.value.code == "return_window_closed" and refused.value.details["days_since_delivery"] == 31
    assert await everything(sessions) == before


async def test_defects_have_90_days(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    day_90 = await delivered(sessions, sh, [(sh.red, 1)], days_ago=90)
    day_91 = await delivered(sessions, sh, [(sh.blue, 1)], days_ago=91)
    with pytest.raises(Conflict, match="return window"):
        await ask(call, me, day_90)  # changed_mind: 30 days only
    out = await ask(call, me, day_90, reason="product_defect")
    assert out.reason == "product_defect" and out.label_cost is None  # free label
    with pytest.raises(Conflict) as refused:
        await ask(call, me, day_91, reason="product_defect")
    assert refused.value.details["window_days"] == 90


async def test_the_windows_are_typed_settings(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=35)
    with pytest.raises(Conflict):
        await ask(call, as_customer(sh.customer), order)
    await set_setting(sessions, "returns.window_days", 40)
    assert (await ask(call, as_customer(sh.customer), order)).status == "requested"
    with pytest.raises(InvalidInput):
        await set_setting(sessions, "returns.defect_window_days", 0)


@pytest.mark.parametrize("status", ["pending", "processed", "cancelled"])
async def test_only_delivered_orders_can_come_back(sessions, call, as_customer, status):
    sh = await shop(sessions)
    order = await f.order(sessions, sh.customer, [(sh.red, 1)], sh.card, status=OrderStatus(status))
    before = await everything(sessions)
    with pytest.raises(Conflict) as refused:
        await ask(call, as_customer(sh.customer), order)
    assert refused.value.code == "invalid_status"
    assert await everything(sessions) == before


async def test_a_delivered_status_without_a_delivery_date_is_refused(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    async with unit_of_work(sessions) as s:
        (await s.get(Order, order.id)).delivered_at = None
    with pytest.raises(Conflict):
        await ask(call, as_customer(sh.customer), order)


async def test_quantity_is_at_most_delivered_minus_already_returned(sessions, call, as_customer, support,
                                                                   warehouse_staff):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 3), (sh.mug.variants[0], 1)])
    with pytest.raises(InvalidInput) as refused:
        await ask(call, me, order, lines=[{"item": "KB-RED", "quantity": 4}])
    assert refused.value.code == "quantity_exceeds_returnable" and refused.value.details["returnable"] == 3
    first = await ask(call, me, order, lines=[{"item": "kb-red", "quantity": 2}])
    assert [(ln.sku, ln.quantity) for ln in first.lines] == [("KB-RED", 2)]
    # Resolve it (refund), so the order is delivered again with 2 red units returned.
    await call(support, "update_rma_status", rma_number=first.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=first.rma_number, condition="unopened")
    await call(warehouse_staff, "update_rma_status", rma_number=first.rma_number, status="inspected")
    await call(support, "resolve_return", rma_number=first.rma_number)
    before = await everything(sessions)
    with pytest.raises(InvalidInput) as refused:
        await ask(call, me, order, lines=[{"item": sh.red.id, "quantity": 2}])
    assert refused.value.details == {"item_id": sh.red.id, "asked": 2, "returnable": 1}
    assert await everything(sessions) == before
    second = await ask(call, me, order)  # everything left: one red, one mug
    assert sorted((ln.sku, ln.quantity) for ln in second.lines) == [("KB-RED", 1), ("MUG-W", 1)]


async def test_rejected_and_cancelled_returns_free_their_units(sessions, call, as_customer, support):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    first = await ask(call, me, order)
    await call(support, "update_rma_status", rma_number=first.rma_number, status="rejected", note="no reason given")
    second = await ask(call, me, order)
    await call(me, "cancel_return", rma_number=second.rma_number)
    third = await ask(call, me, order)
    assert third.lines[0].quantity == 1
    async with sessions() as s:
        assert (await s.get(Order, order.id)).status == OrderStatus.RETURN_REQUESTED


async def test_items_named_by_product_name_and_ambiguity(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1), (sh.blue, 1), (sh.mug.variants[0], 1)])
    me = as_customer(sh.customer)
    with pytest.raises(Conflict) as ambiguous:
        await ask(call, me, order, lines=[{"item": "keyboard"}])
    assert ambiguous.value.code == "ambiguous_reference" and len(ambiguous.value.details) == 2
    with pytest.raises(InvalidInput) as missing:
        await ask(call, me, order, lines=[{"item": "KB-GREEN"}])
    assert missing.value.code == "item_not_in_order"
    out = await ask(call, me, order, lines=[{"item": "mug"}])
    assert [ln.item_id for ln in out.lines] == [sh.mug.variants[0].id]


# --- resolutions and the label ----------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "reason", "label"), [
    ("FR", "changed_mind", "5.50"), ("France", "better_price", "5.50"), ("DE", "other", "12.50"),
    ("US", "changed_mind", "0.00"), ("FR", "damaged_in_shipping", "0.00"), ("DE", "wrong_item", "0.00"),
])
async def test_label_cost_taken_for_non_free_reasons(sessions, call, as_customer, country, reason, label):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)], country=country)
    out = await ask(call, as_customer(sh.customer), order, reason=reason)
    assert (out.items_value, out.label_cost or Decimal("0.00"), out.refund_amount) == (
        Decimal("89.00"), Decimal(label), Decimal("89.00") - Decimal(label))


async def test_store_credit_and_refund_methods(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    other_card = await f.payment_method(sessions, sh.customer)
    credit = await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]), resolution="store_credit")
    assert credit.resolution == "store_credit" and credit.refund_method_id is None
    to_gift = await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]), payment_method_id=sh.gift.id)
    assert to_gift.refund_method_id == sh.gift.id
    for method in (other_card.id, "credit_card_404"):
        with pytest.raises((InvalidInput, NotFound)):
            await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]), payment_method_id=method)
    with pytest.raises(InvalidInput):
        await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]), resolution="store_credit",
                  payment_method_id=sh.card.id)


async def test_exchange_through_after_sales(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 2)])
    out = await ask(call, me, order, reason="not_as_described", resolution="exchange",
                    lines=[{"item": "KB-RED", "quantity": 2, "new_item": "KB-GREEN"}])
    assert out.resolution == "exchange" and out.refund_amount is None
    assert out.exchange.price_difference == Decimal("62.00") and out.exchange.rma_number == out.rma_number
    assert [(ln.item_id, ln.new_sku) for ln in out.exchange.lines] == [(sh.red.id, "KB-GREEN")] * 2
    async with sessions() as s:
        assert (await s.get(Order, order.id)).status == OrderStatus.EXCHANGE_REQUESTED
    for bad in ({"resolution": "exchange"}, {"resolution": "exchange", "lines": [{"item": "KB-RED"}]},
                {"lines": [{"item": "KB-RED", "new_item": "KB-BLUE"}]}, {"reason": "broken"}):
        with pytest.raises(InvalidInput):
            await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]), **bad)


# --- who may do what ---------------------------------------------------------------------------------------


async def test_customers_reach_only_their_own_returns(sessions, call, as_customer, support):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await delivered(sessions, sh, [(sh.red, 1)])
    mine = await ask(call, as_customer(sh.customer), order)
    before = await everything(sessions)
    for name, args in [("request_return", {"order_id": order.id, "reason": "changed_mind"}),
                       ("get_rma", {"rma_number": mine.rma_number}),
                       ("get_rma", {"rma_number": order.id}),
                       ("cancel_return", {"rma_number": mine.rma_number}),
                       ("list_customer_returns", {"customer_id": sh.customer.id}),
                       ("get_exchange", {"exchange_ref": order.id})]:
        with pytest.raises(NotFound):
            await call(as_customer(bob), name, **args)
    assert await everything(sessions) == before
    assert (await call(as_customer(sh.customer), "get_rma", rma_number=order.id.lower())).rma_number == \
        mine.rma_number
    listed = await call(as_customer(sh.customer), "list_customer_returns", customer_id="me")
    assert [r.rma_number for r in listed.returns] == [mine.rma_number] and listed.total == 1
    # Each return names what it returns, so "the return for the keyboard" can be told from another.
    assert listed.returns[0].item_names == ["Mechanical Keyboard"]
    assert (await call(support, "list_customer_returns", customer_id=sh.customer.email)).total == 1


async def test_role_refusals_change_nothing(sessions, call, as_customer, warehouse_staff, support):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    rma = await ask(call, as_customer(sh.customer), order)
    before = await everything(sessions)
    attempts = [
        (warehouse_staff, "request_return", {"order_id": order.id, "reason": "changed_mind"}),
        (warehouse_staff, "update_rma_status", {"rma_number": rma.rma_number, "status": "approved"}),
        (as_customer(sh.customer), "update_rma_status", {"rma_number": rma.rma_number, "status": "approved"}),
        (as_customer(sh.customer), "receive_return", {"rma_number": rma.rma_number, "condition": "unopened"}),
        (support, "receive_return", {"rma_number": rma.rma_number, "condition": "unopened"}),
        (as_customer(sh.customer), "resolve_return", {"rma_number": rma.rma_number}),
        (warehouse_staff, "resolve_return", {"rma_number": rma.rma_number}),
        (as_customer(sh.customer), "list_returns", {}),
    ]
    for who, name, args in attempts:
        with pytest.raises(Forbidden):
            await call(who, name, **args)
    assert await everything(sessions) == before


async def test_staff_list_returns_by_status_and_date(sessions, call, as_customer, support):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    first = await ask(call, me, await delivered(sessions, sh, [(sh.red, 1)]))
    second = await ask(call, me, await delivered(sessions, sh, [(sh.blue, 1)]))
    await call(support, "update_rma_status", rma_number=first.rma_number, status="approved")
    approved = await call(support, "list_returns", status="approved")
    assert [r.rma_number for r in approved.returns] == [first.rma_number]
    today = utcnow().date()
    assert (await call(support, "list_returns", created_from=today.isoformat())).total == 2
    assert (await call(support, "list_returns", created_to=(today - timedelta(days=1)).isoformat())).total == 0
    mine = await call(support, "list_returns", order_id=second.order_id.lstrip("#"))
    assert [r.rma_number for r in mine.returns] == [second.rma_number]


# --- one return path ---------------------------------------------------------------------------------------


async def rma_record(sessions, order_id: str) -> dict:
    """The order's RMA (and exchange) as the fields both paths must agree on, with its audit and events."""
    async with sessions() as s:
        rma = await s.scalar(select(ReturnRequest).options(selectinload(ReturnRequest.lines))
                             .where(ReturnRequest.order_id == order_id))
        exchange = await s.scalar(select(Exchange).options(selectinload(Exchange.lines))
                                  .where(Exchange.order_id == order_id))
        order = await s.get(Order, order_id)
        audit = await s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == rma.id))
        events = await s.scalars(select(OutboxEvent.topic).where(OutboxEvent.key.in_([rma.id, order_id]))
                                 .order_by(OutboxEvent.id))
        return {
            "rma": (rma.status, rma.reason, rma.resolution, rma.refund_method_id, rma.refund_amount,
                    rma.label_cost, rma.customer_id, RMA.match(rma.rma_number) is not None),
            "lines": sorted((ln.variant_id, ln.quantity) for ln in rma.lines),
            "exchange": None if exchange is None else (
                exchange.rma_id == rma.id, exchange.status, exchange.price_difference, exchange.payment_method_id,
                [(ln.old_variant_id, ln.new_variant_id, ln.quantity) for ln in exchange.lines]),
            "order": order.status, "audit": list(audit), "events": list(events),
        }


@pytest.mark.parametrize("kind", ["return", "exchange"])
async def test_order_agent_and_after_sales_open_identical_records(sessions, call, as_customer, kind):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    via_order = await delivered(sessions, sh, [(sh.red, 1), (sh.mug.variants[0], 1)])
    via_after_sales = await delivered(sessions, sh, [(sh.red, 1), (sh.mug.variants[0], 1)])
    if kind == "return":
        await call(me, "return_delivered_order_items", order_id=via_order.id, item_ids=[sh.red.id],
                   payment_method_id=sh.card.id, reason="changed_mind")
        await ask(call, me, via_after_sales, lines=[{"item": sh.red.id}])
    else:
        await call(me, "exchange_delivered_order_items", order_id=via_order.id, item_ids=[sh.red.id],
                   new_item_ids=[sh.blue.id], payment_method_id=sh.card.id, reason="changed_mind")
        await ask(call, me, via_after_sales, resolution="exchange", lines=[{"item": "KB-RED", "new_item": "KB-BLUE"}])
    first, second = await rma_record(sessions, via_order.id), await rma_record(sessions, via_after_sales.id)
    assert first == second
    assert first["events"] == ["rma.requested", f"order.{kind}_requested"] and first["audit"] == ["requested"]


async def test_benchmark_return_keeps_its_shape_and_order_details(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1), (sh.blue, 1)])
    me = as_customer(sh.customer)
    out = await call(me, "exchange_delivered_order_items", order_id=order.id, item_ids=[sh.blue.id],
                     new_item_ids=[sh.green.id], payment_method_id=sh.gift.id)
    assert out.rma_number and out.return_items is None and out.exchange_items == [sh.blue.id]
    rma = await call(me, "get_rma", rma_number=out.rma_number)
    assert rma.resolution == "exchange" and rma.exchange.price_difference == Decimal("25.50")


# --- REST ----------------------------------------------------------------------------------------------


async def test_rest_parity(sessions, call, api, as_customer):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await delivered(sessions, sh, [(sh.red, 1)])
    late = await delivered(sessions, sh, [(sh.red, 1)], days_ago=45)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    body = {"order_id": order.id, "reason": "changed_mind", "lines": [{"item": "KB-RED"}]}
    response = await api.post("/api/v1/returns/request", json=body, headers=headers)
    assert response.status_code == 200, response.text
    rma = response.json()
    assert rma["status"] == "requested" and rma["refund_amount"] == 83.5
    got = await api.get(f"/api/v1/returns/rma/{rma['rma_number']}", headers=headers)
    assert got.json() == (await call(as_customer(sh.customer), "get_rma", rma_number=rma["rma_number"])).model_dump(
        mode="json")
    by_order = await api.get(f"/api/v1/returns/rma/{order.id.lstrip('#')}", headers=headers)
    assert by_order.json()["rma_number"] == rma["rma_number"]
    refused = await api.post("/api/v1/returns/request", json={**body, "order_id": late.id}, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "return_window_closed"
    bad = await api.post("/api/v1/returns/request", json={**body, "reason": "bored"}, headers=headers)
    assert bad.status_code == 422
    other = {"Authorization": f"Bearer {await f.api_key(sessions, owner=bob)}"}
    assert (await api.get(f"/api/v1/returns/rma/{rma['rma_number']}", headers=other)).status_code == 404
    mine = await api.get("/api/v1/returns/customer/me", headers=headers)
    assert mine.json()["total"] == 1
    assert await topics(sessions) == ["rma.requested", "order.return_requested"]
