"""Authorisation over REST, derived from the registry: every tool refused to each role it does not list, and
every customer tool refused another customer's record in each field that names one. A refusal is a 4xx in
the error envelope that names the problem, shows none of the other customer's data and writes nothing."""

import pytest
import pytest_asyncio

from tests.hardening.attacks import Attack, owned_fields, ownership_attacks, role_attacks
from tests.hardening.hostile import (
    ATTACKER,
    VICTIM,
    foreign_markers,
    leaked,
    records_of,
    records_of_others,
    write_witness,
)
from tools.registry import REGISTRY

pytestmark = [pytest.mark.db, pytest.mark.asyncio(loop_scope="module")]

ROLE_LIMITED = [spec.name for spec in REGISTRY.all() if len(spec.roles) < 5]
CUSTOMER_OWNED = [spec.name for spec in REGISTRY.all() if "customer" in spec.roles and owned_fields(spec)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(shop, client):
    """The attacker's own records, everyone else's (the victim opened a support case), and their markers."""
    opened = await client.post("/api/v1/support/cases", headers=shop.headers(VICTIM),
                               json={"summary": "Parcel marked delivered but not received.", "topic": "delivery"})
    assert opened.is_success, opened.text
    me = shop.customers[ATTACKER]
    return records_of(shop, me), records_of_others(shop, me), foreign_markers(shop, me)


async def send(client, shop, attack: Attack):
    method, path, kwargs = attack.request()
    headers = shop.headers(ATTACKER if attack.role == "customer" else str(attack.role))
    return await client.request(method, path, headers=headers, **kwargs)


# Refusals that may quote the value the caller sent: it clashes with a unique one (an email already in use).
UNIQUENESS = {"duplicate_email"}


async def assert_refused(client, shop, attack: Attack, statuses: set[int], markers: set[str]) -> None:
    before = write_witness(shop)
    response = await send(client, shop, attack)
    if attack.target and response.is_success and not attack.tool.mutates:
        # A read filtered by another customer's record may answer, as long as it shows nothing of it.
        assert str(attack.args[attack.target]) not in response.text, f"{attack.id}: {response.text[:300]}"
        assert not leaked(markers, response.text, ""), f"{attack.id} leaked {response.text[:300]}"
        return
    assert response.status_code in statuses, f"{attack.id}: {response.status_code} {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] and error["message"], f"{attack.id}: {response.text[:300]}"
    assert write_witness(shop) == before, f"{attack.id} wrote audit rows or events"
    assert not leaked(markers, response.text, str(attack.args)), f"{attack.id} leaked {response.text[:300]}"
    if attack.target and response.status_code not in (403, 404, 422) and error["code"] not in UNIQUENESS:
        # Refused for something else (the state of the caller's own order, say): it must not be about theirs.
        assert str(attack.args[attack.target]) not in response.text, f"{attack.id}: {response.text[:300]}"


@pytest.mark.parametrize("tool", ROLE_LIMITED)
async def test_roles_a_tool_does_not_list_are_refused(client, shop, stage, tool):
    own, _, markers = stage
    for attack in role_attacks([REGISTRY.get(tool)], own):
        # Arguments that fail validation are refused for that (422) before the role is looked at.
        await assert_refused(client, shop, attack, {403} if attack.well_formed else {403, 422}, markers)


@pytest.mark.parametrize("tool", CUSTOMER_OWNED)
async def test_a_customer_never_reaches_another_customers_record(client, shop, stage, tool):
    own, theirs, markers = stage
    attacks = ownership_attacks([REGISTRY.get(tool)], own, theirs)
    assert attacks, f"no record of another customer for {owned_fields(REGISTRY.get(tool))}"
    for attack in attacks:
        # Not found (never "it exists but is not yours"), or refused over the caller's own records.
        await assert_refused(client, shop, attack, {402, 403, 404, 409, 422}, markers)


async def test_role_claims_in_the_request_change_nothing(client, shop, stage):
    """A role or identity claimed in headers, query or body is ignored or refused; the key decides."""
    _, theirs, markers = stage
    headers = {**shop.headers(ATTACKER), "X-Role": "admin", "X-Customer-Id": theirs["customer_id"][0],
               "X-Forwarded-User": "ada.admin"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json() == {"principal": ATTACKER, "role": "customer"}
    listed = await client.get("/api/v1/orders", headers=headers, params={"role": "admin"})
    assert listed.status_code == 200 and not leaked(markers, listed.text, "")
    staff_only = await client.get("/api/v1/customers", headers=headers)
    assert staff_only.status_code == 403
    claimed = await client.put(f"/api/v1/customers/{theirs['customer_id'][0]}", headers=headers,
                               json={"phone": "+33 6 00 00 00 00", "role": "admin"})
    assert claimed.status_code in (404, 422) and "error" in claimed.json()


async def test_attack_surface_is_the_registry(stage):
    """The attacks cover every tool some role may not use and every customer tool that names a record."""
    own, theirs, _ = stage
    attacks = role_attacks(REGISTRY.all(), own) + ownership_attacks(REGISTRY.all(), own, theirs)
    assert len(attacks) >= 60
    assert {a.tool.name for a in attacks} >= set(ROLE_LIMITED) | set(CUSTOMER_OWNED)


async def test_a_nul_character_is_refused_naming_the_field(client, shop):
    """PostgreSQL text cannot hold NUL: it is refused as input, in a body and in a query, never a 500."""
    headers = shop.headers(ATTACKER)
    opened = await client.post("/api/v1/support/cases", headers=headers, json={"summary": "help\x00me please"})
    searched = await client.get("/api/v1/catalog/search", headers=headers, params={"query": "key\x00board"})
    for response, field in ((opened, "summary"), (searched, "query")):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"][0]["field"] == field
