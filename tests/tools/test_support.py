"""Support cases: anyone can ask for a person; the case lands in the right queue with an honest answer-by time."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Interaction, OutboxEvent
from tests import factories as f
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound
from tools.support import rules

PARIS_TUESDAY_10 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris (UTC+1 in winter)
PARIS_FRIDAY_19 = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # 19:00 in Paris, after closing


@pytest.mark.parametrize(("at", "expected"), [
    (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), False),  # 08:59 Paris
    (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), True),  # 09:00
    (datetime(2026, 12, 1, 16, 59, tzinfo=UTC), True),  # 17:59
    (datetime(2026, 12, 1, 17, 0, tzinfo=UTC), False),  # 18:00
    (datetime(2026, 12, 5, 10, 0, tzinfo=UTC), False),  # Saturday
])
def test_opening_hours_are_paris_weekdays_nine_to_six(at, expected):
    assert rules.is_open(at) is expected


def test_answer_times_follow_the_escalation_article():
    assert rules.answer_by("order", PARIS_TUESDAY_10) == PARIS_TUESDAY_10 + timedelta(minutes=15)
    assert rules.answer_by("safety", PARIS_TUESDAY_10) == PARIS_TUESDAY_10 + timedelta(minutes=5)
    # Friday evening: the next business day is Monday, by noon Paris time (11:00 UTC).
    assert rules.answer_by("delivery", PARIS_FRIDAY_19) == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    # Complaints: a team lead within 5 business days (Friday -> the next Friday).
    assert rules.answer_by("complaint", PARIS_FRIDAY_19).date() == datetime(2026, 12, 11).date()
    assert "closed right now" in rules.next_steps("order", PARIS_FRIDAY_19)
    assert "Monday 07 December at 12:00" in rules.next_steps("order", PARIS_FRIDAY_19)


async def test_a_customer_opens_a_case_for_themselves(call, sessions, as_customer):
    ava = await f.customer(sessions)
    case = await call(as_customer(ava), "open_support_case", summary="I want to talk to a person about my parcel",
                      topic="delivery")
    assert case.case_id.startswith("CASE-") and case.customer_id == ava.id and case.queue == "support"
    assert case.status == "open" and case.answer_by == rules.answer_by("delivery", case.opened_at)
    assert case.next_steps
    async with sessions() as session:
        audit = (await session.execute(select(AuditEvent).where(AuditEvent.entity == "support_case"))).scalar_one()
        assert audit.entity_id == case.case_id and audit.actor == as_customer(ava).label
        event = (await session.execute(select(OutboxEvent).where(OutboxEvent.topic == "support_case.opened")))
        assert event.scalar_one().payload == {"customer_id": ava.id, "topic": "delivery", "queue": "support"}


async def test_topics_pick_the_queue(call, sessions, as_customer):
    ava = await f.customer(sessions)
    for topic, queue in (("safety", "merchant"), ("legal", "admin"), ("stock", "warehouse"), ("complaint", "support")):
        case = await call(as_customer(ava), "open_support_case", summary="please help with this", topic=topic)
        assert case.queue == queue, topic
    async with sessions() as session:
        kinds = [i.kind for i in (await session.execute(select(Interaction).order_by(Interaction.id))).scalars()]
    assert kinds == ["support_case", "support_case", "support_case", "complaint"]


@pytest.mark.parametrize(("kind", "queue"), [("complaint", "support"), ("support_case", "support")])
async def test_a_logged_complaint_or_case_is_opened_as_a_case(call, sessions, support, kind, queue):
    """One path for a case: logging one as an interaction opens it like open_support_case, with its channel."""
    ava = await f.customer(sessions)
    logged = await call(support, "log_customer_interaction", customer_id=ava.id, channel="phone", kind=kind,
                        summary="called, upset that the parcel is two weeks late")
    assert (logged.kind, logged.channel, logged.status) == (kind, "phone", "open")
    [case] = (await call(support, "list_support_cases")).cases
    assert (case.case_id, case.queue) == (f"CASE-{logged.id:06d}", queue) and case.answer_by is not None
    async with sessions() as session:
        event = (await session.execute(select(OutboxEvent).where(OutboxEvent.topic == "support_case.opened")))
        assert event.scalar_one().payload["customer_id"] == ava.id


async def test_a_logged_call_is_no_case(call, sessions, support):
    ava = await f.customer(sessions)
    await call(support, "log_customer_interaction", customer_id=ava.id, channel="phone", kind="question",
               summary="asked about gift wrapping")
    assert (await call(support, "list_support_cases")).cases == []


async def test_staff_open_cases_for_a_named_customer_or_an_order(call, sessions, support):
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    keyboard = await f.product(sessions)
    order = await f.order(sessions, ava, [(keyboard.variants[0], 1)], card)
    with pytest.raises(InvalidInput) as err:
        await call(support, "open_support_case", summary="customer called about a late parcel")
    assert err.value.details[0]["field"] == "customer_id"
    by_order = await call(support, "open_support_case", summary="late parcel", order_id=order.id, topic="delivery")
    by_email = await call(support, "open_support_case", summary="wants a callback", customer_id=ava.email)
    assert by_order.customer_id == by_email.customer_id == ava.id and by_order.order_id == order.id


async def test_customers_never_reach_another_customers_cases_or_orders(call, sessions, as_customer):
    ava, noah = await f.customer(sessions), await f.customer(sessions, "Noah", "Johnson")
    card = await f.payment_method(sessions, noah)
    keyboard = await f.product(sessions)
    noahs_order = await f.order(sessions, noah, [(keyboard.variants[0], 1)], card)
    noahs_case = await call(as_customer(noah), "open_support_case", summary="where is my refund", topic="refund")
    with pytest.raises(NotFound):
        await call(as_customer(ava), "get_support_case", case_id=noahs_case.case_id)
    with pytest.raises(NotFound):
        await call(as_customer(ava), "open_support_case", summary="about this order", order_id=noahs_order.id)
    with pytest.raises(NotFound):
        await call(as_customer(ava), "open_support_case", summary="for noah", customer_id=noah.email)
    assert (await call(as_customer(ava), "list_support_cases")).total == 0
    assert (await call(as_customer(noah), "list_support_cases")).total == 1


async def test_support_closes_cases_once_and_customers_cannot(call, sessions, as_customer, support, admin):
    ava = await f.customer(sessions)
    case = await call(as_customer(ava), "open_support_case", summary="I want to talk to someone")
    with pytest.raises(Forbidden):
        await call(as_customer(ava), "close_support_case", case_id=case.case_id, resolution="done")
    closed = await call(support, "close_support_case", case_id=case.case_id, resolution="called back, sorted")
    assert closed.status == "closed" and closed.resolution == "called back, sorted" and closed.next_steps == ""
    with pytest.raises(Conflict):
        await call(admin, "close_support_case", case_id=case.case_id, resolution="again")
    assert (await call(support, "list_support_cases", status="closed")).total == 1
    assert (await call(support, "list_support_cases")).total == 0


async def test_rest_opens_the_same_case(api, sessions):
    ava = await f.customer(sessions)
    key = await f.api_key(sessions, owner=ava)
    response = await api.post("/api/v1/support/cases", json={"summary": "a person please", "topic": "order"},
                              headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["customer_id"] == ava.id and body["queue"] == "support"
    fetched = await api.get(f"/api/v1/support/cases/{body['case_id']}", headers={"Authorization": f"Bearer {key}"})
    assert fetched.json()["case_id"] == body["case_id"]
    bad = await api.post("/api/v1/support/cases", json={"summary": "x", "topic": "weather"},
                         headers={"Authorization": f"Bearer {key}"})
    assert bad.status_code == 422 and {d["field"] for d in bad.json()["error"]["details"]} >= {"summary", "topic"}
