"""Staff users and API keys: keys shown once and stored hashed, deactivation revokes, the last admin stays."""

import asyncio

import pytest
from sqlalchemy import func, select

from db.enums import Role
from db.models import ApiKey, AuditEvent, OutboxEvent, StaffUser
from tests import factories as f
from tests.conftest import staff_principal
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound
from tools.principals import principal_of_staff
from tools.runner import execute

NEW = {"username": "lea.petit", "first_name": "Léa", "last_name": "Petit", "email": "Lea.Petit@shopcrew.example",
       "role": "support"}


async def staff_rows(sessions) -> dict:
    """Every row user management touches, so a refusal can be shown to have changed nothing."""
    async with sessions() as s:
        users = (await s.execute(select(StaffUser.id, StaffUser.username, StaffUser.role, StaffUser.active,
                                        StaffUser.email, StaffUser.full_name))).all()
        keys = (await s.execute(select(ApiKey.id, ApiKey.revoked_at))).all()
        counts = {m.__name__: await s.scalar(select(func.count()).select_from(m)) for m in (AuditEvent, OutboxEvent)}
    return {"users": sorted(users), "keys": sorted(keys), **counts}


async def admin_user(sessions, username="root.admin"):
    """An admin user row and the principal it acts as."""
    user = await f.staff_user(sessions, Role.ADMIN, username)
    return user, principal_of_staff(user)


async def test_creating_a_user_shows_the_key_once_and_stores_only_its_hash(sessions, call):
    _, admin = await admin_user(sessions)
    out = await call(admin, "create_staff_user", **NEW, key_label="laptop")
    assert (out.user.username, out.user.full_name, out.user.email, out.user.role, out.user.active) == (
        "lea.petit", "Léa Petit", "lea.petit@shopcrew.example", "support", True)
    assert out.api_key.startswith("sc_") and out.key.prefix == out.api_key[:12] and out.key.label == "laptop"
    async with sessions() as s:
        stored = await s.get(ApiKey, out.key.id)
        assert stored.key_hash == ApiKey.hash_key(out.api_key) and out.api_key not in stored.key_hash
    again = await call(admin, "get_staff_user", username="lea.petit")
    assert "api_key" not in again.model_dump() and [k.prefix for k in again.keys] == [out.key.prefix]
    assert (await call(admin, "get_staff_user", username=str(out.user.id))).username == "lea.petit"
    assert (await call(admin, "get_staff_user", username="lea.petit@shopcrew.example")).id == out.user.id
    with pytest.raises(Conflict) as err:
        await call(admin, "create_staff_user", **{**NEW, "email": "other@shopcrew.example"})
    assert err.value.code == "duplicate_username"


async def test_bad_input_names_the_field(sessions, call):
    _, admin = await admin_user(sessions)
    for field, value in (("username", "Lea Petit"), ("email", "not-an-email"), ("role", "owner")):
        with pytest.raises(InvalidInput) as err:
            await call(admin, "create_staff_user", **{**NEW, field: value})
        assert err.value.details[0]["field"] == field
    with pytest.raises(InvalidInput):
        await call(admin, "update_staff_user", username="root.admin")  # nothing to change
    with pytest.raises(InvalidInput) as err:
        await call(admin, "revoke_api_key", username="root.admin", key_id="my key")  # a key id is a number
    assert err.value.details[0]["field"] == "key_id"
    with pytest.raises(NotFound):
        await call(admin, "get_staff_user", username="nobody")


async def test_only_admins_manage_users_and_merchants_may_look(sessions, call):
    _, admin = await admin_user(sessions)
    sam = await f.staff_user(sessions, Role.SUPPORT, "sam.s")
    mia = principal_of_staff(await f.staff_user(sessions, Role.MERCHANT, "mia.m"))
    before = await staff_rows(sessions)
    refused = [
        ("create_staff_user", {**NEW, "role": "admin"}), ("create_staff_user", NEW),
        ("update_staff_user", {"username": "mia.m", "role": "admin"}), ("update_staff_user", {"username": "sam.s",
                                                                                           "role": "merchant"}),
        ("deactivate_staff_user", {"username": "sam.s"}), ("issue_api_key", {"username": "sam.s"}),
    ]
    for who in (mia, principal_of_staff(sam), staff_principal(Role.WAREHOUSE)):
        for name, args in refused:
            with pytest.raises(Forbidden):
                await call(who, name, **args)
    with pytest.raises(Forbidden):
        await call(principal_of_staff(sam), "list_staff_users")
    assert await staff_rows(sessions) == before
    listed = await call(mia, "list_staff_users")
    assert [u.username for u in listed.users] == ["mia.m", "root.admin", "sam.s"] and listed.total == 3
    assert [u.username for u in (await call(mia, "list_staff_users", role="support")).users] == ["sam.s"]
    promoted = await call(admin, "update_staff_user", username="mia.m", role="admin", full_name="Mia Laurent")
    assert (promoted.role, promoted.full_name) == ("admin", "Mia Laurent")


