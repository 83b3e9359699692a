"""Reservations: splitting, all-or-nothing holds, release, expiry, consumption and concurrency."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from db.enums import MovementKind, ReservationStatus
from db.models import AuditEvent, OutboxEvent, StockMovement, StockReservation
from tests import factories as f
from tests.tools.inventory_helpers import context, count, rows, stocked, units
from tools.errors import Conflict, Forbidden, InsufficientStock, InvalidInput, InvalidTransition, NotFound
from tools.inventory import service

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_reserve_splits_most_available_first_with_default_expiry(sessions, call, warehouse_staff):
    _, red, (a, b) = await stocked(sessions, on_hand=(3, 5))
    out = await call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=6, reference="cart 8812")
    assert out.total_units == 6
    assert sorted((r.warehouse_code, r.quantity) for r in out.reservations) == [(a.code, 1), (b.code, 5)]
    assert await units(sessions, a, red) == (3, 1) and await units(sessions, b, red) == (5, 5)
    held = out.reservations[0]
    assert held.status == ReservationStatus.ACTIVE and held.reference == "cart 8812"
    assert held.expires_at.replace(tzinfo=None) - held.created_at.replace(tzinfo=None) == timedelta(minutes=30)


async def test_reserve_more_than_available_writes_nothing(sessions, call, merchant):
    _, red, (a, b) = await stocked(sessions, on_hand=(3, 5), allocated=(1, 0))
    with pytest.raises(InsufficientStock) as err:
        await call(merchant, "reserve_stock", item_ref=red.id, quantity=8)
    assert err.value.details == {"variant_id": red.id, "requested": 8, "available": 7}
    assert await units(sessions, a, red) == (3, 1) and await units(sessions, b, red) == (5, 0)
    assert await count(sessions, StockReservation) == 0 and await count(sessions, AuditEvent) == 0


async def test_service_refusal_leaves_the_callers_transaction_clean(sessions, admin):
    _, red, (a, b) = await stocked(sessions, on_hand=(3, 5))
    async with context(sessions, admin) as ctx:
        with pytest.raises(InsufficientStock):
            await service.reserve(ctx, red.id, 9)
    # The caller caught the refusal and committed: nothing of the attempt may remain.
    assert await units(sessions, a, red) == (3, 0) and await units(sessions, b, red) == (5, 0)
    assert await count(sessions, StockReservation) == 0


async def test_reserve_refuses_customers_and_support(sessions, call, as_customer, support):
    _, red, (a, _) = await stocked(sessions)
    ava = await f.customer(sessions)
    for who in (as_customer(ava), support):
        with pytest.raises(Forbidden):
            await call(who, "reserve_stock", item_ref=red.sku, quantity=1)
    assert await units(sessions, a, red) == (3, 0)


async def test_reserve_for_unknown_order_is_refused(sessions, call, admin):
    _, red, (a, _) = await stocked(sessions)
    with pytest.raises(NotFound):
        await call(admin, "reserve_stock", item_ref=red.sku, quantity=1, order_id="#W0000001")
    assert await units(sessions, a, red) == (3, 0)


async def test_service_reserve_unknown_unavailable_and_untracked(sessions, admin):
    product = await f.product(sessions, variants=[
        {"sku": "OFF-1", "options": {}, "available": False},
        {"sku": "DROP-1", "options": {}, "track_stock": False},
    ])
    off, drop = product.variants
    async with context(sessions, admin) as ctx:
        with pytest.raises(NotFound):
            await service.reserve(ctx, "nope", 1)
        with pytest.raises(Conflict) as err:
            await service.reserve(ctx, off.id, 1)
        assert err.value.code == "unavailable"
        assert await service.reserve(ctx, drop.id, 50) == []
        assert await service.available_quantity(ctx.session, drop.id) is None
    assert await count(sessions, StockReservation) == 0


async def test_release_reservation_once(sessions, call, warehouse_staff, as_customer):
    _, red, (a,) = await stocked(sessions, on_hand=(3,))
    held = (await call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=2)).reservations[0]
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "release_reservation", reservation_id=held.id)
    out = await call(warehouse_staff, "release_reservation", reservation_id=held.id)
    assert out.released_units == 2 and out.reservation.status == ReservationStatus.RELEASED
    assert await units(sessions, a, red) == (3, 0)
    with pytest.raises(InvalidTransition):
        await call(warehouse_staff, "release_reservation", reservation_id=held.id)
    with pytest.raises(NotFound):
        await call(warehouse_staff, "release_reservation", reservation_id="00000000-0000-0000-0000-000000000000")
    assert await units(sessions, a, red) == (3, 0)
    assert await count(sessions, OutboxEvent, OutboxEvent.topic == "stock_reservation.released") == 1


async def _order(sessions, variant):
    ava = await f.customer(sessions)
    return await f.order(sessions, ava, [(variant, 1)], await f.payment_method(sessions, ava))


async def test_order_reservations_release_by_variant_and_consume(sessions, admin):
    product, red, (a,) = await stocked(sessions, on_hand=(12,), reorder_point=10)
    blue = product.variants[1]
    await f.stock(sessions, a, blue, 4)
    order = await _order(sessions, red)
    async with context(sessions, admin, T0) as ctx:
        held = await service.reserve(ctx, red.id, 3, order_id=order.id, ttl_minutes=None)
        await service.reserve(ctx, blue.id, 1, order_id=order.id, ttl_minutes=None)
    assert held[0].expires_at is None
    async with context(sessions, admin, T0) as ctx:
        assert await service.release(ctx, order_id=order.id, variant_id=blue.id) == 1
        assert await service.consume(ctx, order.id) == 3
        assert await service.consume(ctx, order.id) == 0
    assert await units(sessions, a, red) == (9, 0) and await units(sessions, a, blue) == (4, 0)
    [shipment] = await rows(sessions, StockMovement)
    assert (shipment.kind, shipment.quantity, shipment.reference) == (MovementKind.SHIPMENT, -3, order.id)
    statuses = {r.variant_id: r.status for r in await rows(sessions, StockReservation)}
    assert statuses == {red.id: ReservationStatus.CONSUMED, blue.id: ReservationStatus.RELEASED}
    [event] = await rows(sessions, OutboxEvent, OutboxEvent.topic == "stock.ran_low")
    assert event.payload["on_hand"] == 9 and event.payload["severity"] == "low"


async def test_service_release_needs_a_target(sessions, admin):
    async with context(sessions, admin) as ctx:
        with pytest.raises(InvalidInput):
            await service.release(ctx)


async def test_expiry_follows_the_clock(sessions, admin):
    _, red, (a,) = await stocked(sessions, on_hand=(5,))
    async with context(sessions, admin, T0) as ctx:
        [held] = await service.reserve(ctx, red.id, 4)
    assert held.expires_at.replace(tzinfo=None) == (T0 + timedelta(minutes=30)).replace(tzinfo=None)
    async with context(sessions, admin, T0 + timedelta(minutes=29)) as ctx:
        assert await service.expire_reservations(ctx) == 0
        assert await service.available_quantity(ctx.session, red.id, now=ctx.now()) == 1
    async with context(sessions, admin, T0 + timedelta(minutes=31)) as ctx:
        assert await service.available_quantity(ctx.session, red.id, now=ctx.now()) == 5
        assert await service.expire_reservations(ctx) == 1
    assert await units(sessions, a, red) == (5, 0)
    [row] = await rows(sessions, StockReservation)
    assert row.status == ReservationStatus.EXPIRED


async def test_lapsed_reservation_via_tools(sessions, call, warehouse_staff, as_customer):
    _, red, (a,) = await stocked(sessions, on_hand=(5,))
    held = (await call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=5)).reservations[0]
    ava = await f.customer(sessions)
    out = await call(as_customer(ava), "check_availability", item_ref=red.sku)
    assert out.variants[0].status == "out_of_stock" and not out.can_fulfil
    async with sessions() as s, s.begin():
        await s.execute(update(StockReservation).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    out = await call(as_customer(ava), "check_availability", item_ref=red.sku, quantity=5)
    assert out.can_fulfil and out.variants[0].available_quantity == 5
    assert await units(sessions, a, red) == (5, 5)  # reading changed nothing
    # A new hold expires the lapsed one first.
    await call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=2)
    assert await units(sessions, a, red) == (5, 2)
    statuses = {r.id: r.status for r in await rows(sessions, StockReservation)}
    assert statuses[held.id] == ReservationStatus.EXPIRED


async def test_expire_stale_reservations_tool(sessions, call, merchant, support):
    _, red, (a,) = await stocked(sessions, on_hand=(5,))
    await call(merchant, "reserve_stock", item_ref=red.sku, quantity=3)
    with pytest.raises(Forbidden):
        await call(support, "expire_stale_reservations")
    assert (await call(merchant, "expire_stale_reservations")).expired == 0
    async with sessions() as s, s.begin():
        await s.execute(update(StockReservation).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert (await call(merchant, "expire_stale_reservations")).expired == 1
    assert await units(sessions, a, red) == (5, 0)


async def test_list_reservations_by_item_order_and_status(sessions, call, admin, support):
    _, red, _ = await stocked(sessions, on_hand=(10,))
    order = await _order(sessions, red)
    await call(admin, "reserve_stock", item_ref=red.sku, quantity=2, order_id=order.id.lstrip("#"))
    cart = await call(admin, "reserve_stock", item_ref=red.sku, quantity=3, reference="cart")
    await call(admin, "release_reservation", reservation_id=cart.reservations[0].id)
    out = await call(support, "list_stock_reservations", item_ref=red.sku)
    assert [(r.order_id, r.quantity) for r in out.reservations] == [(order.id, 2)] and out.total_units == 2
    out = await call(support, "list_stock_reservations", order_id=order.id)
    assert len(out.reservations) == 1
    out = await call(support, "list_stock_reservations", status="all")
    assert sorted(r.status for r in out.reservations) == ["active", "released"]


async def test_twenty_concurrent_holds_on_five_units(sessions, call, warehouse_staff):
    _, red, (a, b) = await stocked(sessions, on_hand=(2, 3))
    attempts = [call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=1) for _ in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    held = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(held) == 5 and len(refused) == 15
    assert await units(sessions, a, red) == (2, 2) and await units(sessions, b, red) == (3, 3)
    assert await count(sessions, StockReservation, StockReservation.status == ReservationStatus.ACTIVE) == 5
    async with sessions() as s:
        assert await service.available_quantity(s, red.id) == 0


async def test_value_of_held_units_is_unchanged(sessions, call, admin):
    # Reserving only allocates: on-hand value and the ledger stay as they were.
    _, red, _ = await stocked(sessions, on_hand=(4,))
    before = await call(admin, "get_inventory_value")
    await call(admin, "reserve_stock", item_ref=red.sku, quantity=4)
    after = await call(admin, "get_inventory_value")
    assert before == after and after.totals[0].value == Decimal("356.00")
    assert await count(sessions, StockMovement) == 0
