"""Customer tools: each normal case and its refusals, with nothing changed by a refusal."""

import pytest
from sqlalchemy import func, select

from db.enums import LoyaltyTier, PaymentMethodKind
from db.models import AuditEvent, Customer
from tests import factories as f
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_find_by_email_is_case_insensitive(sessions, call, support):
    ava = await f.customer(sessions, email="ava.martin@example.com")
    out = await call(support, "find_customer_by_email", email="AVA.Martin@Example.com")
    assert out.customer_id == ava.id


async def test_customer_cannot_look_up_someone_else_by_email(sessions, call, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    with pytest.raises(NotFound):
        await call(as_customer(ava), "find_customer_by_email", email=bob.email)


async def test_find_by_name_and_zip(sessions, call, support):
    ava = await f.customer(sessions, first="Ava", last="Martin", zip_code="69001")
    await f.customer(sessions, first="Ava", last="Martin", zip_code="13001")
    out = await call(support, "find_customer_by_name_zip", first_name="ava", last_name="MARTIN", zip="69001")
    assert out.customer_id == ava.id
    with pytest.raises(NotFound):
        await call(support, "find_customer_by_name_zip", first_name="Ava", last_name="Martin", zip="99999")


async def test_names_typed_without_accents_find_the_customer(sessions, call, support):
    chloe = await f.customer(sessions, first="Chloé", last="Dubois", zip_code="33000")
    out = await call(support, "find_customer_by_name_zip", first_name="Chloe", last_name="dubois", zip="33000")
    assert out.customer_id == chloe.id


async def test_staff_name_a_customer_by_full_name_in_any_case_or_accents(sessions, call, support):
    chloe = await f.customer(sessions, first="Chloé", last="Dubois")
    mateo = await f.customer(sessions, first="Mateo", last="García")
    await f.customer(sessions, first="Chloé", last="Martin")
    assert (await call(support, "get_customer_details", customer_id="chloe  DUBOIS")).id == chloe.id
    assert (await call(support, "get_customer_details", customer_id="Mateo Garcia")).id == mateo.id
    lea = await f.customer(sessions, first="Léa", last="van der Berg")
    assert (await call(support, "get_customer_details", customer_id="Lea van der Berg")).id == lea.id
    with pytest.raises(NotFound, match="no customer named 'Chloé Durand'"):
        await call(support, "get_customer_details", customer_id="Chloé Durand")


async def test_a_full_name_two_customers_share_is_ambiguous_with_their_ids(sessions, call, support):
    first = await f.customer(sessions, first="Louis", last="Laurent")
    second = await f.customer(sessions, first="Louis", last="Laurent")
    with pytest.raises(Ambiguous) as raised:
        await call(support, "list_orders", customer_id="Louis Laurent")
    assert {d["customer_id"] for d in raised.value.details} == {first.id, second.id}


async def test_a_customer_naming_someone_else_sees_nothing_of_theirs(sessions, call, as_customer):
    ava = await f.customer(sessions, first="Ava", last="Martin")
    await f.customer(sessions, first="Bob", last="Stone")
    with pytest.raises(NotFound):
        await call(as_customer(ava), "list_orders", customer_id="Bob Stone")


async def test_details_include_methods_and_orders(sessions, call, as_customer):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava, PaymentMethodKind.GIFT_CARD, balance=25)
    kb = await f.product(sessions)
    order = await f.order(sessions, ava, [(kb.variants[0], 1)], card)
    out = await call(as_customer(ava), "get_customer_details")
    assert out.id == ava.id and out.order_ids == [order.id]
    assert [(m.id, float(m.balance)) for m in out.payment_methods] == [(card.id, 25.0)]
    assert out.addresses[0].is_default


async def test_customer_cannot_read_another_customer(sessions, call, as_customer):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    with pytest.raises(NotFound):
        await call(as_customer(ava), "get_customer_details", customer_id=bob.id)


async def test_create_customer_and_duplicate_email(sessions, call, support):
    out = await call(support, "create_customer", email="New@Example.com", first_name="Zoe", last_name="Ng")
    assert out.email == "new@example.com" and out.loyalty_tier == LoyaltyTier.BRONZE
    with pytest.raises(Conflict) as err:
        await call(support, "create_customer", email="new@example.com", first_name="Zed", last_name="Ng")
    assert err.value.code == "duplicate_email"
    assert await count(sessions, Customer) == 1


async def test_customer_may_not_create_accounts(sessions, call, as_customer):
    ava = await f.customer(sessions)
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "create_customer", email="x@example.com", first_name="X", last_name="Y")
    assert await count(sessions, Customer) == 1


async def test_update_refuses_taken_email_and_changes_nothing(sessions, call, support):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    with pytest.raises(Conflict):
        await call(support, "update_customer", customer_id=ava.id, email=bob.email, phone="+33 6 00 00 00 00")
    async with sessions() as s:
        assert (await s.get(Customer, ava.id)).phone is None
    out = await call(support, "update_customer", customer_id=ava.id, phone="+33 6 00 00 00 00")
    assert out.phone == "+33 6 00 00 00 00"


