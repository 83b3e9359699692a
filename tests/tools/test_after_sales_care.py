"""Satisfaction surveys (one per order, ranges, averages and NPS) and warranty claims (window, numbering,
ownership, staff decisions), through the tools and REST."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from db.base import utcnow
from db.enums import OrderStatus
from tests import factories as f
from tests.tools.after_sales_helpers import delivered, everything, set_setting, topics
from tests.tools.order_helpers import shop
from tools.after_sales.rules import add_months
from tools.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound

CLAIM = re.compile(r"^WC-\d{8}-[A-Z0-9]{8}$")


# --- surveys --------------------------------------------------------------------------------------------


async def test_one_survey_per_order(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    out = await call(me, "submit_survey", order_id=order.id, rating=4, nps=9, comment=" quick delivery ")
    assert (out.order_id, out.rating, out.nps, out.comment, out.customer_id) == (
        order.id, 4, 9, "quick delivery", sh.customer.id)
    before = await everything(sessions)
    with pytest.raises(Conflict) as again:
        await call(me, "submit_survey", order_id=order.id, rating=1)
    assert again.value.code == "survey_exists"
    assert await everything(sessions) == before
    assert "survey.submitted" in await topics(sessions)


@pytest.mark.parametrize("args", [{"rating": 0}, {"rating": 6}, {"rating": 3, "nps": 11}, {"rating": 3, "nps": -1},
                                  {"rating": "great"}])
async def test_rating_and_nps_ranges_are_422(sessions, call, as_customer, args):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    before = await everything(sessions)
    with pytest.raises(InvalidInput) as refused:
        await call(as_customer(sh.customer), "submit_survey", order_id=order.id, **args)
    assert refused.value.http_status == 422 and refused.value.details[0]["field"] in ("rating", "nps")
    assert await everything(sessions) == before


async def test_surveys_only_for_own_delivered_orders(sessions, call, as_customer, support):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    order = await delivered(sessions, sh, [(sh.red, 1)])
    pending = await f.order(sessions, sh.customer, [(sh.red, 1)], sh.card)
    with pytest.raises(NotFound):
        await call(as_customer(bob), "submit_survey", order_id=order.id, rating=1)
    with pytest.raises(Conflict):
        await call(as_customer(sh.customer), "submit_survey", order_id=pending.id, rating=5)
    with pytest.raises(Forbidden):
        await call(support, "submit_survey", order_id=order.id, rating=5)


async def test_staff_read_average_and_nps(sessions, call, as_customer, support, merchant):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    for rating, nps in [(5, 10), (4, 9), (2, 3), (3, None)]:
        order = await delivered(sessions, sh, [(sh.red, 1)])
        await call(me, "submit_survey", order_id=order.id, rating=rating, nps=nps)
    out = await call(merchant, "list_surveys")
    assert (out.total, out.average_rating, out.nps) == (4, Decimal("3.50"), 33)  # (2 - 1) / 3 answers
    assert [x.rating for x in out.surveys] == [3, 2, 4, 5]
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    assert (await call(support, "list_surveys", since=tomorrow)).total == 0
    with pytest.raises(Forbidden):
        await call(me, "list_surveys")


# --- warranty -------------------------------------------------------------------------------------------


async def test_claims_within_the_warranty_get_our_number_and_status(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=400)
    out = await call(me, "submit_warranty_claim", order_id=order.id, description="Three keys stopped working.")
    assert CLAIM.match(out.claim_number) and out.status == "submitted" and out.item_name == "Mechanical Keyboard"
    assert out.covered_until == add_months((utcnow() - timedelta(days=400)).date(), 24)
    with pytest.raises(InvalidInput):  # the caller never sets the number or the status
        await call(me, "submit_warranty_claim", order_id=order.id, description="Still broken, again.",
                   claim_number="WC-20260101-AAAAAAAA", status="approved")
    with pytest.raises(Conflict) as duplicate:
        await call(me, "submit_warranty_claim", order_id=order.id, description="Still broken, again.")
    assert duplicate.value.details == {"claim_number": out.claim_number}
    assert "warranty_claim.submitted" in await topics(sessions)


async def test_a_claim_names_its_item_by_words_of_the_products_name(sessions, call, as_customer):
    # "keyboard mechanical" is no part of "Mechanical Keyboard" as written, yet names it; "mug" names the other line.
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1), (sh.mug.variants[0], 1)])
    out = await call(me, "submit_warranty_claim", order_id=order.id, item="keyboard mechanical",
                     description="Three keys stopped working.")
    assert out.item_name == "Mechanical Keyboard"
    with pytest.raises(InvalidInput) as missing:
        await call(me, "submit_warranty_claim", order_id=order.id, item="keyboard wireless",
                   description="Three keys stopped working.")
    assert missing.value.code == "item_not_in_order"


async def test_the_warranty_window_is_a_typed_setting(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    inside = await delivered(sessions, sh, [(sh.red, 1)], days_ago=720)
    outside = await delivered(sessions, sh, [(sh.red, 1)], days_ago=740)
    assert (await call(me, "submit_warranty_claim", order_id=inside.id,
                       description="The cable is loose now.")).status == "submitted"
    before = await everything(sessions)
    with pytest.raises(Conflict) as expired:
        await call(me, "submit_warranty_claim", order_id=outside.id, description="The cable is loose now.")
    assert expired.value.code == "warranty_expired"
    assert await everything(sessions) == before
    await set_setting(sessions, "warranty.months", 36)
    assert (await call(me, "submit_warranty_claim", order_id=outside.id,
                       description="The cable is loose now.")).status == "submitted"


async def test_which_item_and_which_orders(sessions, call, as_customer):
    sh = await shop(sessions)
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1), (sh.mug.variants[0], 1)])
    with pytest.raises(InvalidInput):
        await call(me, "submit_warranty_claim", order_id=order.id, description="It does not work at all.")
    out = await call(me, "submit_warranty_claim", order_id=order.id, item="mug",
                     description="The glaze cracked in the dishwasher.")
    assert out.item_id == sh.mug.variants[0].id
    processed = await f.order(sessions, sh.customer, [(sh.red, 1)], sh.card, status=OrderStatus.PROCESSED)
    with pytest.raises(Conflict):
        await call(me, "submit_warranty_claim", order_id=processed.id, description="It does not work at all.")


async def test_claim_ownership_and_staff_decisions(sessions, call, as_customer, support, warehouse_staff):
    sh = await shop(sessions)
    bob = await f.customer(sessions, first="Bob", last="Stone")
    me = as_customer(sh.customer)
    order = await delivered(sessions, sh, [(sh.red, 1)], days_ago=200)
    claim = await call(me, "submit_warranty_claim", order_id=order.id, description="Space bar sticks badly.")
    before = await everything(sessions)
    for name, args in [("get_warranty_claim", {"claim_number": claim.claim_number}),
                       ("get_warranty_claim", {"claim_number": order.id}),
                       ("submit_warranty_claim", {"order_id": order.id, "description": "Not mine but broken."}),
                       ("list_warranty_claims", {"customer_id": sh.customer.id})]:
        with pytest.raises(NotFound):
            await call(as_customer(bob), name, **args)
    for who in (me, warehouse_staff):
        with pytest.raises(Forbidden):
            await call(who, "update_warranty_claim_status", claim_number=claim.claim_number, status="approved")
    with pytest.raises(InvalidTransition):
        await call(support, "update_warranty_claim_status", claim_number=claim.claim_number, status="resolved",
                   resolution="replaced")
    assert await everything(sessions) == before
    assert (await call(as_customer(bob), "list_warranty_claims")).total == 0
    await call(support, "update_warranty_claim_status", claim_number=claim.claim_number.lower(), status="approved")
    with pytest.raises(InvalidInput):
        await call(support, "update_warranty_claim_status", claim_number=claim.claim_number, status="resolved")
    out = await call(support, "update_warranty_claim_status", claim_number=order.id, status="resolved",
                     resolution="Replaced with a new keyboard.")
    assert (out.status, out.resolution) == ("resolved", "Replaced with a new keyboard.")
    mine = await call(me, "list_warranty_claims")
    assert [c.status for c in mine.claims] == ["resolved"]
    assert (await call(support, "list_warranty_claims", status="submitted")).total == 0
    assert [t for t in await topics(sessions) if t.startswith("warranty")] == [
        "warranty_claim.submitted", "warranty_claim.approved", "warranty_claim.resolved"]


async def test_rest_parity(sessions, call, api, as_customer):
    sh = await shop(sessions)
    order = await delivered(sessions, sh, [(sh.red, 1)])
    headers = {"Authorization": f"Bearer {await f.api_key(sessions, owner=sh.customer)}"}
    survey = await api.post("/api/v1/surveys/submit", json={"order_id": order.id, "rating": 5, "nps": 10},
                            headers=headers)
    assert survey.status_code == 200 and survey.json()["rating"] == 5
    again = await api.post("/api/v1/surveys/submit", json={"order_id": order.id, "rating": 5}, headers=headers)
    assert again.status_code == 409
    bad = await api.post("/api/v1/surveys/submit", json={"order_id": order.id, "rating": 9}, headers=headers)
    assert bad.status_code == 422
    claim = await api.post("/api/v1/warranty/claim", headers=headers,
                           json={"order_id": order.id, "description": "Keys chatter on every press."})
    assert claim.status_code == 200, claim.text
    number = claim.json()["claim_number"]
    got = await api.get(f"/api/v1/warranty/claims/{number}", headers=headers)
    assert got.json() == (await call(as_customer(sh.customer), "get_warranty_claim", claim_number=number)).model_dump(
        mode="json")
    listed = await api.get("/api/v1/warranty/claims", headers=headers)
    assert listed.json()["total"] == 1
