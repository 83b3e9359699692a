"""Extractive answers from passages, with citations, and plain refusals."""

from knowledge.answer import MIN_SCORE, NOT_COVERED, answer_from_passages, split_sentences
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
    assert split_sentences(text) == ["Refund: to the card.", "Print the label.", "You have 30 days.", "Then it ends!"]
