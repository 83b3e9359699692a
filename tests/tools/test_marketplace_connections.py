"""Marketplace connections: CRUD, references, refusals, and credentials that never come back out."""

import json
import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from db.enums import ConnectionStatus
from db.models import (
    AgentRun,
    AuditEvent,
    MarketplaceConnection,
    MarketplaceListing,
    OutboxEvent,
    ToolCall,
)
from tests import factories as f
from tests.tools.marketplace_helpers import catalogue, new_key
from tests.tools.product_helpers import count
from tools.errors import Ambiguous, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tools.marketplace.runtime import use_marketplace

SECRET = "sk-live-ZQX-7734-never-show-me"


@pytest.fixture
def key():
    return new_key()


@pytest.fixture
def runtime(tmp_path, key):
    with use_marketplace(tmp_path / "feeds", key) as rt:
        yield rt


async def stored(sessions, name: str) -> MarketplaceConnection:
    async with sessions() as s:
        return await s.scalar(select(MarketplaceConnection).where(MarketplaceConnection.name == name))


async def everything_recorded(sessions) -> str:
    """Every audit row, event, tool-call record and run record, as one text to search."""
    async with sessions() as s:
        rows = [row for model in (AuditEvent, OutboxEvent, ToolCall, AgentRun)
                for row in (await s.execute(select(model))).scalars()]
    return json.dumps([{c.name: str(getattr(r, c.name)) for c in r.__table__.columns} for r in rows])


async def test_crud_by_id_name_or_channel(sessions, call, merchant, support, runtime):
    created = await call(merchant, "create_marketplace_connection", channel="sandbox", name="Test shop",
                         price_adjustment_pct=10)
    await call(merchant, "create_marketplace_connection", channel="ebay", name="eBay DE")
    assert (created.status, created.feed, created.price_adjustment_pct, created.has_credentials) == (
        "active", f"connection-{created.id}", 10, False)
    for ref in (str(created.id), "test SHOP", "sandbox", "the sandbox marketplace connection", "our Test shop account"):
        assert (await call(support, "get_marketplace_connection", connection=ref)).id == created.id
    with pytest.raises(NotFound) as err:
        await call(merchant, "push_marketplace_stock", channel="etsy")
    assert "no marketplace etsy connection" in err.value.message
    with pytest.raises(Ambiguous):  # two live connections, neither named
        await call(merchant, "push_marketplace_stock")
    updated = await call(merchant, "update_marketplace_connection", connection="Test shop", name="Sandbox one",
                         status="paused", feed="other")
    assert (updated.name, updated.status, updated.feed) == ("Sandbox one", "paused", "other")
    listed = await call(support, "list_marketplace_connections")
    assert [c.name for c in listed.connections] == ["Sandbox one", "eBay DE"]
    deleted = await call(merchant, "delete_marketplace_connection", connection="eBay DE")
    assert deleted.connection.status == ConnectionStatus.DISCONNECTED
    assert [c.name for c in (await call(support, "list_marketplace_connections")).connections] == ["Sandbox one"]
    everything = await call(support, "list_marketplace_connections", include_deleted=True)
    assert len(everything.connections) == 2
    audit = await count(sessions, AuditEvent, AuditEvent.entity == "marketplace_connection")
    assert audit == 4


async def test_refusals_change_nothing(sessions, call, merchant, support, runtime, as_customer):
    ava = as_customer(await f.customer(sessions))
    await call(merchant, "create_marketplace_connection", channel="sandbox", name="One")
    await call(merchant, "create_marketplace_connection", channel="sandbox", name="Two")
    with pytest.raises(Conflict) as err:
        await call(merchant, "create_marketplace_connection", channel="amazon", name="one")
    assert err.value.code == "duplicate_name"
    for who in (ava, support):
        with pytest.raises(Forbidden):
            await call(who, "create_marketplace_connection", channel="sandbox", name="Mine")
    with pytest.raises(Forbidden):
        await call(ava, "list_marketplace_connections")
    with pytest.raises(Ambiguous) as err:
        await call(support, "get_marketplace_connection", connection="sandbox")
    assert [c["name"] for c in err.value.details] == ["One", "Two"]
    with pytest.raises(NotFound):
        await call(support, "get_marketplace_connection", connection="Three")
    with pytest.raises(InvalidInput):
        await call(merchant, "create_marketplace_connection", channel="amazon", name="Amazon", feed="demo")
    with pytest.raises(InvalidInput):
        await call(merchant, "create_marketplace_connection", channel="myspace", name="Old")
    await call(merchant, "delete_marketplace_connection", connection="Two")
    with pytest.raises(Conflict):
        await call(merchant, "update_marketplace_connection", connection="Two", name="Back")
    assert await count(sessions, MarketplaceConnection) == 2


