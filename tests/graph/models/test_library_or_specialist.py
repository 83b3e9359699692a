"""The router weighs the policy library against the specialists: the library says how things are done and knows
nobody's records, so a request to act for the asker, or a question about what happened to the asker's own, goes to
the specialist who can act or read, even worded like one of the library's questions."""

import pytest
from langchain_core.messages import HumanMessage

from tests.graph.models.test_dialogue import router
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
