"""Typed settings: declared once, validated on write, read back with their defaults."""

import pytest
from sqlalchemy import select

from db.models import AuditEvent, OutboxEvent, SystemConfig
from tools.config import service
from tools.config.catalogue import CATALOGUE, declare, lookup
from tools.context import ToolContext
from tools.errors import InvalidInput


@pytest.fixture
def keys():
    made = {
        "test.threshold": declare("test.threshold", "number", 50, "a limit", minimum=0, maximum=1000),
        "test.days": declare("test.days", "number", 30, "a window", minimum=1, integer=True),
        "test.enabled": declare("test.enabled", "boolean", False, "a switch"),
        "test.label": declare("test.label", "string", "shop", "a name"),
        "test.rules": declare("test.rules", "json", {"a": 1}, "a structure"),
    }
    yield made
    for name in made:
        CATALOGUE.pop(name)


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("test.threshold", "60", 60), ("test.threshold", 12.5, 12.5), ("test.days", 14.0, 14),
    ("test.enabled", "true", True), ("test.enabled", False, False), ("test.label", "ok", "ok"),
    ("test.rules", [1, "two"], [1, "two"]),
])
def test_values_are_checked_into_their_type(keys, name, raw, expected):
    assert keys[name].validate(raw) == expected


@pytest.mark.parametrize(("name", "raw", "problem"), [
    ("test.threshold", True, "must be a number"), ("test.threshold", "sixty", "must be a number"),
    ("test.threshold", -1, "at least 0"), ("test.threshold", 1001, "at most 1000"),
    ("test.days", 2.5, "whole number"), ("test.enabled", "maybe", "true or false"),
    ("test.label", 5, "must be a string"), ("test.threshold", float("inf"), "finite"),
])
def test_bad_values_are_refused_naming_the_field(keys, name, raw, problem):
    with pytest.raises(InvalidInput, match=problem) as err:
        keys[name].validate(raw)
    assert err.value.details[0]["field"] == "value"


def test_a_key_is_declared_once(keys):
    with pytest.raises(ValueError, match="declared twice"):
        declare("test.days", "number", 1, "again")


def test_unknown_keys_list_the_known_ones(keys):
    with pytest.raises(InvalidInput, match="test.days") as err:
        lookup("test.nope")
    assert err.value.details[0]["field"] == "config_key"


async def test_set_value_stores_audits_and_reads_back(keys, sessions, admin):
    async with sessions() as session:
        assert await service.value(session, keys["test.threshold"]) == 50
        ctx = ToolContext(session=session, principal=admin)
        await service.set_value(ctx, "test.threshold", "75")
        await session.commit()
    async with sessions() as session:
        assert await service.value(session, keys["test.threshold"]) == 75
        row = await session.get(SystemConfig, "test.threshold")
        assert row.updated_by == admin.label
        audit = (await session.execute(select(AuditEvent).where(AuditEvent.entity_id == "test.threshold"))).scalar_one()
        assert audit.data == {"from": None, "to": 75}
        event = (await session.execute(select(OutboxEvent).where(OutboxEvent.key == "test.threshold"))).scalar_one()
        assert event.topic == "config.changed"
        listed = {key.key: current for key, current, _ in await service.all_values(session)}
        assert listed["test.threshold"] == 75 and listed["test.days"] == 30


async def test_a_refused_value_changes_nothing(keys, sessions, admin):
    async with sessions() as session:
        with pytest.raises(InvalidInput):
            await service.set_value(ToolContext(session=session, principal=admin), "test.days", 0)
        assert (await session.execute(select(SystemConfig))).first() is None