async def test_deactivating_revokes_keys_and_rest_refuses_them_at_once(sessions, api):
    _, admin = await admin_user(sessions)
    admin_key = await f.api_key(sessions, staff=(await f.staff_user(sessions, Role.ADMIN, "ops.admin")))
    created = (await api.post("/api/v1/users", json=NEW, headers={"Authorization": f"Bearer {admin_key}"}))
    assert created.status_code == 201
    lea_key = created.json()["api_key"]
    lea = {"Authorization": f"Bearer {lea_key}"}
    assert (await api.get("/api/v1/config", headers=lea)).status_code == 200
    removed = await api.delete("/api/v1/users/lea.petit", headers={"Authorization": f"Bearer {admin_key}"})
    assert removed.status_code == 200 and removed.json()["revoked_keys"] == 1
    assert removed.json()["user"]["active"] is False and removed.json()["user"]["keys"][0]["revoked_at"]
    refused = await api.get("/api/v1/config", headers=lea)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    listed = await execute(sessions, admin, "list_staff_users", {})
    assert "lea.petit" not in [u.username for u in listed.users]
    back = await execute(sessions, admin, "update_staff_user",
                         {"username": "lea.petit", "active": True})
    assert back.active and all(k.revoked_at for k in back.keys)  # reactivation never revives old keys
    assert (await api.get("/api/v1/config", headers=lea)).status_code == 401


async def test_a_revoked_key_stops_working_and_others_keep_working(sessions, call, api):
    _, admin = await admin_user(sessions)
    sam = await f.staff_user(sessions, Role.SUPPORT, "sam.s")
    first = await call(admin, "issue_api_key", username="sam.s", label="laptop")
    second = await call(admin, "issue_api_key", username=str(sam.id), label="phone")
    for raw in (first.api_key, second.api_key):
        assert (await api.get("/api/v1/config", headers={"Authorization": f"Bearer {raw}"})).status_code == 200
    out = await call(admin, "revoke_api_key", username="sam.s", key_id=str(first.key.id))
    assert out.key.revoked_at is not None
    assert (await api.get("/api/v1/config", headers={"Authorization": f"Bearer {first.api_key}"})).status_code == 401
    assert (await api.get("/api/v1/config", headers={"Authorization": f"Bearer {second.api_key}"})).status_code == 200
    with pytest.raises(Conflict):
        await call(admin, "revoke_api_key", username="sam.s", key_id=str(first.key.id))
    with pytest.raises(NotFound):
        await call(admin, "revoke_api_key", username="root.admin", key_id=str(second.key.id))  # not root's key


async def test_the_last_active_admin_can_be_neither_removed_nor_demoted(sessions, call):
    root, admin = await admin_user(sessions)
    await f.staff_user(sessions, Role.MERCHANT, "mia.m")
    before = await staff_rows(sessions)
    for name, args in (("deactivate_staff_user", {"username": "root.admin"}),
                       ("update_staff_user", {"username": "root.admin", "role": "merchant"}),
                       ("update_staff_user", {"username": "root.admin", "active": False})):
        with pytest.raises(Conflict) as err:
            await call(admin, name, **args)
        assert err.value.code == "last_admin"
    assert await staff_rows(sessions) == before
    await call(admin, "update_staff_user", username="mia.m", role="admin")
    out = await call(admin, "update_staff_user", username="root.admin", role="merchant")
    assert out.role == "merchant"


async def test_two_admins_removing_each_other_at_once_leave_one(sessions):
    first, second = await f.staff_user(sessions, Role.ADMIN, "adm.one"), await f.staff_user(sessions, Role.ADMIN,
                                                                                            "adm.two")
    results = await asyncio.gather(
        execute(sessions, principal_of_staff(first), "deactivate_staff_user", {"username": "adm.two"}),
        execute(sessions, principal_of_staff(second), "deactivate_staff_user", {"username": "adm.one"}),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DeactivatedOut"]
    async with sessions() as s:
        active = await s.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.role == Role.ADMIN,
                                                                                  StaffUser.active.is_(True)))
    assert active == 1


async def test_rest_parity_for_users(sessions, call, api):
    root, admin = await admin_user(sessions)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=root)}"}
    created = await api.post("/api/v1/users", json=NEW, headers=headers)
    user_id = created.json()["user"]["id"]
    got = await api.get(f"/api/v1/users/{user_id}", headers=headers)
    assert got.json() == (await call(admin, "get_staff_user", username="lea.petit")).model_dump(mode="json")
    listed = await api.get("/api/v1/users", params={"role": "support"}, headers=headers)
    assert listed.json() == (await call(admin, "list_staff_users", role="support")).model_dump(mode="json")
    changed = await api.put("/api/v1/users/lea.petit", json={"role": "warehouse"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["role"] == "warehouse"
    bad = await api.put("/api/v1/users/lea.petit", json={"role": "owner"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "role"
    last = await api.delete(f"/api/v1/users/{root.id}", headers=headers)
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"
