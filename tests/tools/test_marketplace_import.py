"""Importing channel orders: one placement path, honest payment records, fraud screening, each order once."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import BlockedKind, OrderChannel, OrderStatus, PaymentMethodKind, SyncStatus
from db.models import (
    BlockedEntity,
    Customer,
    FraudCheck,
    MarketplaceOrder,
    Order,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    StockLevel,
)
from tests import factories as f
from tests.tools.marketplace_helpers import catalogue, feed_order, new_key, write_feed
from tests.tools.product_helpers import count
from tools.errors import Conflict, Forbidden, InvalidInput
from tools.marketplace.runtime import use_marketplace

LONG_AGO = "2020-01-01T00:00:00+00:00"


@pytest.fixture
def runtime(tmp_path):
    with use_marketplace(tmp_path / "feeds", new_key()) as rt:
        yield rt


async def sandbox(call, merchant, name="Sandbox", feed="shop"):
    return await call(merchant, "create_marketplace_connection", channel="sandbox", name=name, feed=feed)


async def allocated(sessions, variant) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.sum(StockLevel.allocated)).where(StockLevel.variant_id == variant.id))


async def test_import_places_orders_through_the_order_path_and_records_failures(sessions, call, merchant, runtime):
    shop = await catalogue(sessions)
    known = await f.customer(sessions, first="Noah", last="Known", email="noah.known@example.com")
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order("CH-1", [("KB-RED", 2, "89.00")], email="new.buyer@example.org", first="New", last="Buyer"),
        feed_order("CH-2", [("KB-BLUE", 1, "90.00")], email="NOAH.KNOWN@example.com"),
        feed_order("CH-3", [("NO-SUCH-SKU", 1, "10.00")]),
        feed_order("CH-4", [("MUG-W", 3, "12.00")]),
    ])
    connection = await sandbox(call, merchant)
    out = await call(merchant, "import_marketplace_orders", connection="Sandbox")
    assert out.fetched == 4 and [o.external_id for o in out.imported] == ["CH-1", "CH-2"]
    assert {o.external_id: o.error.split(":")[0] for o in out.failed} == {"CH-3": "not_found",
                                                                          "CH-4": "insufficient_stock"}
    new, noah = out.imported
    async with sessions() as s:
        buyer = await s.scalar(select(Customer).where(Customer.email == "new.buyer@example.org"))
        orders = {o.id: o for o in (await s.execute(select(Order))).scalars()}
        method = await s.scalar(select(PaymentMethod).where(PaymentMethod.customer_id == buyer.id))
        payment = await s.scalar(select(Payment).where(Payment.order_id == new.order_id))
        sale = await s.scalar(select(PaymentTransaction).where(PaymentTransaction.order_id == new.order_id))
        checks = await s.scalar(select(func.count()).select_from(FraudCheck))
    assert set(orders) == {new.order_id, noah.order_id}
    assert orders[noah.order_id].customer_id == known.id and orders[new.order_id].customer_id == buyer.id
    assert all(o.channel == OrderChannel.MARKETPLACE and o.status == OrderStatus.PENDING for o in orders.values())
    # The channel's own prices, and what it collected, recorded on a marketplace method through channel collection.
    assert orders[noah.order_id].total == Decimal("90.00") and orders[new.order_id].total == Decimal("178.00")
    assert (method.kind, method.brand) == (PaymentMethodKind.MARKETPLACE, "sandbox")
    assert (payment.gateway, payment.amount_captured) == ("marketplace", Decimal("178.00"))
    assert (sale.kind, sale.result, sale.amount) == ("sale", "success", Decimal("178.00"))
    assert checks == 2 and await allocated(sessions, shop.red) == 2 and await allocated(sessions, shop.white) == 0
    details = await call(merchant, "get_order_details", order_id=new.order_id)
    assert "CH-1" in details.notes[0].body
    assert (await call(merchant, "get_marketplace_connection", connection=str(connection.id))).orders_failed == 2


async def test_importing_the_same_feed_twice_creates_each_order_once(sessions, call, merchant, runtime):
    shop = await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order("CH-1", [("KB-RED", 1, "89.00")], email="a@example.org"),
        feed_order("CH-2", [("MUG-W", 3, "12.00")], email="b@example.org"),
    ])
    await sandbox(call, merchant)
    first = await call(merchant, "import_marketplace_orders")  # the shop's only connection
    again = await call(merchant, "import_marketplace_orders", connection="sandbox", since=LONG_AGO)
    assert [o.external_id for o in first.imported] == ["CH-1"] and again.imported == []
    assert again.already_imported == ["CH-1"] and [(o.external_id, o.attempts) for o in again.failed] == [("CH-2", 2)]
    assert await count(sessions, Order) == 1 and await count(sessions, MarketplaceOrder) == 2
    assert await allocated(sessions, shop.red) == 1
    # Stock arrives: the next import places the order that failed, still once.
    await f.stock(sessions, await f.warehouse(sessions), shop.white, on_hand=5)
    third = await call(merchant, "import_marketplace_orders", connection="sandbox", since=LONG_AGO)
    assert [o.external_id for o in third.imported] == ["CH-2"] and third.imported[0].attempts == 3
    assert await count(sessions, Order) == 2


async def test_an_import_under_an_idempotency_key_places_each_of_its_orders(sessions, call, merchant, runtime):
    # The key names the import call; every order it places gets its own key under it, so the second order is
    # not taken for a replay of the first, and the same import sent again places nothing new.
    await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order("CH-1", [("KB-RED", 1, "89.00")], email="a@example.org"),
        feed_order("CH-2", [("KB-BLUE", 1, "90.00")], email="b@example.org"),
    ])
    await sandbox(call, merchant)
    first = await call(merchant, "import_marketplace_orders", idempotency_key="import-1")
    again = await call(merchant, "import_marketplace_orders", idempotency_key="import-1", since=LONG_AGO)
    assert [o.external_id for o in first.imported] == ["CH-1", "CH-2"] and first.failed == []
    assert again.imported == [] and again.already_imported == ["CH-1", "CH-2"]
    assert await count(sessions, Order) == 2


async def test_concurrent_imports_place_each_order_once(sessions, call, merchant, runtime):
    await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order(f"CH-{n}", [("KB-RED", 1, "89.00")], email=f"buyer{n}@example.org") for n in range(5)
    ])
    await sandbox(call, merchant)
    results = await asyncio.gather(*(call(merchant, "import_marketplace_orders", connection="sandbox")
                                     for _ in range(3)))
    assert sorted(o.external_id for r in results for o in r.imported) == [f"CH-{n}" for n in range(5)]
    assert await count(sessions, Order) == 5 and await count(sessions, MarketplaceOrder) == 5
    assert await count(sessions, Customer) == 5


async def test_fraud_screening_refuses_a_blocked_buyer_and_keeps_nothing_of_it(sessions, call, merchant, runtime):
    await catalogue(sessions)
    async with sessions() as s, s.begin():
        s.add(BlockedEntity(kind=BlockedKind.EMAIL, value="fraud@example.org", reason="chargebacks",
                          blocked_by="staff:tester"))
    write_feed(runtime.feeds_dir / "shop", orders=[feed_order("CH-9", [("KB-RED", 1, "89.00")],
                                                              email="fraud@example.org")])
    await sandbox(call, merchant)
    out = await call(merchant, "import_marketplace_orders", connection="sandbox")
    assert out.imported == [] and out.failed[0].error.startswith("order_refused")
    assert await count(sessions, Order) == 0 and await count(sessions, Customer) == 0
    assert await count(sessions, PaymentMethod) == 0


async def test_money_that_does_not_add_up_is_not_imported(sessions, call, merchant, runtime):
    await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order("CH-1", [("KB-RED", 1, "89.00")], total="80.00"),
        feed_order("CH-2", [("KB-RED", 1, "89.00")], currency="USD"),
    ])
    await sandbox(call, merchant)
    out = await call(merchant, "import_marketplace_orders", connection="sandbox")
    assert [o.error.split(":")[0] for o in out.failed] == ["total_mismatch", "currency_unsupported"]
    assert await count(sessions, Order) == 0


async def test_marketplace_method_pays_only_channel_orders(sessions, call, merchant, runtime, as_customer):
    shop = await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[feed_order("CH-1", [("KB-RED", 1, "89.00")])])
    await sandbox(call, merchant)
    out = await call(merchant, "import_marketplace_orders", connection="sandbox")
    async with sessions() as s:
        buyer = await s.scalar(select(Customer))
        method = await s.scalar(select(PaymentMethod))
    with pytest.raises(Conflict) as err:
        await call(as_customer(buyer), "place_order", lines=[{"item": shop.blue.sku}], payment_method_id=method.id)
    assert err.value.code == "marketplace_method_only" and await count(sessions, Order) == 1
    with pytest.raises(InvalidInput):
        await call(as_customer(buyer), "add_payment_method", kind="marketplace")
    # Cancelling records the refund the channel owes the buyer, through channel collection.
    cancelled = await call(merchant, "cancel_pending_order", order_id=out.imported[0].order_id,
                           reason="no longer needed")
    assert [(e.transaction_type, e.amount) for e in cancelled.payment_history] == [
        ("payment", Decimal("89.00")), ("refund", Decimal("89.00"))]


async def test_import_refusals_change_nothing(sessions, call, merchant, support, runtime, as_customer):
    await catalogue(sessions)
    ava = await f.customer(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[feed_order("CH-1", [("KB-RED", 1, "89.00")])])
    await sandbox(call, merchant)
    await call(merchant, "create_marketplace_connection", channel="amazon", name="Amazon FR")
    for who in (as_customer(ava), support):
        with pytest.raises(Forbidden):
            await call(who, "import_marketplace_orders", connection="sandbox")
    with pytest.raises(Conflict) as err:
        await call(merchant, "import_marketplace_orders", connection="Amazon FR")
    assert err.value.code == "channel_unsupported"
    await call(merchant, "update_marketplace_connection", connection="sandbox", status="paused")
    with pytest.raises(Conflict) as err:
        await call(merchant, "import_marketplace_orders", connection="sandbox")
    assert err.value.code == "connection_paused"
    assert await count(sessions, Order) == 0 and await count(sessions, MarketplaceOrder) == 0
    listed = await call(merchant, "list_marketplace_orders", status=SyncStatus.FAILED)
    assert listed.orders == [] and listed.total == 0


async def test_a_malformed_feed_is_the_channel_s_fault(sessions, call, merchant, runtime):
    await catalogue(sessions)
    bad = feed_order("CH-1", [("KB-RED", 1, "89.00")])
    del bad["buyer"]["email"]
    write_feed(runtime.feeds_dir / "shop", orders=[bad])
    await sandbox(call, merchant)
    with pytest.raises(Exception) as err:
        await call(merchant, "import_marketplace_orders", connection="sandbox")
    assert (err.value.code, err.value.http_status) == ("channel_error", 502)
    assert "entry 0: buyer.email" in err.value.message and await count(sessions, MarketplaceOrder) == 0


async def test_channel_orders_are_listed_by_sync_status(sessions, call, merchant, support, runtime):
    await catalogue(sessions)
    write_feed(runtime.feeds_dir / "shop", orders=[
        feed_order("CH-1", [("KB-RED", 1, "89.00")], placed_at="2026-11-20T10:00:00+00:00"),
        feed_order("CH-2", [("NOPE", 1, "1.00")], placed_at="2026-11-21T10:00:00+00:00"),
        feed_order("CH-3", [("KB-BLUE", 1, "94.50")], placed_at="2026-11-22T10:00:00+00:00"),
    ])
    await sandbox(call, merchant)
    await call(merchant, "import_marketplace_orders", connection="sandbox")
    imported = await call(support, "list_marketplace_orders", status="imported")
    failed = await call(support, "list_marketplace_orders", status="failed", connection="Sandbox")
    assert [o.external_id for o in imported.orders] == ["CH-3", "CH-1"] and imported.total == 2
    assert [(o.external_id, o.order_id) for o in failed.orders] == [("CH-2", None)]
