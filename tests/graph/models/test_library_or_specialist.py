"""The router weighs the policy library against the specialists: the library says how things are done and knows
nobody's records, so a request to act for the asker, or a question about what happened to the asker's own, goes to
the specialist who can act or read, even worded like one of the library's questions."""

import pytest
from langchain_core.messages import HumanMessage

from db.enums import Role
from tests.graph.models.test_dialogue import router, specialist
from tools.registry import load_all


@pytest.fixture(scope="module")
def registry():
    return load_all()


@pytest.mark.parametrize(
    ("ask", "agent"),
    [
        # Nearest to the library's "how can I change my name or email on my account?", but a request to act.
        ("I just got married! could you change the last name on my account to Lambert?", "customer"),
        ("could you please update my phone number to 0612345678", "customer"),
        # A question about what became of the asker's own refund.
        ("hi, i cancelled the grey felt desk mat back in november, did the refund actualy go through? i have two "
         "paypal accounts with you and cant see it", "payment"),
        ("did my refund go through?", "payment"),
        # Still the library's: asking how, or what to do.
        ("how can I change my name or email on my account?", "knowledge"),
        ("can you tell me how to change my name on my account?", "knowledge"),
        ("I can't sign in, what do I do?", "knowledge"),
    ],
)
def test_a_request_to_act_or_about_what_happened_goes_to_the_specialist(registry, ask, agent):
    reply = router(registry).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls][:1] == [f"transfer_to_{agent}"]


@pytest.mark.parametrize(
    ("role", "ask"),
    [
        (Role.WAREHOUSE, "the supplier's lorry is here and two of the pallets have crushed corners, the wrap's torn on "
                         "one of them. the driver wants me to sign right now so he can get going. what am I supposed "
                         "to do?"),
        (Role.CUSTOMER, "my neighbour signed for my parcel and now says he never got it, what can I do?"),
    ],
)
def test_a_question_no_specialist_fits_is_put_to_the_library(registry, role, ask):
    # The library says itself when it has no answer; a refusal would leave a question it may answer unasked.
    reply = router(registry, role).invoke([HumanMessage(ask)])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_knowledge"]


@pytest.mark.parametrize("ask", ["sing me a song about cheese", "my neighbour's dog keeps barking, what should I do?",
                                 "who won the football last night?"])
def test_a_request_far_from_the_shop_is_still_declined(registry, ask):
    # Asked or not: the policy library takes questions about the shop's work, not every question.
    reply = router(registry).invoke([HumanMessage(ask)])
    assert reply.tool_calls == []
    assert "outside what I can help with" in reply.text


def test_a_wish_for_something_of_ones_own_goes_to_the_specialist_alone(registry):
    # Nearest to the library's "how can I change my name on my account?", but a wish for the account to change.
    reply = router(registry).invoke([HumanMessage(
        "hi! I got married in October and I'd like my account to be in my new name now")])
    assert [c["name"] for c in reply.tool_calls] == ["transfer_to_customer"]


def test_a_condition_in_the_story_before_a_question_makes_it_no_question_about_rules(registry):
    # "after some security check" tells what happened; the question asks to save a card.
    reply = specialist(registry, "payment").invoke([HumanMessage(
        "PayPal has frozen my account after some security check and it could take weeks to sort out. can I save a "
        "bank card on my account here so I've got something else to pay with?")])
    assert not reply.tool_calls and reply.text.startswith("To save a payment method, I need")
    # In the question itself it still asks about the rule.
    [call] = specialist(registry, "payment").invoke([HumanMessage(
        "can I change my payment method after the order ships?")]).tool_calls
    assert call["name"] == "answer_question"


def test_asked_to_act_on_a_record_it_names_the_specialist_acts(registry):
    # "its tracking" points at the parcel spoken of: a request to record the delivery, not a question for the library.
    reply = specialist(registry, "transport", Role.WAREHOUSE).invoke([HumanMessage(
        "one of our parcels was handed to the customer yesterday but the driver's scanner had died, so it still shows "
        "'out for delivery'. can you put the delivery on its tracking?")])
    assert not reply.tool_calls and reply.text.startswith("To record a carrier's tracking event")
