"""Who am I, and the demo personas: listed only for keys the demo seed derives from public text."""

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import Role
from db.models import ApiKey
from db.seed.keys import demo_key
from tests import factories as f
from tests.api.chat_app import client_with
from tests.graph.scripted import ScriptedChatModel


async def seeded_key(sessions, principal: str, raw: str, **owner) -> None:
    """A key row labelled as the demo seed labels its keys."""
    async with unit_of_work(sessions) as s:
        s.add(ApiKey(key_hash=ApiKey.hash_key(raw), prefix=raw[:12], label=f"demo {principal}", **owner))


async def test_a_demo_shop_lists_its_personas_and_their_keys_work(sessions, database_url, tmp_path):
    ava = await f.customer(sessions, email="ava.martin@example.com")
    wendy = await f.staff_user(sessions, Role.WAREHOUSE, username="wendy.warehouse")
    await seeded_key(sessions, "staff:wendy.warehouse", demo_key("staff:wendy.warehouse"), staff_user_id=wendy.id)
    await seeded_key(sessions, "customer:ava.martin@example.com", demo_key("customer:ava.martin@example.com"),
                     customer_id=ava.id)
    async with client_with(ScriptedChatModel(script=[]), database_url, tmp_path) as client:
        listed = (await client.get("/api/v1/demo/personas")).json()
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {listed['personas'][1]['key']}"})
    assert listed["demo"] is True
    assert [(p["principal"], p["name"], p["role"]) for p in listed["personas"]] == [
        ("customer:ava.martin@example.com", "Ava Martin", "customer"),
        ("staff:wendy.warehouse", "Wendy.Warehouse", "warehouse"),
    ]
    assert me.json() == {"principal": "staff:wendy.warehouse", "role": "warehouse"}


async def test_a_shop_without_the_demo_seed_lists_no_key(sessions, database_url, tmp_path):
    ava = await f.customer(sessions)
    await f.api_key(sessions, owner=ava)
    # Labelled like a demo key, but not the public one: a real secret that must never be shown.
    await seeded_key(sessions, f"customer:{ava.email}", ApiKey.generate(), customer_id=ava.id)
    async with client_with(ScriptedChatModel(script=[]), database_url, tmp_path) as client:
        listed = (await client.get("/api/v1/demo/personas")).json()
    assert listed == {"demo": False, "personas": []}


async def test_an_erased_demo_customer_is_not_offered(sessions, database_url, tmp_path):
    ava = await f.customer(sessions, email="ava.martin@example.com", erased_at=utcnow())
    await seeded_key(sessions, "customer:ava.martin@example.com", demo_key("customer:ava.martin@example.com"),
                     customer_id=ava.id)
    async with client_with(ScriptedChatModel(script=[]), database_url, tmp_path) as client:
        assert (await client.get("/api/v1/demo/personas")).json() == {"demo": False, "personas": []}


async def test_me_needs_a_valid_key(sessions, database_url, tmp_path):
    async with client_with(ScriptedChatModel(script=[]), database_url, tmp_path) as client:
        refused = await client.get("/api/v1/me", headers={"Authorization": "Bearer sc_nope"})
    assert refused.status_code == 401 and refused.json()["error"]["message"] == "unknown or revoked API key"
