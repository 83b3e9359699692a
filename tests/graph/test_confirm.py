"""Only an explicit, unconditional yes approves a pending action."""

import pytest

from graph.confirm import CORRECTION, read_answer


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


@pytest.mark.parametrize(
    "text", ["sounds good", "please go ahead", "go for it", "alright", "yep", "👍", "definitely", "let's do it"]
)
def test_yes_in_other_words(text):
    assert read_answer(text) == "yes"


@pytest.mark.parametrize("text", ["forget it", "leave it", "not now", "hold off for now", "never mind"])
def test_no_in_other_words(text):
    assert read_answer(text) == "no"


@pytest.mark.parametrize(
    "text", ["actually make it 3", "no, I meant the blue one", "make it 25 units", "change it to paypal_3024827",
             "sorry, I meant #W4817420", "wait, use my gift card"],
)
def test_a_correction_is_no_yes_and_is_told_apart(text):
    assert read_answer(text) == "other" and CORRECTION.match(text)


@pytest.mark.parametrize("text", ["show my orders", "make a complaint", "actual delivery times?", "yes"])
def test_a_new_request_is_no_correction(text):
    assert not CORRECTION.match(text)
