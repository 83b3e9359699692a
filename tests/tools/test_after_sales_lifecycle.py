"""An RMA after it is requested: its state machine, receiving with dispositions and stock movements, and
the resolutions (refund once, store credit on a gift card, the exchange shipped), the order following."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.enums import OrderStatus, PaymentMethodKind, RmaStatus
from db.models import AuditEvent, Customer, Order, OrderLine, PaymentMethod, PaymentTransaction, StockReservation
from tests import factories as f
from tests.tools.after_sales_helpers import count, delivered, everything, movements, topics
from tests.tools.order_helpers import allocated, balance, shop
from tools.after_sales.rules import RMA_STATES
from tools.errors import Conflict, InsufficientStock, InvalidInput, InvalidTransition


async def requested(call, as_customer, sh, order, **args):
    """A requested RMA of the order (changed mind, refund unless told otherwise)."""
    return await call(as_customer(sh.customer), "request_return", order_id=order.id,
                      **{"reason": "changed_mind", **args})


async def to_inspected(call, support, warehouse_staff, rma, condition="unopened"):
    """Approve, receive (every unit in `condition`) and inspect the RMA."""
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition=condition)
    return await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")


def test_rma_state_table():
    assert {str(s): RMA_STATES.targets(s) for s in RmaStatus} == {
        "requested": ["approved", "cancelled", "rejected"], "approved": ["cancelled", "in_transit"],
        "in_transit": ["received"], "received": ["inspected"], "inspected": ["closed", "exchanged", "refunded"],
        "rejected": [], "refunded": [], "exchanged": [], "closed": [], "cancelled": [],
    }


async def test_the_whole_refund_path_with_its_events(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 2)])
    rma = await requested(call, as_customer, sh, order, lines=[{"item": "KB-RED", "quantity": 2}])
    assert rma.refund_amount == Decimal("172.50") and rma.label_cost == Decimal("5.50")
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved", note="all good")
    out = await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="in_transit")
    assert out.next_statuses == ["received"]
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="unopened")
    await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")
    out = await call(support, "resolve_return", rma_number=rma.rma_number)
    assert (out.status, out.refund_method_id) == ("refunded", sh.card.id) and out.resolved_at and out.inspected_at
    assert "approved: all good" in out.notes
    rma_topics = [t for t in await topics(sessions) if t.startswith(("rma.", "order."))]
    assert rma_topics == ["rma.requested", "order.return_requested", "rma.approved", "rma.in_transit",
                          "rma.received", "rma.inspected", "rma.refunded", "order.delivered"]
    assert await count(sessions, AuditEvent, AuditEvent.entity == "rma") == 6
    async with sessions() as s:
        back = await s.get(Order, order.id)
        lines = (await s.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all()
        refunds = (await s.execute(select(PaymentTransaction.amount, PaymentTransaction.method_id)
                                   .where(PaymentTransaction.kind == "refund"))).all()
    assert back.status == OrderStatus.DELIVERED and [ln.quantity_returned for ln in lines] == [2]
    assert refunds == [(Decimal("172.50"), sh.card.id)]


@pytest.mark.parametrize(("setup", "target"), [
    ([], "inspected"), ([], "in_transit"), ([], "closed"), (["approved"], "rejected"),
    (["approved", "in_transit"], "cancelled"), (["approved", "in_transit"], "approved"),
])
async def test_refused_moves_are_409_and_change_nothing(sessions, call, as_customer, support, setup, target):
    sh = await shop(sessions)
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1)]))
    for status in setup:
        await call(support, "update_rma_status", rma_number=rma.rma_number, status=status)
    before = await everything(sessions)
    with pytest.raises(InvalidTransition) as refused:
        await call(support, "update_rma_status", rma_number=rma.rma_number, status=target, note="trying")
    assert refused.value.http_status == 409 and refused.value.details["to"] == target
    assert await everything(sessions) == before


async def test_receiving_and_resolving_out_of_turn_are_refused(sessions, call, as_customer, support,
                                                              warehouse_staff):
    sh = await shop(sessions)
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1)]))
    before = await everything(sessions)
    with pytest.raises(InvalidTransition):
        await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="unopened")
    with pytest.raises(InvalidTransition):
        await call(support, "resolve_return", rma_number=rma.rma_number)
    assert await everything(sessions) == before
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="opened")
    before = await everything(sessions)
    with pytest.raises(InvalidTransition):  # received, not yet inspected: no refund
        await call(support, "resolve_return", rma_number=rma.rma_number)
    assert await everything(sessions) == before
    fresh = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.blue, 1)]))
    before = await everything(sessions)
    with pytest.raises(InvalidInput):  # a rejection says why
        await call(support, "update_rma_status", rma_number=fresh.rma_number, status="rejected")
    assert await everything(sessions) == before


@pytest.mark.parametrize(("condition", "disposition", "kinds"), [
    ("unopened", "restock", [("return", 2)]),
    ("opened", "refurbish", [("return", 2), ("write_off", -2)]),
    ("used", "liquidate", [("return", 2), ("write_off", -2)]),
    ("damaged", "dispose", [("return", 2), ("write_off", -2)]),
    ("defective", "return_to_supplier", [("return", 2), ("write_off", -2)]),
])
async def test_each_condition_sets_its_disposition_and_stock(sessions, call, as_customer, support,
                                                            warehouse_staff, condition, disposition, kinds):
    sh = await shop(sessions)
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 2)]),
                          reason="product_defect")
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    out = await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition=condition)
    assert (out.status, out.lines[0].condition, out.lines[0].disposition) == ("received", condition, disposition)
    assert out.warehouse and out.received_at
    assert await movements(sessions, sh.red) == [(kind, qty, rma.rma_number) for kind, qty in kinds]
    assert await allocated(sessions, sh.red) == ((12 if condition == "unopened" else 10), 0)
    assert ("back in sellable stock" if condition == "unopened" else "written off") in out.lines[0].stock_effect
    received = [t for t in await topics(sessions) if t.startswith("rma.")]
    assert received == ["rma.requested", "rma.approved", "rma.in_transit", "rma.received"]


async def test_conditions_per_line_and_a_named_warehouse(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    other = await f.warehouse(sessions, code="LYS-9")
    mug = sh.mug.variants[0]
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1), (mug, 1)]))
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    with pytest.raises(InvalidInput):  # the mug's condition is missing
        await call(warehouse_staff, "receive_return", rma_number=rma.rma_number,
                   lines=[{"item": "KB-RED", "condition": "unopened"}])
    out = await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, warehouse="lys-9",
                     lines=[{"item": "mug", "condition": "damaged"}], condition="unopened")
    assert [(ln.sku, ln.disposition) for ln in out.lines] == [("KB-RED", "restock"), ("MUG-W", "dispose")]
    assert out.warehouse == "LYS-9" and await movements(sessions, mug) == [
        ("return", 1, rma.rma_number), ("write_off", -1, rma.rma_number)]
    assert other.code == "LYS-9"


async def test_resolving_twice_refunds_once(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)], method=sh.gift)
    rma = await requested(call, as_customer, sh, order, reason="wrong_item")
    await to_inspected(call, support, warehouse_staff, rma)
    await call(support, "resolve_return", rma_number=rma.rma_number)
    before = await everything(sessions)
    with pytest.raises(InvalidTransition):
        await call(support, "resolve_return", rma_number=rma.rma_number)
    assert await everything(sessions) == before
    async with sessions() as s:
        keys = (await s.scalars(select(PaymentTransaction.idempotency_key)
                                .where(PaymentTransaction.kind == "refund"))).all()
    assert len(keys) == 1 and keys[0].endswith(":refund")
    assert await balance(sessions, sh.gift) == Decimal("589.00")  # 500 + 89, free label for a wrong item


async def test_refund_takes_back_loyalty_points(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    async with sessions.begin() as s:
        (await s.get(Customer, sh.customer.id)).loyalty_points = 500
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1)]))
    await to_inspected(call, support, warehouse_staff, rma)
    await call(support, "resolve_return", rma_number=rma.rma_number)
    async with sessions() as s:
        assert (await s.get(Customer, sh.customer.id)).loyalty_points == 500 - 83


async def test_store_credit_lands_on_a_gift_card(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1)]),
                          resolution="store_credit")
    await to_inspected(call, support, warehouse_staff, rma, "opened")
    out = await call(support, "resolve_return", rma_number=rma.rma_number)
    assert (out.status, out.refund_method_id, out.refund_amount) == ("closed", sh.gift.id, Decimal("83.50"))
    assert await balance(sessions, sh.gift) == Decimal("583.50")
    # A customer without a gift card gets a new one holding the credit.
    bob = await f.customer(sessions, first="Bob", last="Stone")
    bob_card = await f.payment_method(sessions, bob)
    order = await f.order(sessions, bob, [(sh.blue, 1)], bob_card, status=OrderStatus.DELIVERED)
    rma = await call(as_customer(bob), "request_return", order_id=order.id, reason="damaged_in_shipping",
                     resolution="store_credit")
    await to_inspected(call, support, warehouse_staff, rma, "damaged")
    out = await call(support, "resolve_return", rma_number=rma.rma_number)
    async with sessions() as s:
        card = await s.get(PaymentMethod, out.refund_method_id)
    assert (card.kind, card.customer_id, card.balance) == (PaymentMethodKind.GIFT_CARD, bob.id, Decimal("94.50"))


async def test_exchange_reserves_on_approval_and_ships_on_resolution(sessions, call, as_customer, support,
                                                                    warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 2)], method=sh.gift)
    rma = await requested(call, as_customer, sh, order, resolution="exchange",
                          lines=[{"item": "KB-RED", "quantity": 2, "new_item": "KB-GREEN"}],
                          payment_method_id=sh.gift.id)
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    assert await allocated(sessions, sh.green) == (10, 2)
    await call(warehouse_staff, "receive_return", rma_number=rma.rma_number, condition="unopened")
    await call(warehouse_staff, "update_rma_status", rma_number=rma.rma_number, status="inspected")
    out = await call(support, "resolve_return", rma_number=rma.rma_number)
    assert (out.status, out.exchange.status) == ("exchanged", "completed")
    assert await allocated(sessions, sh.green) == (8, 0) and await allocated(sessions, sh.red) == (12, 0)
    assert await balance(sessions, sh.gift) == Decimal("438.00")  # 500 - 2 x (120 - 89)
    details = await call(support, "get_order_details", order_id=order.id)
    assert details.status == "delivered" and details.total == Decimal("240.00")
    assert sorted((i.sku, i.quantity) for i in details.items) == [("KB-GREEN", 1), ("KB-GREEN", 1)]
    # The replacements are now what the customer may return.
    again = await requested(call, as_customer, sh, order, lines=[{"item": "KB-GREEN", "quantity": 2}])
    assert sum(line.quantity for line in again.lines) == 2 and {ln.sku for ln in again.lines} == {"KB-GREEN"}


async def test_exchange_without_stock_cannot_be_approved_and_cancel_releases(sessions, call, as_customer,
                                                                            support):
    sh = await shop(sessions, stock=1)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 2)])
    rma = await requested(call, as_customer, sh, order, resolution="exchange",
                          lines=[{"item": "KB-RED", "quantity": 1, "new_item": "KB-BLUE"}])
    other = await delivered(sessions, sh, [(sh.red, 1)])
    await requested(call, as_customer, sh, other, resolution="exchange",
                    lines=[{"item": "KB-RED", "new_item": "KB-BLUE"}])
    await call(support, "update_rma_status", rma_number=other.id, status="approved")  # takes the last blue
    before = await everything(sessions)
    with pytest.raises(InsufficientStock):
        await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    assert await everything(sessions) == before
    out = await call(me, "cancel_return", rma_number=other.id)
    assert (out.status, out.exchange.status) == ("cancelled", "cancelled")
    assert await allocated(sessions, sh.blue) == (1, 0)
    async with sessions() as s:
        assert (await s.get(Order, other.id)).status == OrderStatus.DELIVERED
        assert (await s.scalars(select(StockReservation.status))).all() == ["released"]


async def test_orders_leave_return_requested_only_through_their_rma(sessions, call, as_customer, support):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    rma = await requested(call, as_customer, sh, order)
    before = await everything(sessions)
    with pytest.raises(InvalidTransition):
        await call(support, "update_order_status", order_id=order.id, status="delivered")
    assert await everything(sessions) == before
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="rejected", note="photos missing")
    out = await call(as_customer(sh.customer), "get_rma", rma_number=rma.rma_number)
    assert out.status == "rejected" and "rejected: photos missing" in out.notes
    async with sessions() as s:
        assert (await s.get(Order, order.id)).status == OrderStatus.DELIVERED


async def test_customers_cannot_cancel_a_parcel_on_its_way(sessions, call, as_customer, support):
    sh = await shop(sessions)
    rma = await requested(call, as_customer, sh, await delivered(sessions, sh, [(sh.red, 1)]))
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="approved")
    await call(support, "update_rma_status", rma_number=rma.rma_number, status="in_transit")
    with pytest.raises(Conflict):
        await call(as_customer(sh.customer), "cancel_return", rma_number=rma.rma_number)


async def test_closing_a_received_exchange_counts_its_units_returned(sessions, call, as_customer, support,
                                                                    warehouse_staff):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    rma = await requested(call, as_customer, sh, order, resolution="exchange",
                          lines=[{"item": "KB-RED", "new_item": "KB-BLUE"}])
    await to_inspected(call, support, warehouse_staff, rma, "used")
    assert await allocated(sessions, sh.blue) == (10, 1)
    out = await call(support, "update_rma_status", rma_number=rma.rma_number, status="closed",
                     note="the customer broke it; no exchange")
    assert (out.status, out.exchange.status) == ("closed", "cancelled") and out.resolved_at
    assert await allocated(sessions, sh.blue) == (10, 0)
    async with sessions() as s:
        line = await s.scalar(select(OrderLine).where(OrderLine.order_id == order.id))
        assert (line.variant_id, line.quantity_returned) == (sh.red.id, 1)
        assert (await s.get(Order, order.id)).status == OrderStatus.DELIVERED
    with pytest.raises(Conflict) as nothing:  # nothing left to return
        await requested(call, as_customer, sh, order)
    assert nothing.value.code == "nothing_to_return"
