"""Settings through the back office: typed writes (4xx naming the field), who changed what, and a real reader."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.enums import Role
from db.models import AuditEvent, SystemConfig
from tests import factories as f
from tests.conftest import staff_principal
from tests.tools.inventory_helpers import stocked
from tools.config.catalogue import CATALOGUE, declare
from tools.errors import Ambiguous, Forbidden, InvalidInput

TTL = "inventory.reservation_ttl_minutes"


async def config_rows(sessions) -> list:
    """The stored settings and how many audit rows exist."""
    async with sessions() as s:
        stored = (await s.execute(select(SystemConfig.key, SystemConfig.value, SystemConfig.updated_by))).all()
        return [sorted(stored), await s.scalar(select(func.count()).select_from(AuditEvent))]


async def test_every_declared_setting_is_listed_with_its_default_until_changed(sessions, call, merchant, support):
    listed = await call(support, "list_config")
    assert [e.key for e in listed.settings] == sorted(CATALOGUE) and listed.total == len(CATALOGUE)
    assert {"approvals.partial_refund_pct", "approvals.refund_threshold", TTL} <= set(CATALOGUE)
    ttl = next(e for e in listed.settings if e.key == TTL)
    assert (ttl.type, ttl.value, ttl.default, ttl.is_default, ttl.updated_by, ttl.whole_number) == (
        "number", 30, 30, True, None, True)
    changed = await call(merchant, "set_config_value", config_key=TTL, value="45")
    assert (changed.previous, changed.setting.value, changed.setting.is_default) == (30, 45, False)
    again = await call(support, "get_config_value", config_key=TTL)
    assert (again.value, again.updated_by) == (45, merchant.label) and again.updated_at is not None


@pytest.fixture
def windows():
    """Two keys with the same name in different namespaces."""
    made = [declare("returns_test.window_days", "number", 30, "a window"),
            declare("warranty_test.window_days", "number", 90, "another window")]
    yield made
    for key in made:
        CATALOGUE.pop(key.key)


async def test_a_setting_is_found_by_the_words_people_use(sessions, call, admin, windows):
    for words, key in (("refund threshold", "approvals.refund_threshold"),
                       ("what is the refund approval threshold", "approvals.refund_threshold"),
                       ("reservation TTL", TTL), ("how long do stock holds last", TTL),
                       ("change inventory.reservation_ttl_minutes to 45", TTL),
                       ("the partial refund percentage", "approvals.partial_refund_pct"),
                       ("returns test window", "returns_test.window_days"),
                       ("free delivery on anything over 75 euros", "shipping.free_shipping_threshold"),
                       ("the cut-off for free postage", "shipping.free_shipping_threshold")):
        assert (await call(admin, "get_config_value", config_key=words)).key == key, words
    out = await call(admin, "set_config_value", config_key="stock holds should last 60 minutes", value=60.0)
    assert out.setting.key == TTL and out.setting.value == 60
    with pytest.raises(Ambiguous) as err:
        await call(admin, "get_config_value", config_key="the window")
    assert {"returns_test.window_days", "warranty_test.window_days"} <= {d["config_key"] for d in err.value.details}
    out = await call(admin, "set_config_value", config_key="set the free-shipping threshold to 60", value=60)
    assert out.setting.key == "shipping.free_shipping_threshold" and out.setting.value == 60
    for unknown in ("threshold", "shipping.free_shipping_threshold_typo"):
        with pytest.raises(InvalidInput, match="unknown config key") as err:
            await call(admin, "set_config_value", config_key=unknown, value=60)
        assert err.value.details[0]["field"] == "config_key"


@pytest.mark.parametrize(("key", "value", "field", "problem"), [
    ("approvals.refund_threshold", "lots", "value", "must be a number"),
    ("approvals.refund_threshold", True, "value", "must be a number"),
    ("approvals.refund_threshold", -5, "value", "at least 0"),
    ("approvals.partial_refund_pct", 150, "value", "at most 100"),
    (TTL, 12.5, "value", "whole number"),
    ("shipping.free_shipping_threshold_typo", 60, "config_key", "unknown config key"),
])
async def test_wrong_values_are_refused_naming_the_field_and_change_nothing(sessions, call, admin, api, key, value,
                                                                             field, problem):
    before = await config_rows(sessions)
    with pytest.raises(InvalidInput, match=problem) as err:
        await call(admin, "set_config_value", config_key=key, value=value)
    assert err.value.details[0]["field"] == field
    user = await f.staff_user(sessions, Role.ADMIN)
    response = await api.post("/api/v1/config", json={"config_key": key, "value": value},
                              headers={"Authorization": f"Bearer {await f.api_key(sessions, staff=user)}"})
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == field
    assert problem in response.json()["error"]["message"]
    assert (await config_rows(sessions))[0] == before[0]


async def test_only_managers_change_settings(sessions, call):
    before = await config_rows(sessions)
    for role in (Role.SUPPORT, Role.WAREHOUSE):
        with pytest.raises(Forbidden):
            await call(staff_principal(role), "set_config_value", config_key=TTL, value=60)
    customer = f.principal_of(await f.customer(sessions))
    for name, args in (("list_config", {}), ("set_config_value", {"config_key": TTL, "value": 60})):
        with pytest.raises(Forbidden):
            await call(customer, name, **args)
    assert await config_rows(sessions) == before


async def test_rest_parity_for_settings(sessions, call, admin, api):
    user = await f.staff_user(sessions, Role.MERCHANT)
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, staff=user)}"}
    posted = await api.post("/api/v1/config", json={"config_key": "approvals.refund_threshold", "value": 350},
                            headers=headers)
    assert posted.status_code == 200 and posted.json()["setting"]["updated_by"] == f"staff:{user.username}"
    got = await api.get("/api/v1/config/approvals.refund_threshold", headers=headers)
    assert got.json() == (await call(admin, "get_config_value", config_key="approvals.refund_threshold")).model_dump(
        mode="json")
    listed = await api.get("/api/v1/config", headers=headers)
    assert listed.json() == (await call(admin, "list_config")).model_dump(mode="json")
    missing = await api.get("/api/v1/config/no.such_key", headers=headers)
    assert missing.status_code == 422 and missing.json()["error"]["details"][0]["field"] == "config_key"


async def test_stock_holds_last_as_long_as_the_setting_says(sessions, call, merchant, warehouse_staff):
    _, red, _ = await stocked(sessions, on_hand=(20,))

    async def lifetime(**args) -> timedelta:
        held = (await call(warehouse_staff, "reserve_stock", item_ref=red.sku, quantity=1, **args)).reservations[0]
        return held.expires_at - held.created_at

    assert await lifetime() == timedelta(minutes=30)
    await call(merchant, "set_config_value", config_key=TTL, value=45)
    assert await lifetime() == timedelta(minutes=45)
    assert await lifetime(ttl_minutes=10) == timedelta(minutes=10)
