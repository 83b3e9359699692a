"""Retrieval quality of the knowledge base: recall@k and MRR on questions people ask, and refusals."""

import json
from dataclasses import dataclass
from pathlib import Path

from knowledge.answer import answer_question
from knowledge.store import KnowledgeStore

QUESTIONS = Path(__file__).parent / "datasets" / "kb_questions.jsonl"


@dataclass(frozen=True)
class RetrievalReport:
    """Figures of one retrieval run."""

    questions: int
    recall_at_k: float
    k: int
    mrr: float
    uncovered: int
    refused: int
    misses: list[str]


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    """The question set: id, question, article (slug, or null when the corpus does not cover it), audience."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def audience(question: dict) -> str | None:
    """Customers only ever see public articles; staff see everything."""
    return "public" if question["audience"] == "customer" else None


def evaluate(store: KnowledgeStore, questions: list[dict], k: int = 3) -> RetrievalReport:
    """Rank of the right article among the top 10 for covered questions; refusals for uncovered ones."""
    ranks: list[int | None] = []
    misses = []
    covered = [q for q in questions if q["article"] is not None]
    for q in covered:
        ids = [p.article_id for p in store.search(q["question"], k=10, audience=audience(q))]
        rank = ids.index(q["article"]) + 1 if q["article"] in ids else None
        ranks.append(rank)
        if rank is None or rank > k:
            misses.append(q["question"])
    uncovered = [q for q in questions if q["article"] is None]
    refused = sum(not answer_question(store, q["question"], audience=audience(q)).covered for q in uncovered)
    return RetrievalReport(
        questions=len(covered),
        recall_at_k=sum(1 for r in ranks if r is not None and r <= k) / len(covered),
        k=k,
        mrr=sum(1 / r for r in ranks if r is not None) / len(covered),
        uncovered=len(uncovered),
        refused=refused,
        misses=misses,
    )
