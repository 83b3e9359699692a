"""Bulk loading of knowledge articles for the CLI, `shopcrew seed` and the eval templates (sync, by URL).

Articles are committed first and indexed afterwards: if indexing stops half way, the database is right and
`shopcrew kb reindex` brings the index back in line with it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import ArticleStatus
from db.models import AuditEvent, KnowledgeArticle
from db.seed.base import Progress, quiet, sync_engine
from knowledge.corpus import CorpusArticle, load_corpus
from knowledge.store import KnowledgeStore

STAGE = "knowledge base"
SEED_AUTHOR = "seed"


@dataclass
class IngestResult:
    """What an ingest did: articles created, updated (content changed) and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert(session: Session, article: CorpusArticle, author: str, now: datetime) -> str:
    """Insert or update one article as published; returns created, updated or unchanged."""
    row = session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == article.slug))
    content = {"title": article.title, "category": article.category, "audience": article.audience, "body": article.body}
    if row is None:
        session.add(KnowledgeArticle(slug=article.slug, status=ArticleStatus.PUBLISHED, version=1, author=author,
                                     published_at=now, **content))
        return "created"
    changed = any(getattr(row, k) != v for k, v in content.items())
    if changed:
        for name, value in content.items():
            setattr(row, name, value)
        row.version += 1
    if row.status != ArticleStatus.PUBLISHED:
        row.status, row.published_at = ArticleStatus.PUBLISHED, now
    return "updated" if changed else "unchanged"


@dataclass(frozen=True)
class Published:
    """What indexing needs of a published article, read before indexing starts."""

    slug: str
    title: str
    category: str
    version: int
    body: str
    audience: str


def published_articles(url: str, slugs: Sequence[str] | None = None) -> list[Published]:
    """The published articles (all, or those slugs), read in a short transaction.

    Indexing takes seconds; reading first keeps SQLite's write lock (BEGIN IMMEDIATE) from being held meanwhile.
    """
    stmt = select(KnowledgeArticle).where(KnowledgeArticle.status == ArticleStatus.PUBLISHED)
    if slugs is not None:
        stmt = stmt.where(KnowledgeArticle.slug.in_(slugs))
    with sync_engine(url) as engine, Session(engine) as session:
        rows = session.scalars(stmt.order_by(KnowledgeArticle.slug)).all()
        return [Published(r.slug, r.title, r.category, r.version, r.body, r.audience) for r in rows]


def index_articles(store: KnowledgeStore, articles: Sequence[Published], progress: Progress = quiet) -> int:
    """Index articles one at a time, reporting progress; returns the chunks written."""
    chunks = 0
    progress(STAGE, 0, len(articles))
    for done, a in enumerate(articles, start=1):
        chunks += store.index_article(a.slug, a.title, a.category, a.version, a.body,
                                      status=ArticleStatus.PUBLISHED, audience=a.audience)
        progress(STAGE, done, len(articles))
    return chunks


def ingest(url: str, articles: Sequence[CorpusArticle], store: KnowledgeStore | None, author: str,
           progress: Progress = quiet) -> IngestResult:
    """Load articles into the database as published (existing slugs are updated), then index them."""
    result = IngestResult()
    now = datetime.now(UTC)
    with sync_engine(url) as engine, Session(engine) as session, session.begin():
        for article in articles:
            outcome = _upsert(session, article, author, now)
            setattr(result, outcome, getattr(result, outcome) + 1)
            session.add(AuditEvent(entity="article", entity_id=article.slug, action=f"ingested_{outcome}",
                                   actor=f"staff:{author}", data={}, created_at=now))
    if store is not None:
        index_articles(store, published_articles(url, [a.slug for a in articles]), progress)
    return result


def reindex(url: str, store: KnowledgeStore, progress: Progress = quiet) -> int:
    """Rebuild the index from the database's published articles; returns how many were indexed."""
    articles = published_articles(url)
    store.reset()
    index_articles(store, articles, progress)
    return len(articles)


def seed_knowledge(url: str, store: KnowledgeStore | None, progress: Progress = quiet) -> int:
    """Load and publish the shop's corpus when the database has no articles; repair an empty index.

    Returns how many articles were indexed (0 when there was nothing to do). Without a store only the
    database rows are written (eval templates index them once, beside the template).
    """
    with sync_engine(url) as engine, Session(engine) as session:
        existing = session.scalar(select(func.count()).select_from(KnowledgeArticle)) or 0
    if not existing:
        corpus = load_corpus()
        if store is not None:
            store.reset()  # chunks of an earlier database must not survive into this one
        ingest(url, corpus, store, SEED_AUTHOR, progress)
        return len(corpus) if store is not None else 0
    if store is not None and store.count() == 0:
        return reindex(url, store, progress)
    return 0
