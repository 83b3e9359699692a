"""Extractive answers from passages, with citations, and plain refusals."""

from dataclasses import replace

import numpy as np
import pytest

from knowledge.answer import (
    MIN_SCORE,
    NOT_COVERED,
    QUANTITY_LIFT,
    _lifts,
    answer_from_passages,
    holds_words,
    split_sentences,
)
from knowledge.store import Passage


def passage(article_id: str, heading: str, text: str, score: float) -> Passage:
    return Passage(
        article_id=article_id, title=article_id.title(), category="returns", heading=heading, text=text, score=score
    )


RETURNS = passage(
    "returns-policy",
    "How long you have",
    "You have 30 days from delivery to ask for a return. Faulty items can come back for 90 days. "
    "We like parcels wrapped in brown paper.",
    0.7,
)
SHIPPING = passage("shipping-rates", "France", "Colissimo costs 5.50 EUR for parcels up to 1 kg.", 0.65)


def test_low_scores_are_refused_plainly() -> None:
    answer = answer_from_passages("what's the weather in Lyon", [passage("x", "", "Sunny text here.", 0.2)])
    assert not answer.covered
    assert answer.text == NOT_COVERED
    assert answer.citations == []


def test_no_passages_is_a_refusal() -> None:
    assert not answer_from_passages("anything at all", []).covered


def test_answer_picks_relevant_sentences_and_cites_their_article() -> None:
    answer = answer_from_passages("how many days do I have to return a faulty item", [SHIPPING, RETURNS])
    assert answer.covered
    assert "90 days" in answer.text
    assert answer.citations[0].article_id == "returns-policy"
    assert answer.citations[0].heading == "How long you have"


def test_threshold_can_be_overridden() -> None:
    assert not answer_from_passages("return window", [RETURNS], min_score=0.9).covered
    assert RETURNS.score > MIN_SCORE


def test_split_sentences_strips_markdown() -> None:
    text = "- **Refund**: to the card;\n1. Print the label\n\nYou have 30 days. Then it ends!\n```\nok"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Refund: to the card.", "Print the label.", "You have 30 days.",
                                           "Then it ends!"]
    assert [s.listed for s in sentences] == [True, True, False, False]


CUSTOMS = passage(
    "customs", "Outside the EU",
    "For destinations outside the EU (including the United Kingdom, Switzerland and Norway), the parcel goes "
    "through customs and the destination may charge import taxes.",
    MIN_SCORE - 0.05,
)
HOURS = passage("contact", "Opening hours", "Our team answers from 9:00 to 18:00, Monday to Friday.", MIN_SCORE - 0.05)


def test_a_passage_just_under_the_threshold_answers_when_it_holds_the_question_words() -> None:
    # It names the place the question asks about.
    assert answer_from_passages("do you ship to switzerland? any extra fees?", [CUSTOMS]).covered
    # It holds most of the question's words, one of them misspelt in the question.
    assert answer_from_passages("which customs taxes outside the EU", [CUSTOMS]).covered
    assert holds_words("wat is ur retrun polcy", passage("r", "", "Our return policy: 30 days.", 0.4))


def test_a_lower_passage_holding_the_name_asked_about_leads_when_the_best_one_does_not() -> None:
    zones = passage("zones", "The three zones", "Zone world: every other destination, including Switzerland.",
                    MIN_SCORE - 0.09)
    answer = answer_from_passages("do you ship to Switzerland?", [replace(HOURS, score=MIN_SCORE - 0.02), zones],
                                  embed_fn=flat)
    assert answer.covered and answer.citations[0].article_id == "zones" and "Switzerland" in answer.text


def test_a_sentence_naming_what_the_question_names_is_preferred() -> None:
    places = passage("zones", "", "Parcels to Spain take three days. We ship worldwide with express carriers. "
                     "Parcels to Norway go through customs.", 0.7)
    assert "Norway" in answer_from_passages("do you deliver to Norway?", [places], embed_fn=flat).text


