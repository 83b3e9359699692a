"""Only an explicit, unconditional yes approves a pending action."""

import pytest

from graph.confirm import CORRECTION, read_answer, refers_back


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes, please.", "y", "yes go ahead with the exchange", "Yes, I confirm.", "ok", "sure, do it", "Confirmed"],
)
def test_yes(text):
    assert read_answer(text) == "yes"


@pytest.mark.parametrize("text", ["no", "No thanks", "cancel", "don't", "nope, leave it", "no wait, cancel that",
                                  "no wait", "no, hang on, don't do that", "no, not 2 of them"])
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
        # A word that says yes alone says something else with more words after it.
        "fine, use the visa",
        "please use my visa",
        "go with the blue one",
    ],
)
def test_anything_else_is_not_a_yes(text):
    assert read_answer(text) == "other"


@pytest.mark.parametrize(
    "text", ["sounds good", "please go ahead", "go for it", "alright", "yep", "👍", "definitely", "let's do it",
             "that's fine", "go on then", "looks good", "do that", "fine.", "perfect, thanks", "great", "please"]
)
def test_yes_in_other_words(text):
    assert read_answer(text) == "yes"


@pytest.mark.parametrize("text", ["forget it", "leave it", "not now", "hold off for now", "never mind"])
def test_no_in_other_words(text):
    assert read_answer(text) == "no"


@pytest.mark.parametrize(
    "text", ["actually make it 3", "no, I meant the blue one", "make it 25 units", "change it to paypal_3024827",
             "sorry, I meant #W4817420", "wait, use my gift card", "make that 3", "no, 0.89", "oops, it was PAR-1",
             "no sorry, make him an admin", "sorry, wrong address, it's 14 Cours de l'Intendance",
             "no wait, it's +33 6 11 22 33 55", "hang on, it should be 12", "wait, +33 6 98 76 54 32",
             "no wait, only 50 euros", "sorry, just 2", "wait, no, cancel W6380018 instead",
             "sorry, the blue one instead",
             # The new value set against the old one, and a pause before more words.
             "sorry, my mistake, we agreed 30 not 40", "so it's 2 I need to send back, not 1",
             "no wait, he paid for express on that one, it has to go chronopost",
             "hold on, that's my old flat. it needs to go to 9 Rue Sainte-Catherine"],
)
def test_a_correction_is_no_yes_and_is_told_apart(text):
    assert read_answer(text) == "other" and CORRECTION.match(text)


@pytest.mark.parametrize("text", ["show my orders", "make a complaint", "actual delivery times?", "yes",
                                  "it was delivered broken", "wrong item received", "no, leave it",
                                  "wait for the parcel", "no, it's fine, leave it",
                                  "no, I'd rather keep it instead. Thanks"])
def test_a_new_request_is_no_correction(text):
    assert not CORRECTION.match(text)


@pytest.mark.parametrize(
    "text", ["what's in the third one?", "approve it", "cancel that one, I ordered it by mistake",
             "set its on-time rate to 0.9", "send that same order to 10 Calle Mayor, 28013 Madrid instead"],
)
def test_a_follow_up_points_back_at_what_was_shown(text):
    assert refers_back(text)


@pytest.mark.parametrize(
    "text", ["this is useless, escalate", "is it possible to talk to a person?", "show my orders",
             "cancel W7137149, i don't need it anymore", "start inspection QI-DEMO0001, it arrived"],
)
def test_a_request_that_names_its_own_record_or_none_is_no_follow_up(text):
    assert not refers_back(text)


@pytest.mark.parametrize(("text", "answer"), [
    ("ok the steel one in the bigger size, how much is that?", "other"),
    ("yes, but how long will the refund take?", "other"),
    ("ok?", "yes"),
    ("yes, that's right, thanks!", "yes"),
])
def test_a_yes_that_goes_on_to_ask_a_question_of_its_own_is_no_yes(text, answer):
    assert read_answer(text) == answer
