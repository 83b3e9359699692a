"""search_knowledge and answer_question over the corpus: citations, audiences, refusals, generated answers."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

from db.enums import ArticleStatus
from db.models import KnowledgeArticle
from graph.crew import Crew
from knowledge.answer import NOT_COVERED
from knowledge.chroma_embedding import LocalEmbeddingFunction
from knowledge.corpus import load_corpus
from knowledge.generate import answer_model_for
from knowledge.store import KnowledgeStore
from shopcrew.settings import Settings
from tests import factories as f
from tests.graph.scripted import ScriptedChatModel
from tests.tools.knowledge_helpers import stored
from tools.errors import InvalidInput
from tools.knowledge import service
from tools.knowledge.service import use_store

CORPUS = load_corpus()
# Questions the knowledge base does not answer: it must say so rather than answer from a look-alike passage.
UNCOVERED = [
    "do you sell car tyres",
    "what's the weather in Lyon tomorrow",
    "who won the football match last night",
    "can you give me a recipe for chocolate cake",
    "should i invest in bitcoin right now",
    "what time does the eiffel tower open",
    "how many calories are in a banana",
    # Shop-like questions the knowledge base has no article for.
    "do you offer a student discount",
    "do you have a physical shop in Marseille",
    "can I rent a product instead of buying",
    "can I get a job at your warehouse",
    "do you have a mobile app",
    "do you offer gift wrapping",
]


@pytest.fixture(scope="session")
def corpus_path(tmp_path_factory) -> Path:
    """A Chroma folder holding the whole corpus, indexed once for the session (about 15 s)."""
    path = tmp_path_factory.mktemp("kb-corpus")
    store = KnowledgeStore(path, LocalEmbeddingFunction())
    for a in CORPUS:
        store.index_article(a.slug, a.title, a.category, 1, a.body, audience=a.audience)
    store.close()
    return path


@pytest.fixture
async def corpus_kb(sessions, corpus_path) -> Iterator[KnowledgeStore]:
    """The corpus store in use for this test, with every article published in the database."""
    async with sessions() as s, s.begin():
        s.add_all(
            KnowledgeArticle(
                slug=a.slug,
                title=a.title,
                category=a.category,
                audience=a.audience,
                body=a.body,
                status=ArticleStatus.PUBLISHED,
                author="seed",
            )
            for a in CORPUS
        )
    with use_store(corpus_path, LocalEmbeddingFunction()) as store:
        yield store


async def test_answer_quotes_the_policy_and_cites_it(sessions, call, as_customer, corpus_kb):
    ava = await f.customer(sessions)
    out = await call(
        as_customer(ava), "answer_question", question="how many days do I have to return something?"
    )
    assert out.covered and "30 days" in out.answer
    assert (
        out.citations[0].article_id == "returns-policy"
        and out.citations[0].title == "Returns and refunds policy"
    )
    assert "How long you have" in out.citations[0].sections
    assert len({c.article_id for c in out.citations}) == len(out.citations)  # each article cited once


async def test_uncovered_questions_are_refused_plainly(sessions, call, as_customer, support, corpus_kb):
    ava = await f.customer(sessions)
    for question in UNCOVERED:
        for who in (as_customer(ava), support):
            out = await call(who, "answer_question", question=question)
            assert not out.covered, f"answered {question!r} with {out.answer!r}"
            assert out.answer == NOT_COVERED and out.citations == []


async def test_customers_never_get_staff_procedures(sessions, call, as_customer, support, corpus_kb):
    ava = await f.customer(sessions)
    question = "what score puts an order on hold for manual fraud review"
    staff = await call(support, "search_knowledge", query=question, k=3)
    assert staff.passages[0].article_id == "fraud-review"
    customer = await call(as_customer(ava), "search_knowledge", query=question, k=10)
    staff_slugs = {a.slug for a in CORPUS if a.audience == "staff"}
    assert customer.passages and not staff_slugs & {p.article_id for p in customer.passages}
    answer = await call(as_customer(ava), "answer_question", question=question)
    assert not staff_slugs & {c.article_id for c in answer.citations}


async def test_search_filters_by_category(sessions, call, support, corpus_kb):
    out = await call(support, "search_knowledge", query="how long does it take", category="shipping", k=5)
    assert out.passages and {p.category for p in out.passages} == {"shipping"}
    assert [p.score for p in out.passages] == sorted((p.score for p in out.passages), reverse=True)
    with pytest.raises(InvalidInput):
        await call(support, "search_knowledge", query="x")


async def test_index_ahead_of_the_database_is_ignored(sessions, call, support, corpus_kb):
    # As after a rolled-back publish: the chunks are in Chroma but the database says archived.
    async with sessions() as s, s.begin():
        (
            await s.get(KnowledgeArticle, (await stored(sessions, "gift-cards")).id)
        ).status = ArticleStatus.ARCHIVED
    out = await call(support, "search_knowledge", query="do gift cards expire", k=5)
    assert "gift-cards" not in {p.article_id for p in out.passages}
    answer = await call(support, "answer_question", question="do gift cards expire")
    assert "gift-cards" not in {c.article_id for c in answer.citations}


async def test_generated_answers_cite_passages_or_refuse(sessions, call, as_customer, corpus_kb, corpus_path):
    ava = await f.customer(sessions)
    writer = ScriptedChatModel(
        script=[
            AIMessage("You have 30 days from delivery to return an item [1]. Faulty items: 90 days [1]."),
            AIMessage("NOT_COVERED"),
            AIMessage("Probably yes, most shops allow it."),
        ]
    )
    writer.seen = []
    with use_store(corpus_path, LocalEmbeddingFunction(), answer_model=writer):
        out = await call(
            as_customer(ava), "answer_question", question="how long do I have to return an item?"
        )
        assert (
            out.covered
            and out.answer == "You have 30 days from delivery to return an item. Faulty items: 90 days."
        )
        prompt = writer.seen[0][-1].text
        assert (
            "[1] Returns and refunds policy" in prompt and "how long do I have to return an item?" in prompt
        )
        assert prompt.startswith(f"Passages:\n\n[1] {out.citations[0].title}")
        refused = await call(as_customer(ava), "answer_question", question="do you sell car tyres")
        uncited = await call(as_customer(ava), "answer_question", question="can I return a used mattress?")
    assert not refused.covered and refused.answer == NOT_COVERED
    assert not uncited.covered and uncited.citations == []


def test_answers_are_generated_only_under_the_openai_model():
    assert answer_model_for(Settings()) is None
    model = answer_model_for(
        Settings(model="openai", openai_base_url="http://127.0.0.1:9/v1", openai_model="m")
    )
    assert isinstance(model, ChatOpenAI) and model.model_name == "m"


async def test_crew_start_up_configures_the_process_store(sessions, database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(service, "_configured", None)
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with Crew.open(settings, model=ScriptedChatModel(script=[]), sessions=sessions):
        assert service.get_store().count() == 0
    assert (tmp_path / "chroma").is_dir()
