"""Order tools: placing, reading, listing, status changes, notes, analytics, REST parity."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import OrderChannel, OrderStatus, ShipmentStatus
from db.models import (
    AuditEvent,
    Customer,
    FraudCheck,
    Order,
    OutboxEvent,
    PaymentTransaction,
    ProductVariant,
    Shipment,
)
from tests import factories as f
from tests.tools.order_helpers import allocated, balance, shop, snapshot
from tools.errors import (
    Conflict,
    Forbidden,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PaymentDeclined,
)
from tools.order.states import ORDER_STATES


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def place(call, principal, sh, *lines, method=None, **extra):
    """Place an order of (sku, quantity) lines, paid with the card unless told otherwise."""
    return await call(principal, "place_order", lines=[{"item": sku, "quantity": q} for sku, q in lines],
                      payment_method_id=(method or sh.card).id, **extra)


async def ship(sessions, order_id, status=ShipmentStatus.SHIPPED, items=()):
    async with unit_of_work(sessions) as s:
        s.add(Shipment(id=str(uuid.uuid4()), order_id=order_id, status=status, tracking_numbers=["TRK123"],
                       item_ids=list(items)))


async def test_place_order_reserves_stock_charges_and_records_the_fraud_check(sessions, call, as_customer):
    sh = await shop(sessions)
    out = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2), ("MUG-W", 1), method=sh.gift)
    assert out.status == OrderStatus.PENDING and out.order_id.startswith("#W") and len(out.order_id) == 9
    assert [(i.item_id, i.sku, i.quantity, i.price) for i in out.items] == [
        (sh.red.id, "KB-RED", 2, Decimal("89.00")), (sh.mug.variants[0].id, "MUG-W", 1, Decimal("12.00"))]
    assert (out.subtotal, out.shipping_cost, out.total) == (Decimal("190"), Decimal("0"), Decimal("190"))
    assert out.shipping_address["address1"] == sh.customer.addresses[0].address1  # the default address
    assert [(p.transaction_type, p.amount, p.payment_method_id) for p in out.payment_history] == [
        ("payment", Decimal("190.00"), sh.gift.id)]
    assert await allocated(sessions, sh.red) == (10, 2)
    assert await balance(sessions, sh.gift) == Decimal("310.00")
    async with sessions() as s:
        check = await s.scalar(select(FraudCheck).where(FraudCheck.order_id == out.order_id))
        assert (check.level, check.decision) == ("low", "approve")
        assert (await s.get(Order, out.order_id)).channel == OrderChannel.WEB
        event = await s.scalar(select(OutboxEvent.key).where(OutboxEvent.topic == "order.placed"))
        assert event == out.order_id


async def test_staff_places_an_order_for_a_customer_by_email(sessions, call, support):
    sh = await shop(sessions)
    address = {"address1": "9 Quai", "city": "Lyon", "country": "FR", "zip": "69002"}
    out = await place(call, support, sh, (sh.blue.id, 1), shipping_address=address,
                      customer_id=sh.customer.email)
    assert out.customer_id == sh.customer.id and out.shipping_address["city"] == "Lyon"
    async with sessions() as s:
        assert (await s.get(Order, out.order_id)).channel == OrderChannel.STAFF
    with pytest.raises(NotFound):  # staff must say for whom
        await place(call, support, sh, (sh.blue.id, 1))


@pytest.mark.parametrize("case", ["unavailable", "no_stock", "foreign_method", "gift_short", "unknown_item",
                                  "other_customer", "warehouse_role", "empty"])
async def test_place_order_refusals_write_nothing(sessions, call, as_customer, warehouse_staff, case):
    sh = await shop(sessions, stock=3, gift_balance="50.00")
    bob = await f.customer(sessions, first="Bob", last="Stone")
    bob_card = await f.payment_method(sessions, bob)
    me = as_customer(sh.customer)
    async with unit_of_work(sessions) as s:
        off = update(ProductVariant).where(ProductVariant.id == sh.green.id).values(available=False)
        await s.execute(off)
    attempts = {
        "unavailable": (Conflict, lambda: place(call, me, sh, ("KB-RED", 1), ("KB-GREEN", 1))),
        "no_stock": (InsufficientStock, lambda: place(call, me, sh, ("KB-RED", 1), ("KB-BLUE", 4))),
        "foreign_method": (NotFound, lambda: place(call, me, sh, ("KB-RED", 1), method=bob_card)),
        "gift_short": (PaymentDeclined, lambda: place(call, me, sh, ("KB-RED", 1), method=sh.gift)),
        "unknown_item": (NotFound, lambda: place(call, me, sh, ("KB-RED", 1), ("NOPE-1", 1))),
        "other_customer": (NotFound, lambda: place(call, me, sh, ("KB-RED", 1), customer_id=bob.id)),
        "warehouse_role": (Forbidden, lambda: place(call, warehouse_staff, sh, ("KB-RED", 1),
                                                    customer_id=sh.customer.id)),
        "empty": (InvalidInput, lambda: call(me, "place_order", lines=[], payment_method_id=sh.card.id)),
    }
    error, attempt = attempts[case]
    with pytest.raises(error):
        await attempt()
    for model in (Order, PaymentTransaction, FraudCheck, AuditEvent):
        assert await count(sessions, model) == 0
    assert await allocated(sessions, sh.red) == (3, 0)
    assert await balance(sessions, sh.gift) == Decimal("50.00")


async def test_place_order_with_the_same_idempotency_key_creates_one_order(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    first = await call(me, "place_order", idempotency_key="k-1", lines=[{"item": "KB-RED"}],
                       payment_method_id=sh.gift.id)
    again = await call(me, "place_order", idempotency_key="k-1", lines=[{"item": "KB-RED"}],
                       payment_method_id=sh.gift.id)
    assert again.order_id == first.order_id
    assert await count(sessions, Order) == 1 and await count(sessions, PaymentTransaction) == 1
    assert await balance(sessions, sh.gift) == Decimal("411.00")


async def test_details_show_parcels_and_hide_other_customers_orders(sessions, call, as_customer, support):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    await ship(sessions, order.order_id, items=[sh.red.id])
    out = await call(as_customer(sh.customer), "get_order_details", order_id=order.order_id.lstrip("#"))
    assert [(p.tracking_numbers, p.item_ids, p.status) for p in out.fulfillments] == [
        (["TRK123"], [sh.red.id], "shipped")]
    with pytest.raises(NotFound):
        await call(as_customer(bob), "get_order_details", order_id=order.order_id)
    with pytest.raises(NotFound):
        await call(support, "get_order_details", order_id="#W0000001")
    with pytest.raises(InvalidInput):
        await call(support, "get_order_details", order_id="not-an-order")


async def test_list_orders_scopes_filters_and_pages(sessions, call, as_customer, support):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    bob_card = await f.payment_method(sessions, bob)
    mine = [await place(call, as_customer(sh.customer), sh, ("KB-RED", 1)) for _ in range(3)]
    old = await f.order(sessions, bob, [(sh.blue, 2)], bob_card, status=OrderStatus.DELIVERED)
    async with unit_of_work(sessions) as s:
        await s.execute(update(Order).where(Order.id == old.id).values(placed_at=utcnow() - timedelta(40),
                                                                         delivered_at=utcnow() - timedelta(35)))
    out = await call(as_customer(sh.customer), "list_orders")
    assert out.total == 3 and {o.order_id for o in out.orders} == {o.order_id for o in mine}
    assert all(o.delivered_at is None for o in out.orders)  # none delivered yet
    assert (await call(as_customer(sh.customer), "list_orders", customer_id="me")).total == 3
    with pytest.raises(NotFound):
        await call(support, "list_orders", customer_id="me")  # staff have no orders of their own
    with pytest.raises(NotFound):
        await call(as_customer(sh.customer), "list_orders", customer_id=bob.id)
    assert (await call(support, "list_orders")).total == 4
    delivered = await call(support, "list_orders", status="delivered")
    assert [(o.order_id, o.item_count) for o in delivered.orders] == [(old.id, 2)]
    # When it arrived, as "the speakers that came last sunday" names it.
    assert (utcnow() - delivered.orders[0].delivered_at.replace(tzinfo=utcnow().tzinfo)).days == 35
    # Each line by its product and the options that tell it from a sibling ("Flex Task Chair (grey, 4D)").
    labels = delivered.orders[0].item_names
    assert len(labels) == len(old.lines) and any(line.options for line in old.lines)
    for label, line in zip(labels, old.lines, strict=True):
        assert label.startswith(line.name) and all(str(v) in label for v in line.options.values())
    recent = await call(support, "list_orders", placed_from=(utcnow() - timedelta(days=1)).date().isoformat())
    assert recent.total == 3
    page = await call(support, "list_orders", customer_id=sh.customer.email, limit=2, offset=2)
    assert page.total == 3 and len(page.orders) == 1


def test_order_state_table():
    moves = {str(state): ORDER_STATES.targets(state) for state in OrderStatus}
    assert moves == {
        "pending": ["cancelled", "on_hold", "processed"], "on_hold": ["cancelled", "pending"],
        "processed": ["cancelled", "delivered"], "delivered": ["exchange_requested", "return_requested"],
        "cancelled": [], "return_requested": ["delivered"], "exchange_requested": ["delivered"],
    }


async def test_status_moves_and_delivery_awards_points(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-GREEN", 2))
    out = await call(warehouse_staff, "update_order_status", order_id=order.order_id, status="processed")
    assert out.status == OrderStatus.PROCESSED
    out = await call(support, "update_order_status", order_id=order.order_id, status="delivered")
    assert out.status == OrderStatus.DELIVERED
    async with sessions() as s:
        assert (await s.get(Customer, sh.customer.id)).loyalty_points == 240
    with pytest.raises(InvalidTransition) as err:
        await call(support, "update_order_status", order_id=order.order_id, status="pending")
    assert err.value.details["allowed"] == ["exchange_requested", "return_requested"]
    async with sessions() as s:
        assert (await s.get(Order, order.order_id)).status == OrderStatus.DELIVERED


async def test_customers_cannot_change_status(sessions, call, as_customer):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    with pytest.raises(Forbidden):
        await call(as_customer(sh.customer), "update_order_status", order_id=order.order_id,
                   status="delivered")


async def test_staff_cancel_of_processed_order_refunds_and_releases(sessions, call, as_customer, support):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2), method=sh.gift)
    await call(support, "update_order_status", order_id=order.order_id, status="processed")
    with pytest.raises(InvalidInput):
        await call(support, "update_order_status", order_id=order.order_id, status="cancelled")
    out = await call(support, "update_order_status", order_id=order.order_id, status="cancelled",
                     reason="out of stock at supplier")
    assert out.status == OrderStatus.CANCELLED and out.cancel_reason == "out of stock at supplier"
    assert [p.transaction_type for p in out.payment_history] == ["payment", "refund"]
    assert await allocated(sessions, sh.red) == (10, 0)
    assert await balance(sessions, sh.gift) == Decimal("500.00")


async def test_a_shipped_order_cannot_be_cancelled(sessions, call, as_customer, support):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1), method=sh.gift)
    await call(support, "update_order_status", order_id=order.order_id, status="processed")
    await ship(sessions, order.order_id, status=ShipmentStatus.IN_TRANSIT)
    before = await snapshot(sessions, order.order_id, sh.gift)
    with pytest.raises(InvalidTransition) as err:
        await call(support, "update_order_status", order_id=order.order_id, status="cancelled",
                   reason="asked")
    assert "shipped" in err.value.message
    assert await snapshot(sessions, order.order_id, sh.gift) == before


async def test_hold_and_release(sessions, call, as_customer, support):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    held = await call(support, "update_order_status", order_id=order.order_id, status="on_hold")
    assert held.status == "on_hold"
    with pytest.raises(InvalidTransition):
        await call(support, "update_order_status", order_id=order.order_id, status="processed")
    released = await call(support, "update_order_status", order_id=order.order_id, status="pending")
    assert released.status == "pending"
    async with sessions() as s:
        moves = select(AuditEvent.from_state, AuditEvent.to_state).where(
            AuditEvent.entity == "order", AuditEvent.action == "status_changed").order_by(AuditEvent.id)
        rows = (await s.execute(moves)).all()
    assert rows == [("pending", "on_hold"), ("on_hold", "pending")]


async def test_notes_are_staff_only(sessions, call, as_customer, support):
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    out = await call(support, "add_order_note", order_id=order.order_id, body="Called: leave at the door")
    assert [(n.author, n.body) for n in out.notes] == [("staff:support-tester", "Called: leave at the door")]
    assert (await call(as_customer(sh.customer), "get_order_details", order_id=order.order_id)).notes == []
    with pytest.raises(Forbidden):
        await call(as_customer(sh.customer), "add_order_note", order_id=order.order_id, body="hello")
    with pytest.raises(InvalidInput):
        await call(support, "add_order_note", order_id=order.order_id, body="")
    assert len((await call(support, "get_order_details", order_id=order.order_id)).notes) == 1


async def test_order_analytics(sessions, call, merchant, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    kb = await f.product(sessions)  # red 89.00, blue 94.00
    red, blue = kb.variants
    st = OrderStatus
    plan = [(red, 1, st.DELIVERED, 1), (blue, 2, st.PENDING, 1), (red, 2, st.CANCELLED, 2),
            (blue, 1, st.PROCESSED, 2), (red, 1, st.DELIVERED, 60)]
    now = utcnow()
    for variant, qty, status, days_ago in plan:
        order = await f.order(sessions, ava, [(variant, qty)], card, status=status)
        async with unit_of_work(sessions) as s:
            await s.execute(update(Order).where(Order.id == order.id).values(
                placed_at=now - timedelta(days=days_ago, hours=1)))
    out = await call(merchant, "get_order_analytics", days=30)
    assert out.order_count == 4 and out.revenue == Decimal("371.00")  # 89 + 188 + 94
    assert out.average_order_value == Decimal("123.67") and out.cancellation_rate == 0.25
    assert {(x.status, x.count, x.value) for x in out.by_status} == {
        ("delivered", 1, Decimal("89.00")), ("pending", 1, Decimal("188.00")),
        ("cancelled", 1, Decimal("178.00")), ("processed", 1, Decimal("94.00"))}
    assert [(x.count, x.revenue) for x in out.by_day] == [(2, Decimal("94.00")), (2, Decimal("277.00"))]
    assert out.by_day[0].day < out.by_day[1].day
    with pytest.raises(Forbidden):
        await call(support, "get_order_analytics")
    with pytest.raises(InvalidInput):
        await call(merchant, "get_order_analytics", days=0)


async def test_rest_parity(sessions, call, api, as_customer):
    sh = await shop(sessions)
    key = await f.api_key(sessions, owner=sh.customer)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    headers = {"Authorization": f"Bearer {key}"}
    direct = await call(as_customer(sh.customer), "get_order_details", order_id=order.order_id)
    response = await api.get(f"/api/v1/orders/{order.order_id.replace('#', '%23')}", headers=headers)
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    listed = await api.get("/api/v1/orders", params={"status": "pending"}, headers=headers)
    direct = await call(as_customer(sh.customer), "list_orders", status="pending")
    assert listed.status_code == 200 and listed.json() == direct.model_dump(mode="json")
    response = await api.post(f"/api/v1/orders/{order.order_id.lstrip('#')}/cancel", headers=headers,
                              json={"reason": "changed my mind"})
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "reason"
    response = await api.post(f"/api/v1/orders/{order.order_id.lstrip('#')}/cancel", headers=headers,
                              json={"reason": "ordered by mistake"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
