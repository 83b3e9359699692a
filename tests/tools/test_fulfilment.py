"""The fulfilment chain on real orders: shipping charged at checkout, pack -> ship -> deliver with stock,
reservations, order states and events; refusals and failures change nothing; customers see only their parcels."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import unit_of_work
from db.enums import ReservationStatus
from db.models import (
    AuditEvent,
    Order,
    OrderLine,
    OutboxEvent,
    Shipment,
    StockMovement,
    StockReservation,
    TrackingEvent,
)
from tests import factories as f
from tests.tools.order_helpers import allocated, shop
from tests.tools.transport_helpers import carriers
from tools.config import service as config
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from tools.transport import shipments
from tools.transport.adapters import SandboxCarrier
from tools.warehouse import fulfilment


async def place(call, principal, sh, *lines, method=None):
    return await call(principal, "place_order", lines=[{"item": sku, "quantity": q} for sku, q in lines],
                      payment_method_id=(method or sh.card).id)


async def rows(sessions, *columns, where=(), order=()):
    async with sessions() as s:
        return (await s.execute(select(*columns).where(*where).order_by(*order))).all()


async def state(sessions) -> dict:
    """Everything a refused fulfilment call must leave as it was."""
    async with sessions() as s:
        counts = {m.__name__: await s.scalar(select(func.count()).select_from(m))
                  for m in (Shipment, TrackingEvent, StockMovement, AuditEvent, OutboxEvent)}
    counts["orders"] = await rows(sessions, Order.id, Order.status, order=[Order.id])
    counts["parcels"] = await rows(sessions, Shipment.id, Shipment.status, order=[Shipment.id])
    counts["holds"] = await rows(sessions, StockReservation.id, StockReservation.status, order=[StockReservation.id])
    counts["lines"] = await rows(sessions, OrderLine.id, OrderLine.quantity_shipped, order=[OrderLine.id])
    return counts


async def test_place_order_charges_the_best_scored_carrier(sessions, call, as_customer):
    # 2 keyboards + 1 mug = 1.5 kg to Paris: domestic band <= 2 kg, 5.90 .. 11.90 (range 6.00).
    # Colis Privé 0.6 x 88 + 40 = 92.80 beats Colissimo 57 + 40 x 4.70 / 6.00 = 88.33: shipping 5.90 EUR.
    await carriers(sessions)
    sh = await shop(sessions)
    out = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2), ("MUG-W", 1), method=sh.gift)
    assert (out.subtotal, out.carrier, out.shipping_cost, out.total) == (
        Decimal("190.00"), "colis_prive", Decimal("5.90"), Decimal("195.90"))
    assert out.payment_history[0].amount == Decimal("195.90")


async def test_free_shipping_from_the_threshold(sessions, call, as_customer, admin):
    await carriers(sessions)
    sh = await shop(sessions)
    async with unit_of_work(sessions) as session:
        await config.set_value(ToolContext(session=session, principal=admin), "shipping.free_shipping_threshold", 150)
    big = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2))
    small = await place(call, as_customer(sh.customer), sh, ("MUG-W", 1))
    assert (big.subtotal, big.shipping_cost, big.total, big.carrier) == (
        Decimal("178.00"), Decimal("0.00"), Decimal("178.00"), "colis_prive")
    assert (small.shipping_cost, small.total) == (Decimal("4.60"), Decimal("16.60"))


async def test_no_carrier_for_the_destination_refuses_the_order(sessions, call, as_customer, admin):
    await carriers(sessions)
    sh = await shop(sessions)
    for code in ("colissimo", "chronopost", "dpd", "colis_prive", "ups", "fedex"):
        await call(admin, "update_carrier", carrier_code=code, active=False)
    with pytest.raises(Conflict) as err:
        await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    assert err.value.code == "no_carrier"
    assert await allocated(sessions, sh.red) == (10, 0)


async def test_pack_ship_deliver_on_a_real_order(sessions, call, as_customer, warehouse_staff):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2), ("MUG-W", 1))
    packed = await call(warehouse_staff, "pack_order", order_id=order.order_id)
    parcel = packed.shipments[0]
    assert (packed.order_status, len(packed.shipments), parcel.status, parcel.carrier_code) == (
        "processed", 1, "packed", "colis_prive")
    assert parcel.tracking_number.startswith("CP") and sorted(parcel.item_ids) == sorted(
        [sh.red.id, sh.red.id, sh.mug.variants[0].id])
    assert (parcel.weight_kg, parcel.cost) == (Decimal("1.5"), Decimal("5.90"))
    assert await allocated(sessions, sh.red) == (10, 2)  # still held until it leaves
    shipped = await call(warehouse_staff, "ship_shipment", shipment_ref=parcel.tracking_number.lower())
    assert shipped.status == "shipped" and shipped.shipped_at is not None
    assert await allocated(sessions, sh.red) == (8, 0)
    assert await rows(sessions, StockMovement.variant_id, StockMovement.quantity, StockMovement.kind,
                      StockMovement.reference, order=[StockMovement.id]) == [
        (sh.red.id, -2, "shipment", order.order_id), (sh.mug.variants[0].id, -1, "shipment", order.order_id)]
    assert {r.status for r in await rows(sessions, StockReservation.status)} == {ReservationStatus.CONSUMED}
    assert await rows(sessions, OrderLine.quantity, OrderLine.quantity_shipped, order=[OrderLine.position]) == [
        (2, 2), (1, 1)]
    moving = await call(warehouse_staff, "add_tracking_event", shipment_ref=parcel.tracking_number,
                        status="in_transit", location="Chilly-Mazarin", description="Sorted")
    assert moving.status == "in_transit"
    delivered = await call(warehouse_staff, "deliver_shipment", shipment_ref=parcel.tracking_number,
                           location="Paris")
    assert [e.status for e in delivered.events] == ["pending", "picking", "packed", "shipped", "in_transit",
                                                    "delivered"]
    after = await call(as_customer(sh.customer), "get_order_details", order_id=order.order_id)
    assert after.status == "delivered" and after.delivered_at is not None
    assert after.fulfillments[0].tracking_numbers == [parcel.tracking_number]
    topics = [t for (t,) in await rows(sessions, OutboxEvent.topic, order=[OutboxEvent.id])]
    chain = [t for t in topics if t.startswith(("shipment.", "order.processed", "order.delivered"))]
    assert chain == ["shipment.created", "shipment.picking", "shipment.packed", "order.processed",
                     "shipment.shipped", "shipment.in_transit", "shipment.delivered", "order.delivered"]
    moves = await rows(sessions, AuditEvent.from_state, AuditEvent.to_state,
                       where=[AuditEvent.entity == "order"], order=[AuditEvent.id])
    assert [m for m in moves if m.from_state] == [("pending", "processed"), ("processed", "delivered")]


async def test_order_with_two_warehouses_ships_in_two_parcels(sessions, call, as_customer, warehouse_staff):
    await carriers(sessions)
    sh = await shop(sessions, stock=1)
    second = await f.warehouse(sessions, code="LYO1")
    await f.stock(sessions, second, sh.red, on_hand=5)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 6))  # 5 from LYO1, 1 from the first
    packed = await call(warehouse_staff, "pack_order", order_id=order.order_id)
    assert sorted(len(p.item_ids) for p in packed.shipments) == [1, 5]
    first, other = packed.shipments
    await call(warehouse_staff, "ship_shipment", shipment_ref=first.tracking_number)
    await call(warehouse_staff, "ship_shipment", shipment_ref=other.tracking_number)
    await call(warehouse_staff, "deliver_shipment", shipment_ref=first.tracking_number)
    assert (await call(warehouse_staff, "get_pick_list", order_id=order.order_id)).total_units == 0
    async with sessions() as s:
        assert (await s.get(Order, order.order_id)).status == "processed"  # one parcel still on its way
    await call(warehouse_staff, "deliver_shipment", shipment_ref=other.tracking_number)
    async with sessions() as s:
        row = await s.get(Order, order.order_id)
        assert row.status == "delivered" and row.delivered_at is not None


async def test_invalid_moves_are_refused_with_409_and_change_nothing(sessions, call, as_customer, warehouse_staff,
                                                                     api):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    created = await call(warehouse_staff, "create_shipment", order_id=order.order_id, carrier_code="dpd")
    before = await state(sessions)
    with pytest.raises(InvalidTransition):
        await call(warehouse_staff, "ship_shipment", shipment_ref=created.tracking_number)
    with pytest.raises(InvalidTransition):
        await call(warehouse_staff, "deliver_shipment", shipment_ref=created.tracking_number)
    with pytest.raises(Conflict) as err:
        await call(warehouse_staff, "add_tracking_event", shipment_ref=created.tracking_number, status="delivered")
    assert err.value.code == "not_shipped"
    picker = await f.staff_user(sessions, role="warehouse")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=picker)}"}
    response = await api.post(f"/api/v1/shipments/{created.tracking_number}/ship", headers=auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    assert await state(sessions) == before


async def test_cancelling_a_packed_order_releases_stock_and_unpacks(sessions, call, as_customer, warehouse_staff,
                                                                     support):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 2))
    parcel = (await call(warehouse_staff, "pack_order", order_id=order.order_id)).shipments[0]
    out = await call(support, "update_order_status", order_id=order.order_id, status="cancelled",
                     reason="customer called")
    assert out.status == "cancelled" and await allocated(sessions, sh.red) == (10, 0)
    unpacked = await call(support, "track_shipment", shipment_ref=parcel.tracking_number)
    assert unpacked.status == "exception" and "cancelled" in unpacked.events[-1].description
    with pytest.raises(InvalidTransition):
        await call(warehouse_staff, "ship_shipment", shipment_ref=parcel.tracking_number)


async def test_exception_before_shipping_keeps_the_order_cancellable(sessions, call, as_customer, warehouse_staff,
                                                                      support):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    parcel = (await call(warehouse_staff, "pack_order", order_id=order.order_id)).shipments[0]
    hurt = await call(warehouse_staff, "mark_shipment_exception", shipment_ref=parcel.tracking_number,
                      description="box crushed by a forklift")
    assert hurt.status == "exception"
    with pytest.raises(InvalidTransition):  # it never left: it cannot be delivered from here
        await call(warehouse_staff, "deliver_shipment", shipment_ref=parcel.tracking_number)
    # Nothing left the warehouse, so the order can still be cancelled and its stock comes back.
    cancelled = await call(support, "update_order_status", order_id=order.order_id, status="cancelled",
                           reason="damaged before shipping")
    assert cancelled.status == "cancelled" and await allocated(sessions, sh.red) == (10, 0)


async def test_customers_see_only_their_own_parcels(sessions, call, as_customer, warehouse_staff):
    await carriers(sessions)
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    parcel = (await call(warehouse_staff, "pack_order", order_id=order.order_id)).shipments[0]
    mine = await call(as_customer(sh.customer), "track_shipment", shipment_ref=parcel.tracking_number)
    assert mine.order_id == order.order_id
    assert (await call(as_customer(sh.customer), "track_shipment", shipment_ref=order.order_id)).shipment_id == (
        parcel.shipment_id)
    for tool in ("track_shipment", "list_tracking_events"):
        with pytest.raises(NotFound):
            await call(as_customer(bob), tool, shipment_ref=parcel.tracking_number)
    assert (await call(as_customer(bob), "list_shipments")).total == 0
    assert (await call(as_customer(sh.customer), "list_shipments")).total == 1


async def test_role_refusals_change_nothing(sessions, call, as_customer, support):
    await carriers(sessions)
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await place(call, me, sh, ("KB-RED", 1))
    before = await state(sessions)
    for who, tool, args in [(me, "pack_order", {"order_id": order.order_id}),
                            (support, "pack_order", {"order_id": order.order_id}),
                            (support, "create_shipment", {"order_id": order.order_id}),
                            (me, "receive_purchase_order", {"warehouse_ref": "x", "supplier": "Acme",
                                                            "purchase_reference": "PO-100", "item_ref": "KB-RED",
                                                            "quantity": 1})]:
        with pytest.raises(Forbidden):
            await call(who, tool, **args)
    assert await state(sessions) == before


async def test_a_failure_after_writing_leaves_no_rows_and_no_events(sessions, call, as_customer, warehouse_staff,
                                                                    monkeypatch):
    await carriers(sessions)
    sh = await shop(sessions, stock=1)
    second = await f.warehouse(sessions, code="LYO1")
    await f.stock(sessions, second, sh.red, on_hand=5)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 6))
    before = await state(sessions)
    booked = []

    async def book_once(self, booking):
        if booked:  # the carrier's API fails on the second parcel, after the first was written
            raise DomainError("carrier unreachable", code="carrier_unavailable")
        booked.append(booking)
        return f"CP{booking.booked_at.timestamp():.0f}00"

    monkeypatch.setattr(SandboxCarrier, "book", book_once)
    with pytest.raises(DomainError):
        await call(warehouse_staff, "pack_order", order_id=order.order_id)
    assert booked and await state(sessions) == before


async def test_receive_purchase_order_books_a_receipt_with_the_purchase_reference(sessions, call, warehouse_staff):
    await shop(sessions, stock=0)
    wh = await f.warehouse(sessions, code="PAR1")
    out = await call(warehouse_staff, "receive_purchase_order", warehouse_ref="par1", supplier="Clacky Ltd",
                     purchase_reference="PO-2026-0042", item_ref="KB-RED", quantity=40)
    assert (out.code, out.sku, out.quantity, out.units_on_hand) == ("PAR1", "KB-RED", 40, 40)
    assert await rows(sessions, StockMovement.id, StockMovement.warehouse_id, StockMovement.quantity,
                      StockMovement.kind, StockMovement.reference) == [
        (out.movement_id, wh.id, 40, "receipt", "PO-2026-0042")]
    async with sessions() as s:
        event = await s.scalar(select(OutboxEvent).where(OutboxEvent.topic == "receipt.received"))
    assert event.key == "PO-2026-0042" and event.payload["supplier"] == "Clacky Ltd"
    assert event.payload["movement_id"] == str(out.movement_id)


async def test_receive_purchase_order_names_the_products_supplier_or_refuses(sessions, call, warehouse_staff):
    await f.warehouse(sessions, code="PAR1")
    await f.product(sessions, name="Cable", supplier="Capsmith Ltd", variants=[{"sku": "CB-1", "options": {}}])
    await f.product(sessions, name="Lamp", variants=[{"sku": "LP-1", "options": {}}])
    out = await call(warehouse_staff, "receive_purchase_order", warehouse_ref="PAR1", purchase_reference="PO-771",
                     item_ref="CB-1", quantity=3)
    assert out.supplier == "Capsmith Ltd"
    for args in ({"item_ref": "LP-1", "purchase_reference": "PO-772"},  # no supplier known
                 {"item_ref": "CB-1", "purchase_reference": "PAR-1"}):  # not a purchase number
        with pytest.raises(InvalidInput):
            await call(warehouse_staff, "receive_purchase_order", warehouse_ref="PAR1", quantity=1, **args)
    assert await rows(sessions, StockMovement.reference) == [("PO-771",)]


async def test_rest_parity_for_tracking(sessions, call, api, as_customer, warehouse_staff):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    parcel = (await call(warehouse_staff, "pack_order", order_id=order.order_id)).shipments[0]
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    direct = await call(as_customer(sh.customer), "track_shipment", shipment_ref=parcel.tracking_number)
    response = await api.get(f"/api/v1/shipments/{parcel.tracking_number}", headers=auth)
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    stranger = await f.customer(sessions, first="Eve", last="Other")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, owner=stranger)}"}
    response = await api.get(f"/api/v1/shipments/{parcel.tracking_number}/events", headers=auth)
    assert response.status_code == 404


async def test_sync_applies_the_sandbox_carriers_scans(sessions, call, as_customer, warehouse_staff):
    await carriers(sessions)
    sh = await shop(sessions)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 1))
    parcel = (await call(warehouse_staff, "pack_order", order_id=order.order_id)).shipments[0]
    shipped = await call(warehouse_staff, "ship_shipment", shipment_ref=parcel.tracking_number)
    assert (await call(warehouse_staff, "sync_tracking", shipment_ref=parcel.tracking_number)).applied == 0
    later = shipped.shipped_at + timedelta(days=3)  # Colis Privé takes 3 days to Paris
    async with unit_of_work(sessions) as session:
        ctx = ToolContext(session=session, principal=warehouse_staff, clock=lambda: later)
        shipment = await shipments.find_shipment(session, parcel.tracking_number, for_update=True)
        assert await fulfilment.sync(ctx, shipment) == 3
    out = await call(warehouse_staff, "list_tracking_events", shipment_ref=parcel.tracking_number)
    assert [e.status for e in out.events][-3:] == ["in_transit", "out_for_delivery", "delivered"]
    assert out.events[-1].occurred_at == later
    async with sessions() as s:
        row = await s.get(Order, order.order_id)
        assert row.status == "delivered" and row.delivered_at == later


async def test_create_shipment_choices_and_listing_filters(sessions, call, as_customer, warehouse_staff, support):
    await carriers(sessions)
    sh = await shop(sessions, stock=1)
    second = await f.warehouse(sessions, code="LYO1")
    await f.stock(sessions, second, sh.red, on_hand=5)
    order = await place(call, as_customer(sh.customer), sh, ("KB-RED", 6))
    with pytest.raises(Ambiguous):  # its stock sits in two warehouses
        await call(warehouse_staff, "create_shipment", order_id=order.order_id)
    lyon = await call(warehouse_staff, "create_shipment", order_id=order.order_id, warehouse_ref="LYO1",
                      carrier_code="UPS", tracking_number="1Z0000000001")
    assert (lyon.tracking_number, lyon.carrier_code, lyon.cost, len(lyon.item_ids)) == (
        "1Z0000000001", "ups", Decimal("13.90"), 5)  # 5 x 0.5 kg = 2.5 kg domestic: UPS <= 5 kg band
    with pytest.raises(Conflict) as err:
        await call(warehouse_staff, "create_shipment", order_id=order.order_id, tracking_number="1Z0000000001")
    assert err.value.code == "duplicate_tracking_number"
    with pytest.raises(Conflict) as err:
        await call(warehouse_staff, "create_shipment", order_id=order.order_id, warehouse_ref="LYO1")
    assert err.value.code == "nothing_to_ship"
    paris = await call(warehouse_staff, "create_shipment", order_id=order.order_id)  # the one left
    assert paris.carrier_code == order.carrier and len(paris.item_ids) == 1
    today = paris.created_at.date()
    listed = await call(support, "list_shipments", carrier_code="ups", status="pending", created_from=str(today))
    assert [x.tracking_number for x in listed.shipments] == ["1Z0000000001"]
    # A parcel says what it holds, as its order line names it: a customer names it by that ("the parcel with ...").
    label = f"{sh.keyboard.name} (red)"
    assert lyon.item_names == [label] * 5 and listed.shipments[0].item_names == [label] * 5
    assert paris.item_names == [label]
    assert (await call(support, "list_shipments", created_to=str(today.replace(year=today.year - 1)))).total == 0
    assert (await call(support, "list_shipments", order_id=order.order_id)).total == 2
