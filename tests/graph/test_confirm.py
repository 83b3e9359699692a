"""Only an explicit, unconditional yes approves a pending action."""

import pytest

from graph.confirm import read_answer


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes, please.", "y", "yes go ahead with the exchange", "Yes, I confirm.", "ok", "sure, do it", "Confirmed"],
)
def test_yes(text):
    assert read_answer(text) == "yes"


@pytest.mark.parametrize("text", ["no", "No thanks", "cancel", "don't", "nope, leave it"])
def test_no(text):
    assert read_answer(text) == "no"


@pytest.mark.parametrize(
    "text",
    [
        "yes but change the address first",
        "what will it cost?",
        "maybe",
        "yes, no, I'm not sure",
        "okay wait",
        "show my orders",
    ],
)
def test_anything_else_is_not_a_yes(text):
    assert read_answer(text) == "other"
