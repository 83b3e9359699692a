"""Offers, stock and price pushes, and buyer messages through the sandbox channel; REST parity."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from db.engine import unit_of_work
from db.models import MarketplaceMessage, ProductVariant
from tests import factories as f
from tests.tools.marketplace_helpers import catalogue, feed_order, new_key, write_feed
from tests.tools.product_helpers import count
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound
from tools.marketplace.runtime import use_marketplace


@pytest.fixture
def runtime(tmp_path):
    with use_marketplace(tmp_path / "feeds", new_key()) as rt:
        yield rt


def pushed(runtime, feed="shop") -> dict:
    return json.loads((runtime.feeds_dir / feed / "listings.json").read_text())


def message(external_id, body, sent_at="2026-11-21T09:00:00+00:00", order_ref=None, sender="Jane B."):
    return {"external_id": external_id, "sender": sender, "body": body, "sent_at": sent_at, "order_ref": order_ref}


async def sandbox(call, merchant, **settings):
    return await call(merchant, "create_marketplace_connection", channel="sandbox", name="Sandbox", feed="shop",
                      **settings)


async def test_offers_push_our_price_and_free_stock(sessions, call, merchant, support, runtime):
    shop = await catalogue(sessions)
    await sandbox(call, merchant, price_adjustment_pct=10)
    offer = await call(merchant, "create_marketplace_offer", connection="Sandbox", item="kb-red")
    assert (offer.sku, offer.price, offer.quantity, offer.name) == ("KB-RED", Decimal("97.90"), 10,
                                                                    "Mechanical Keyboard")
    assert pushed(runtime)["KB-RED"] | {"updated_at": None} == {"quantity": 10, "price": "97.90", "currency": "EUR",
                                                                 "updated_at": None}
    with pytest.raises(Conflict) as err:
        await call(merchant, "create_marketplace_offer", connection="Sandbox", item=shop.red.id)
    assert err.value.code == "duplicate_offer"
    await call(merchant, "create_marketplace_offer", connection="Sandbox", item="MUG-W")
    # An order of ours takes 3 keyboards; a price change; the mug is switched off.
    buyer = await f.customer(sessions)
    card = await f.payment_method(sessions, buyer)
    await call(f.principal_of(buyer), "place_order", lines=[{"item": "KB-RED", "quantity": 3}],
               payment_method_id=card.id)
    async with unit_of_work(sessions) as s:
        await s.execute(update(ProductVariant).where(ProductVariant.id == shop.red.id).values(price=Decimal("80")))
        await s.execute(update(ProductVariant).where(ProductVariant.id == shop.white.id).values(available=False))
    stock = await call(merchant, "push_marketplace_stock", connection="Sandbox")
    assert [(o.sku, o.quantity) for o in stock.offers] == [("KB-RED", 7), ("MUG-W", 0)]
    prices = await call(merchant, "push_marketplace_prices", connection="Sandbox")
    assert [(o.sku, o.price) for o in prices.offers] == [("KB-RED", Decimal("88.00")), ("MUG-W", Decimal("13.20"))]
    channel = pushed(runtime)
    assert (channel["KB-RED"]["quantity"], channel["KB-RED"]["price"], channel["MUG-W"]["quantity"]) == (7, "88.00", 0)
    listed = await call(support, "list_marketplace_offers", connection="sandbox", status="active")
    assert [o.sku for o in listed.offers] == ["KB-RED", "MUG-W"]


async def test_offer_and_push_refusals_change_nothing(sessions, call, merchant, support, runtime):
    await catalogue(sessions)
    await sandbox(call, merchant)
    with pytest.raises(Forbidden):
        await call(support, "create_marketplace_offer", connection="Sandbox", item="KB-RED")
    with pytest.raises(Forbidden):
        await call(support, "push_marketplace_prices", connection="Sandbox")
    with pytest.raises(NotFound):
        await call(merchant, "create_marketplace_offer", connection="Sandbox", item="NOPE-1")
    assert not (runtime.feeds_dir / "shop" / "listings.json").exists()
    assert (await call(support, "list_marketplace_offers")).offers == []


async def test_messages_are_fetched_once_linked_read_and_answered(sessions, call, merchant, support, runtime):
    await catalogue(sessions)
    folder = write_feed(runtime.feeds_dir / "shop", orders=[feed_order("CH-1", [("KB-RED", 1, "89.00")])],
                        messages=[message("M-1", "Where is my parcel?", order_ref="CH-1"),
                                  message("M-2", "Do you ship to Spain?", sent_at="2026-11-21T10:00:00+00:00")])
    await sandbox(call, merchant)
    imported = await call(merchant, "import_marketplace_orders", connection="Sandbox")
    first = await call(support, "fetch_marketplace_messages", connection="Sandbox")
    again = await call(support, "fetch_marketplace_messages", connection="Sandbox")
    assert [m.order_ref for m in first.new] == ["CH-1", None] and again.new == []
    unread = await call(support, "list_unread_marketplace_messages")
    assert [m.body for m in unread.messages] == ["Where is my parcel?", "Do you ship to Spain?"]
    read = await call(support, "mark_marketplace_message_read", message_id=unread.messages[1].id)
    assert read.read_at is not None
    reply = await call(support, "send_marketplace_message", reply_to=unread.messages[0].id,
                       body="It left our warehouse today.")
    assert (reply.direction, reply.order_ref, reply.sender) == ("out", "CH-1", "staff:support-tester")
    by_our_number = await call(support, "send_marketplace_message", connection="Sandbox",
                               about_order=imported.imported[0].order_id, body="Tracking follows.")
    assert by_our_number.order_ref == "CH-1"
    # A question asked before buying is about no order: the answer reaches its buyer as a reply on the channel.
    presale = await call(support, "send_marketplace_message", reply_to=unread.messages[1].id, body="Yes, we do.")
    assert presale.order_ref is None
    sent = json.loads((folder / "sent.json").read_text())["messages"]
    assert [(m["order_ref"], m["in_reply_to"], m["body"]) for m in sent] == [
        ("CH-1", "M-1", "It left our warehouse today."), ("CH-1", None, "Tracking follows."),
        (None, "M-2", "Yes, we do.")]
    assert (await call(support, "list_unread_marketplace_messages")).messages == []
    async with sessions() as s:
        linked = await s.scalar(select(MarketplaceMessage).where(MarketplaceMessage.external_id == "M-1"))
    assert linked.marketplace_order_id == imported.imported[0].id


async def test_message_refusals_change_nothing(sessions, call, merchant, support, warehouse_staff, runtime):
    write_feed(runtime.feeds_dir / "shop", messages=[message("M-1", "Hello?")])
    await sandbox(call, merchant)
    with pytest.raises(Forbidden):
        await call(warehouse_staff, "list_unread_marketplace_messages")
    await call(merchant, "create_marketplace_connection", channel="sandbox", name="Second", feed="other")
    with pytest.raises(Ambiguous):  # two connections: say which
        await call(support, "send_marketplace_message", about_order="CH-1", body="Hi")
    with pytest.raises(InvalidInput, match="reply_to .* or about_order"):  # a message to no buyer in particular
        await call(support, "send_marketplace_message", connection="Sandbox", body="Hi")
    with pytest.raises(NotFound):
        await call(support, "send_marketplace_message", connection="Sandbox", about_order="CH-404", body="Hi")
    with pytest.raises(NotFound):
        await call(support, "mark_marketplace_message_read", message_id=99)
    assert await count(sessions, MarketplaceMessage) == 0
    assert not (runtime.feeds_dir / "shop" / "sent.json").exists()
    await call(support, "fetch_marketplace_messages", connection="Sandbox")
    received = await call(support, "list_unread_marketplace_messages", connection="Sandbox")
    mine = await call(support, "send_marketplace_message", reply_to=received.messages[0].id, body="Thanks for writing.")
    with pytest.raises(Conflict):
        await call(support, "mark_marketplace_message_read", message_id=mine.id)


async def test_rest_parity(sessions, call, api, merchant, runtime):
    await catalogue(sessions)
    connection = await sandbox(call, merchant)
    await call(merchant, "create_marketplace_offer", connection="Sandbox", item="KB-BLUE")
    boss = await f.staff_user(sessions, role="merchant")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    direct = await call(merchant, "get_marketplace_connection", connection=str(connection.id))
    response = await api.get(f"/api/v1/marketplace/connections/{connection.id}", headers=auth)
    assert response.status_code == 200 and response.json() == direct.model_dump(mode="json")
    offers = await call(merchant, "list_marketplace_offers")
    response = await api.get("/api/v1/marketplace/offers", headers=auth)
    assert response.status_code == 200 and response.json() == offers.model_dump(mode="json")
    response = await api.post("/api/v1/marketplace/offers", json={"connection": "Sandbox", "item": "KB-BLUE"},
                              headers=auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate_offer"
    response = await api.post("/api/v1/marketplace/listings/push-stock", json={}, headers=auth)
    assert response.status_code == 200 and response.json()["offers"][0]["quantity"] == 10
