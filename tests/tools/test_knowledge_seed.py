"""Loading the knowledge base: the seed step, ingest and reindex, the kb CLI, and eval trials' copies."""

import json

from langchain_core.messages import AIMessage
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.base import Base
from db.engine import sync_url
from db.enums import ArticleStatus
from db.models import Customer, KnowledgeArticle
from evals.dataset import parse_case
from evals.runner import RunConfig, build_template, run_cases
from knowledge.corpus import CorpusArticle, load_corpus
from knowledge.store import KnowledgeStore
from shopcrew.settings import Settings, get_settings
from tests.graph.scripted import ScriptedChatModel, call
from tests.tools.knowledge_helpers import FRAUD, RETURNS, HashEmbeddingFunction
from tools.knowledge.ingest import ingest, reindex, seed_knowledge


def rows(url: str) -> list[KnowledgeArticle]:
    with Session(create_engine(sync_url(url))) as session:
        return list(session.scalars(select(KnowledgeArticle).order_by(KnowledgeArticle.slug)))


def corpus_article(slug: str, body: str, **fields) -> CorpusArticle:
    values = {
        "title": slug.replace("-", " ").capitalize(),
        "category": "returns",
        "audience": "public",
        **fields,
    }
    return CorpusArticle(slug=slug, body=body, **values)


async def test_seed_step_publishes_and_indexes_every_corpus_article(sessions, database_url, tmp_path):
    store = KnowledgeStore(tmp_path / "chroma", HashEmbeddingFunction())
    corpus = load_corpus()
    assert seed_knowledge(database_url, store) == len(corpus)
    seeded = rows(database_url)
    assert [r.slug for r in seeded] == sorted(a.slug for a in corpus)
    assert {(r.status, r.version, r.author) for r in seeded} == {(ArticleStatus.PUBLISHED, 1, "seed")}
    assert all(r.published_at is not None for r in seeded)
    assert all(store.count(a.slug) > 0 for a in corpus)
    chunks = store.count()
    assert seed_knowledge(database_url, store) == 0  # already seeded: nothing to do
    assert store.count() == chunks
    store.reset()
    assert seed_knowledge(database_url, store) == len(corpus)  # an emptied index is rebuilt from the database
    assert store.count() == chunks
    store.index_article("stale-article", "Stale", "orders", 1, "# Stale\n\nNot in the database any more.")
    with Session(create_engine(sync_url(database_url))) as session, session.begin():
        row = session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == "gift-cards"))
        row.body, row.version = row.body + "\n\nGift cards are sold in euros only.", 2
    assert seed_knowledge(database_url, store) == 1  # only the changed article is embedded again
    assert store.count("stale-article") == 0
    assert "euros only" in " ".join(p.text for p in store.search("gift cards euros only", k=3))


async def test_ingest_updates_existing_slugs_and_reindex_follows_the_database(
    sessions, database_url, tmp_path
):
    store = KnowledgeStore(tmp_path / "chroma", HashEmbeddingFunction())
    first = ingest(database_url, [corpus_article("returns-policy", RETURNS)], store, "cli")
    assert (first.created, first.updated) == (1, 0)
    changed = corpus_article("returns-policy", RETURNS + "\n\nGift returns get store credit.")
    staff = corpus_article("fraud-review", FRAUD, category="staff-procedures", audience="staff")
    second = ingest(database_url, [changed, staff], store, "cli")
    assert (second.created, second.updated, second.unchanged) == (1, 1, 0)
    fraud, returns = rows(database_url)
    assert (returns.version, fraud.version, fraud.audience) == (2, 1, "staff")
    assert returns.body.endswith("Gift returns get store credit.")
    assert "store credit" in " ".join(p.text for p in store.search("gift returns store credit", k=2))
    with Session(create_engine(sync_url(database_url))) as session, session.begin():
        session.scalar(
            select(KnowledgeArticle).where(KnowledgeArticle.slug == "fraud-review")
        ).status = "archived"
    assert reindex(database_url, store) == 1
    assert store.count("fraud-review") == 0 and store.count("returns-policy") > 0


def test_kb_cli_ingest_search_and_reindex(tmp_path, monkeypatch):
    from shopcrew.cli import app

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "returns-policy.md").write_text(
        f"---\nslug: returns-policy\ntitle: Returns\ncategory: returns\naudience: public\n---\n{RETURNS}\n"
    )
    monkeypatch.setenv("SHOPCREW_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("SHOPCREW_CHROMA_PATH", str(tmp_path / "chroma"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["kb", "ingest", str(folder)])
        assert result.exit_code == 0, result.output
        assert "1 created, 0 updated, 0 unchanged" in result.output
        result = runner.invoke(app, ["kb", "search", "faulty items return window", "-k", "1"])
        assert result.exit_code == 0 and "returns-policy" in result.output
        result = runner.invoke(app, ["kb", "search", "anything", "--category", "groceries"])
        assert result.exit_code == 2
        result = runner.invoke(app, ["kb", "reindex"])
        assert result.exit_code == 0 and "indexed 1 published articles" in result.output
    finally:
        get_settings.cache_clear()


def kb_shop(url: str) -> None:
    """Schema from the models, one customer and two published articles (one for staff only)."""
    engine = create_engine(sync_url(url))
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        session.add(Customer(id="ava_martin", email="ava@example.com", first_name="Ava", last_name="Martin"))
    engine.dispose()
    staff = corpus_article("fraud-review", FRAUD, category="staff-procedures", audience="staff")
    ingest(url, [corpus_article("returns-policy", RETURNS), staff], None, "seed")


async def test_eval_trials_use_their_own_copy_of_the_template_index(tmp_path):
    template = build_template(tmp_path / "kb.db", kb_shop)
    case = parse_case(
        json.dumps(
            {
                "id": "return-window",
                "principal": "customer:ava@example.com",
                "turns": ["how long do I have to send back a faulty item?"],
                "expect": {
                    "agent": "knowledge",
                    "tool_calls": [{"name": "answer_question"}],
                    "state": [
                        {
                            "tool": "search_knowledge",
                            "args": {"query": "return a faulty item", "k": 1},
                            "expect": {"passages.0.article_id": "returns-policy"},
                        }
                    ],
                    "reply_contains": ["90 days"],
                },
            }
        ),
        "return-window",
    )

    def script(_case):
        question = "how long do I have to send back a faulty item?"
        return ScriptedChatModel(
            script=[
                call("transfer_to_knowledge"),
                call("answer_question", question=question),
                lambda messages, _tools: ScriptedReply(messages),
            ]
        )

    config = RunConfig(
        out=tmp_path / "run", settings=Settings(), trials=2, jobs=2, template=template, model_factory=script
    )
    result = await run_cases([case], config)
    assert [v.reasons for _, v in result.graded] == [[], []]
    assert (tmp_path / "run" / "chroma").is_dir() and not (tmp_path / "run" / "trials").exists()


def ScriptedReply(messages):  # noqa: N802  (a step of the script, like an AIMessage)
    """Reply with the last tool result's answer, as a model summarising it would."""
    return AIMessage(json.loads(messages[-1].text)["answer"])
