"""Return eligibility (get_return_eligibility): each state, the windows from the settings, agreement with the writes
it gates, ownership, and the preconditions of the after-sales writes."""

from datetime import timedelta

import pytest

from db.base import utcnow
from db.enums import OrderStatus
from tests import factories as f
from tests.tools.after_sales_helpers import delivered, everything, set_setting
from tests.tools.order_helpers import shop
from tools.errors import Conflict, Forbidden, NotFound
from tools.registry import load_all


async def eligibility(call, who, order):
    return await call(who, "get_return_eligibility", order_id=order.id)


async def test_a_recent_delivery_lists_its_units_and_the_last_day_of_each_window(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 2), (sh.mug.variants[0], 1)], days_ago=3)
    out = await eligibility(call, as_customer(sh.customer), order)
    day = out.delivered_at.date()
    assert (out.return_state, out.status, out.days_since_delivery) == ("returnable", "delivered", 3)
    assert (out.return_window_days, out.return_until) == (30, day + timedelta(days=30))
    assert (out.defect_window_days, out.defect_return_until) == (90, day + timedelta(days=90))
    assert [(i.sku, i.delivered, i.returnable) for i in out.items] == [("KB-RED", 2, 2), ("MUG-W", 1, 1)]
    assert (out.warranty_state, out.open_rma_number) == ("covered", None)
    assert (out.warranty_until.year - day.year, out.warranty_until.month) == (2, day.month)  # 24 months


@pytest.mark.parametrize(("status", "state"), [("pending", "not_delivered"), ("processed", "not_delivered"),
                                                ("on_hold", "not_delivered"), ("cancelled", "cancelled")])
async def test_an_order_never_delivered_has_nothing_to_return(sessions, call, as_customer, status, state):
    sh = await shop(sessions)
    order = await f.order(sessions, sh.customer, [(sh.red, 1)], sh.card, status=OrderStatus(status))
    out = await eligibility(call, as_customer(sh.customer), order)
    assert (out.return_state, out.items, out.delivered_at, out.return_until) == (state, [], None, None)
    assert (out.warranty_state, out.warranty_until) == ("not_delivered", None)


@pytest.mark.parametrize(("days_ago", "state"), [(30, "returnable"), (31, "defects_only"), (90, "defects_only"),
                                                  (91, "window_closed")])
@pytest.mark.parametrize("reason", ["changed_mind", "product_defect"])
async def test_the_state_says_what_the_write_then_does(sessions, call, as_customer, days_ago, state, reason):
    """One rule: a return goes through exactly when the state allows it for the reason given."""
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=days_ago)
    out = await eligibility(call, me, order)
    assert out.return_state == state and bool(out.items) == (state != "window_closed")
    opens = state == "returnable" or (state == "defects_only" and reason == "product_defect")
    if opens:
        assert (await call(me, "request_return", order_id=order.id, reason=reason)).status == "requested"
    else:
        with pytest.raises(Conflict, match="return window"):
            await call(me, "request_return", order_id=order.id, reason=reason)


@pytest.mark.parametrize(("days_ago", "label"), [
    (90, "delivered"), (91, "delivered (return window closed: 30 days from delivery, 90 for a defect)")])
async def test_the_order_says_when_every_return_window_has_closed(sessions, call, as_customer, days_ago, label):
    """The status label the order tools' return and exchange writes check before asking for anything."""
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=days_ago)
    assert (await call(me, "get_order_details", order_id=order.id)).status_label == label
    gate = load_all().get("return_delivered_order_items").precondition
    assert (gate.state, gate.allowed) == ("status_label", ("delivered",))


async def test_the_windows_are_the_typed_settings(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=95)
    assert (await eligibility(call, me, order)).return_state == "window_closed"
    await set_setting(sessions, "returns.defect_window_days", 100)
    await set_setting(sessions, "returns.window_days", 95)
    out = await eligibility(call, me, order)
    assert (out.return_state, out.return_window_days, out.defect_window_days) == ("returnable", 95, 100)
    assert out.return_until == out.delivered_at.date() + timedelta(days=95)


async def test_an_open_return_then_a_fully_returned_order(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    rma = await call(me, "request_return", order_id=order.id, reason="changed_mind")
    out = await eligibility(call, me, order)
    assert (out.return_state, out.open_rma_number, out.items) == ("return_in_progress", rma.rma_number, [])
    assert out.open_rma_status == "requested"
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="unopened")
    # Where the open return stands is told with it ("did my parcel arrive?").
    assert (await eligibility(call, me, order)).open_rma_status == "received"
    await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")
    await call(support, "resolve_return", rma_number=rma.rma_number)
    out = await eligibility(call, me, order)
    assert (out.return_state, out.status, out.items, out.open_rma_number, out.open_rma_status) == (
        "nothing_left", "delivered", [], None, None)


async def test_the_warranty_state_is_the_one_the_claim_enforces(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    await set_setting(sessions, "warranty.months", 1)
    old = await delivered(sessions, sh, [(sh.red, 1)], days_ago=40)
    out = await eligibility(call, me, old)
    assert (out.warranty_state, out.return_state) == ("expired", "defects_only")
    assert out.warranty_until < utcnow().date()
    with pytest.raises(Conflict) as refused:
        await call(me, "submit_warranty_claim", order_id=old.id, description="The keys no longer respond.")
    assert refused.value.code == "warranty_expired"


async def test_customers_read_only_their_own_orders(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await delivered(sessions, sh, [(sh.red, 1)])
    before = await everything(sessions)
    with pytest.raises(NotFound):
        await eligibility(call, as_customer(bob), order)
    with pytest.raises(Forbidden):
        await eligibility(call, warehouse_staff, order)
    assert (await eligibility(call, support, order)).return_state == "returnable"
    assert await everything(sessions) == before


async def test_rest_serves_it_and_names_a_bad_order_number(sessions, call, api, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    got = await api.get(f"/api/v1/returns/eligibility/{order.id.lstrip('#')}", headers=headers)
    assert got.status_code == 200, got.text
    assert got.json() == (await eligibility(call, as_customer(sh.customer), order)).model_dump(mode="json")
    bad = await api.get("/api/v1/returns/eligibility/order-one", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "order_id"


def test_the_after_sales_writes_read_their_state_first():
    registry = load_all()
    gates = {name: registry.get(name).precondition for name in ("request_return", "submit_warranty_claim",
                                                                "cancel_return")}
    assert (gates["request_return"].read, gates["request_return"].state,
            gates["request_return"].allowed) == ("get_return_eligibility", "return_state", ("returnable",
                                                                                          "defects_only"))
    assert (gates["submit_warranty_claim"].state, gates["submit_warranty_claim"].allowed) == (
        "warranty_state", ("covered",))
    # An RMA can be withdrawn until its parcel leaves: the RMA table's moves to cancelled.
    assert (gates["cancel_return"].read, gates["cancel_return"].state, gates["cancel_return"].allowed) == (
        "get_rma", "status", ("approved", "requested"))
