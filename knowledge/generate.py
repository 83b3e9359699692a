"""Answers written by a chat model from retrieved passages (the OpenAI-compatible path), with citations."""

import re
from collections.abc import Sequence
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

import prompts
from knowledge.answer import NOT_COVERED, Answer, Citation
from knowledge.store import Passage
from shopcrew.endpoints import openai_chat_model
from shopcrew.settings import Settings

PROMPT = (Path(prompts.__file__).parent / "knowledge_answer.md").read_text(encoding="utf-8")
# The model's word for "the passages do not answer this"; anything citing no passage counts the same.
NOT_COVERED_MARK = "NOT_COVERED"
CITATION = re.compile(r"\s*\[(\d+)\]")


def answer_model_for(settings: Settings) -> BaseChatModel | None:
    """The chat model answers are generated with, or None to answer extractively (the local model)."""
    if settings.model != "openai":
        return None
    return openai_chat_model(settings)


def numbered(passages: Sequence[Passage]) -> str:
    """The passages as the model reads them: [n] title > heading, then the text."""
    return "\n\n".join(
        f"[{n}] {p.title}{f' > {p.heading}' if p.heading else ''}\n{p.text}"
        for n, p in enumerate(passages, 1)
    )


async def generate_answer(model: BaseChatModel, question: str, passages: Sequence[Passage]) -> Answer:
    """Ask the model to answer from the passages only; no passage or no citation means not covered."""
    if not passages:
        return Answer(text=NOT_COVERED, citations=[], covered=False)
    reply = await model.ainvoke(
        [SystemMessage(PROMPT), HumanMessage(f"Passages:\n\n{numbered(passages)}\n\nQuestion: {question}")]
    )
    text = reply.text.strip()
    cited = [int(n) for n in CITATION.findall(text) if 1 <= int(n) <= len(passages)]
    if NOT_COVERED_MARK in text or not cited:
        return Answer(text=NOT_COVERED, citations=[], covered=False)
    citations: list[Citation] = []
    for n in cited:
        p = passages[n - 1]
        citation = Citation(article_id=p.article_id, title=p.title, heading=p.heading)
        if citation not in citations:
            citations.append(citation)
    return Answer(text=CITATION.sub("", text), citations=citations, covered=True)