def test_the_fourth_passage_may_hold_the_answer() -> None:
    near = [passage(f"p{i}", "", f"Some general words about returns number {i}.", 0.7 - i * 0.01) for i in range(3)]
    timing = passage("refund-timing", "", "Card refunds take 5 to 10 business days to appear.", 0.66)
    answer = answer_from_passages("how long until I get my refund?", [*near, timing], embed_fn=flat)
    assert "5 to 10 business days" in answer.text


def test_a_cross_reference_is_no_answer() -> None:
    sentences = split_sentences("A fault is covered for two years. See the article on warranty claims.")
    assert [s.text for s in sentences] == ["A fault is covered for two years."]


def test_a_figure_counts_in_words_and_only_in_the_sentence_itself() -> None:
    lifts = _lifts("how long does it last?", ["We repair the product.", "It lasts two years."],
                   ["From day 91 to two years", ""])
    assert lifts[0] == 0 and lifts[1] == QUANTITY_LIFT


def test_a_look_alike_question_under_the_threshold_is_still_refused() -> None:
    assert not answer_from_passages("what time does the eiffel tower open", [HOURS]).covered
    assert not answer_from_passages("do you ship to switzerland", [replace(CUSTOMS, score=MIN_SCORE - 0.2)]).covered



def flat(texts: list[str]):
    """An embedding under which every sentence reads exactly as close to the question: only the lifts decide."""
    import numpy as np

    return np.ones((len(texts), 1))


MIXED = passage(
    "refund-timing", "",
    "Our offices are in Lyon and Paris. Parcels leave the warehouse every afternoon. Gift wrapping is offered at "
    "checkout. Refunds are paid to the original method. Card refunds appear within 5 to 10 business days.",
    0.7,
)


def test_a_sentence_holding_the_question_words_or_the_figure_asked_for_is_preferred() -> None:
    answer = answer_from_passages("how long until my card refund shows up?", [MIXED], embed_fn=flat).text
    assert "5 to 10 business days" in answer and "original method" in answer and "Lyon" not in answer
    assert "Gift wrapping" in answer_from_passages("do you offer gift wrapping?", [MIXED], embed_fn=flat).text


@pytest.mark.parametrize(("text", "introduction", "question", "expected"), [
    # A list's items follow the sentence introducing them.
    ("We accept three kinds of payment:\n- credit or debit card, Visa and Mastercard;\n"
     "- PayPal, with instalments;\n- gift card, including store credit.\n\n"
     "Cash is never taken at the door. Cheques are not taken either. "
     "Bank transfers are not possible. Crypto coins are not possible.",
     "three kinds", "what payment methods do you accept?",
     "We accept three kinds of payment: credit or debit card, Visa and Mastercard. "
     "PayPal, with instalments. gift card, including store credit."),
    # So do a table's rows, which the chunker writes out as "header: cell; ..." lines.
    ("Once we have issued the refund, the time it takes to appear depends on the method:\n"
     "method: gift card; time to appear: immediately.\n"
     "method: credit or debit card; time to appear: 5 to 10 business days.\n\n"
     "Returned items are refunded once inspected. Cancelled orders are refunded at once. "
     "Exchanges settle the difference.",
     "depends on", "how long until the refund shows on my card?",
     "Once we have issued the refund, the time it takes to appear depends on the method: method: gift card; time "
     "to appear: immediately. method: credit or debit card; time to appear: 5 to 10 business days."),
])
def test_a_sentence_introducing_a_list_brings_its_items(text, introduction, question, expected) -> None:
    introduced = passage("article", "Section", text, 0.7)

    def embed(texts: list[str]) -> np.ndarray:
        # The question and the introduction agree; prose half; the items alone say nothing of it.
        return np.array([[1.0, 0.0] if i == 0 or introduction in t else
                         [0.0, 1.0] if t.split(": ", 1)[-1][:1].islower() else [0.5, 0.5] for i, t in enumerate(texts)])

    assert answer_from_passages(question, [introduced], embed_fn=embed).text.startswith(expected)
