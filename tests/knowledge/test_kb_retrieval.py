"""Retrieval quality over evals/datasets/kb_questions.jsonl, and refusals of what the corpus lacks."""

import pytest

from knowledge.answer import NOT_COVERED, answer_question
from knowledge.corpus import CorpusArticle
from knowledge.store import KnowledgeStore

MIN_RECALL_AT_3 = 0.85
# Share of covered questions that must get an answer rather than a refusal at the calibrated threshold.
MIN_ANSWERED = 0.8


def covered(questions: list[dict]) -> list[dict]:
    return [q for q in questions if q["article"] is not None]


def uncovered(questions: list[dict]) -> list[dict]:
    return [q for q in questions if q["article"] is None]


def test_question_set_is_well_formed(questions: list[dict], corpus: list[CorpusArticle]) -> None:
    slugs = {a.slug for a in corpus}
    titles = {a.title.casefold() for a in corpus}
    assert len(covered(questions)) >= 60 and len(uncovered(questions)) >= 12
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        assert set(q) == {"id", "question", "article", "audience"}
        assert q["audience"] in {"customer", "staff"}
        assert q["article"] is None or q["article"] in slugs
        assert q["question"].casefold() not in titles


def ranks(store: KnowledgeStore, questions: list[dict]) -> list[int | None]:
    """1-based rank of the expected article among the top 10 distinct articles (None when absent)."""
    found = []
    for q in questions:
        ids = [p.article_id for p in store.search(q["question"], k=10)]
        found.append(ids.index(q["article"]) + 1 if q["article"] in ids else None)
    return found


def test_recall_at_3_and_mrr(corpus_store: KnowledgeStore, questions: list[dict]) -> None:
    found = ranks(corpus_store, covered(questions))
    recall = sum(1 for r in found if r is not None and r <= 3) / len(found)
    mrr = sum(1 / r for r in found if r is not None) / len(found)
    print(f"recall@3={recall:.3f} MRR={mrr:.3f} over {len(found)} questions")
    assert recall >= MIN_RECALL_AT_3
    assert mrr >= 0.7


def test_uncovered_questions_are_refused(corpus_store: KnowledgeStore, questions: list[dict]) -> None:
    for q in uncovered(questions):
        answer = answer_question(corpus_store, q["question"])
        assert not answer.covered, f"answered {q['question']!r} with {answer.text!r}"
        assert answer.text == NOT_COVERED


def test_covered_questions_mostly_get_cited_answers(corpus_store: KnowledgeStore, questions: list[dict]) -> None:
    answers = [answer_question(corpus_store, q["question"]) for q in covered(questions)]
    answered = [a for a in answers if a.covered]
    assert len(answered) / len(answers) >= MIN_ANSWERED
    assert all(a.citations and a.text != NOT_COVERED for a in answered)


@pytest.mark.parametrize(
    ("question", "slug", "fact"),
    [
        ("whats the default reorder point", "low-stock-and-reordering", "10 units"),
        ("how long is a gift card valid for", "gift-cards", "24 months"),
    ],
)
def test_answers_quote_the_fact_and_cite_its_article(
    corpus_store: KnowledgeStore, question: str, slug: str, fact: str
) -> None:
    answer = answer_question(corpus_store, question)
    assert fact in answer.text
    assert answer.citations[0].article_id == slug