async def test_an_update_with_nothing_to_change_is_refused_and_writes_nothing(sessions, call, support):
    ava = await f.customer(sessions)
    with pytest.raises(InvalidInput) as err:
        await call(support, "update_customer", customer_id=ava.id)
    assert "email, first_name, last_name or phone" in str(err.value.details)
    assert await count(sessions, AuditEvent) == 0


async def test_bad_input_names_the_field(sessions, call, support):
    with pytest.raises(InvalidInput) as err:
        await call(support, "create_customer", email="not-an-email", first_name="A", last_name="B")
    assert err.value.details[0]["field"] == "email"


async def test_addresses_default_first_and_default_replacement(sessions, call, as_customer):
    ava = await f.customer(sessions)
    me = as_customer(ava)
    out = await call(
        me,
        "add_customer_address",
        customer_id="me",
        address1="5 Rue Oberkampf",
        city="Paris",
        country="FR",
        zip="75011",
        make_default=True,
    )
    assert out.addresses[0].address1 == "5 Rue Oberkampf" and out.addresses[0].is_default
    assert len(out.addresses) == 2
    out = await call(me, "update_default_address", address1="9 Quai", city="Lyon", country="FR", zip="69002")
    assert [a.address1 for a in out.addresses][0] == "9 Quai" and len(out.addresses) == 2


async def test_erase_anonymises_and_refuses_twice(sessions, call, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    await call(support, "erase_customer", customer_id=ava.id)
    out = await call(support, "get_customer_details", customer_id=ava.id)
    assert out.erased and out.first_name == "Erased" and out.addresses == [] and out.payment_methods == []
    assert card.id not in [m.id for m in out.payment_methods]
    with pytest.raises(Conflict):
        await call(support, "erase_customer", customer_id=ava.id)


async def test_loyalty_next_tier(sessions, call, as_customer):
    ava = await f.customer(sessions, loyalty_points=620, loyalty_tier=LoyaltyTier.SILVER)
    out = await call(as_customer(ava), "get_loyalty")
    assert (out.tier, out.next_tier, out.points_to_next_tier) == (LoyaltyTier.SILVER, LoyaltyTier.GOLD, 1380)


async def test_log_interaction_records_staff(sessions, call, support, as_customer):
    ava = await f.customer(sessions)
    out = await call(
        support,
        "log_customer_interaction",
        customer_id=ava.id,
        channel="phone",
        kind="complaint",
        summary="Parcel late by a week",
    )
    assert out.status == "open"
    with pytest.raises(Forbidden):
        await call(
            as_customer(ava),
            "log_customer_interaction",
            customer_id=ava.id,
            channel="chat",
            kind="note",
            summary="I am staff now",
        )


async def test_rest_parity_and_auth(sessions, call, api, as_customer):
    ava = await f.customer(sessions)
    key = await f.api_key(sessions, owner=ava)
    direct = await call(as_customer(ava), "get_customer_details", customer_id=ava.id)
    response = await api.get(f"/api/v1/customers/{ava.id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json() == direct.model_dump(mode="json")
    response = await api.get(f"/api/v1/customers/{ava.id}")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


async def test_rest_validation_error_envelope(sessions, api):
    admin = await f.staff_user(sessions, role="admin")
    key = await f.api_key(sessions, staff=admin)
    response = await api.post(
        "/api/v1/customers",
        json={"email": "nope", "first_name": "A", "last_name": "B"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "email"
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_customer_erases_own_account_over_rest(sessions, api):
    ava = await f.customer(sessions)
    key = await f.api_key(sessions, owner=ava)
    response = await api.delete("/api/v1/customers/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    async with sessions() as s:
        assert (await s.get(Customer, ava.id)).erased


async def test_list_customers_filters_and_is_staff_only(sessions, call, support, warehouse_staff, as_customer):
    ava = await f.customer(sessions)
    await f.customer(sessions, first="Bob", last="Stone")
    out = await call(support, "list_customers", query="stone")
    assert [c.last_name for c in out.customers] == ["Stone"] and out.total == 1
    assert (await call(support, "list_customers", limit=1)).total == 2
    for principal in (as_customer(ava), warehouse_staff):
        with pytest.raises(Forbidden):
            await call(principal, "list_customers")


async def test_list_addresses_default_first_and_scoped(sessions, call, as_customer, support):
    ava = await f.customer(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    await call(support, "add_customer_address", customer_id=ava.id, address1="2 Rue Neuve", city="Lille",
               country="FR", zip="59000")
    out = await call(as_customer(ava), "list_customer_addresses")
    assert [a.is_default for a in out.addresses] == [True, False]
    with pytest.raises(NotFound):
        await call(as_customer(ava), "list_customer_addresses", customer_id=bob.id)