async def test_credentials_are_encrypted_and_never_shown(sessions, call, merchant, support, runtime, key, caplog):
    caplog.set_level(logging.DEBUG)
    out = await call(merchant, "create_marketplace_connection", channel="amazon", name="Amazon FR",
                     credentials={"api_key": SECRET, "seller_id": "A1B2C3"})
    assert (out.has_credentials, out.credential_fields) == (True, ["api_key", "seller_id"])
    row = await stored(sessions, "Amazon FR")
    assert SECRET not in row.credentials_encrypted
    plain = json.loads(Fernet(key.get_secret_value()).decrypt(row.credentials_encrypted.encode()))
    assert plain == {"api_key": SECRET, "seller_id": "A1B2C3"}
    outputs = [out, await call(support, "get_marketplace_connection", connection="Amazon FR"),
               await call(support, "list_marketplace_connections"),
               await call(merchant, "update_marketplace_connection", connection="Amazon FR",
                          credentials={"api_key": SECRET + "-2"})]
    with pytest.raises(InvalidInput) as err:  # a refusal quoting its arguments would quote the secret
        await call(merchant, "update_marketplace_connection", connection="Amazon FR",
                   credentials={"API KEY": SECRET, "token": "x" * 5000})
    texts = [o.model_dump_json() for o in outputs] + [str(err.value), json.dumps(err.value.details)]
    texts += [await everything_recorded(sessions), caplog.text]
    assert not any(SECRET in text for text in texts)
    cleared = await call(merchant, "update_marketplace_connection", connection="Amazon FR", clear_credentials=True)
    assert (cleared.has_credentials, (await stored(sessions, "Amazon FR")).credentials_encrypted) == (False, None)


async def test_no_key_answers_the_documented_503_over_rest(sessions, api):
    # A deployment without the key refuses to store credentials with a status its API documents, naming the setting.
    boss = await f.staff_user(sessions, role="merchant")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    answer = await api.post("/api/v1/marketplace/connections", headers=auth,
                            json={"channel": "amazon", "name": "Amazon FR", "credentials": {"api_key": SECRET}})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "credentials_key_missing"
    assert "SHOPCREW_MARKETPLACE_SECRET_KEY" in answer.json()["error"]["message"]
    documented = (await api.get("/openapi.json")).json()["paths"]["/api/v1/marketplace/connections"]["post"]
    assert "503" in documented["responses"]
    assert (await api.get("/api/v1/marketplace/connections", headers=auth)).json()["connections"] == []


async def test_no_key_no_credentials_and_nothing_written(sessions, call, merchant, tmp_path):
    with use_marketplace(tmp_path, None):
        with pytest.raises(DomainError) as err:
            await call(merchant, "create_marketplace_connection", channel="amazon", name="Amazon FR",
                       credentials={"api_key": SECRET})
        assert (err.value.code, err.value.http_status) == ("credentials_key_missing", 503)
        assert "SHOPCREW_MARKETPLACE_SECRET_KEY" in err.value.message and SECRET not in err.value.message
        # Without credentials a connection needs no key.
        await call(merchant, "create_marketplace_connection", channel="sandbox", name="Sandbox")
    with use_marketplace(tmp_path, new_key()):
        await call(merchant, "update_marketplace_connection", connection="Sandbox", credentials={"token": SECRET})
    with use_marketplace(tmp_path, new_key()), pytest.raises(DomainError) as err:
        # Another key cannot read them: syncing is refused clearly, without a crash or the secret.
        await call(merchant, "push_marketplace_stock", connection="Sandbox")
    assert err.value.code == "credentials_unreadable" and SECRET not in err.value.message
    assert await count(sessions, MarketplaceConnection) == 1


async def test_credentials_never_appear_over_rest(sessions, api, runtime):
    boss = await f.staff_user(sessions, role="merchant")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=boss)}"}
    body = {"channel": "cdiscount", "name": "Cdiscount Pro", "credentials": {"api_key": SECRET}}
    responses = [await api.post("/api/v1/marketplace/connections", json=body, headers=auth)]
    assert responses[0].status_code == 201 and responses[0].json()["credential_fields"] == ["api_key"]
    responses.append(await api.get("/api/v1/marketplace/connections/Cdiscount Pro", headers=auth))
    responses.append(await api.get("/api/v1/marketplace/connections", headers=auth))
    bad = {"channel": "cdiscount", "name": "Again", "credentials": {"api_key": SECRET, "x": ""}}
    responses.append(await api.post("/api/v1/marketplace/connections", json=bad, headers=auth))
    assert responses[-1].status_code == 422
    assert all(SECRET not in r.text for r in responses)
    assert SECRET not in await everything_recorded(sessions)


async def test_deleting_ends_offers_wipes_credentials_and_stops_syncing(sessions, call, merchant, runtime):
    shop = await catalogue(sessions)
    await call(merchant, "create_marketplace_connection", channel="sandbox", name="Sandbox",
               credentials={"token": SECRET})
    await call(merchant, "create_marketplace_offer", connection="Sandbox", item=shop.red.sku)
    out = await call(merchant, "delete_marketplace_connection", connection="Sandbox")
    assert out.offers_ended == 1 and not out.connection.has_credentials
    assert (await stored(sessions, "Sandbox")).credentials_encrypted is None
    async with sessions() as s:
        assert (await s.scalar(select(MarketplaceListing))).status == "ended"
    with pytest.raises(Conflict) as err:
        await call(merchant, "push_marketplace_stock", connection="Sandbox")
    assert err.value.code == "connection_disconnected"
