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
from knowledge.store import KnowledgeStore, article_digest

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
    content = {
        "title": article.title,
        "category": article.category,
        "audience": article.audience,
        "body": article.body,
    }
    if row is None:
        session.add(
            KnowledgeArticle(
                slug=article.slug,
                status=ArticleStatus.PUBLISHED,
                version=1,
                author=author,
                published_at=now,
                **content,
            )
        )
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

    Indexing takes seconds; reading first keeps SQLite's write lock (BEGIN IMMEDIATE) from being held
    meanwhile.
    """
    stmt = select(KnowledgeArticle).where(KnowledgeArticle.status == ArticleStatus.PUBLISHED)
    if slugs is not None:
        stmt = stmt.where(KnowledgeArticle.slug.in_(slugs))
    with sync_engine(url) as engine, Session(engine) as session:
        rows = session.scalars(stmt.order_by(KnowledgeArticle.slug)).all()
        return [Published(r.slug, r.title, r.category, r.version, r.body, r.audience) for r in rows]


def index_articles(store: KnowledgeStore, articles: Sequence[Published], progress: Progress = quiet) -> int:
    """Index the articles whose indexed chunks are missing or out of date; returns how many were (re)indexed.

    An article whose chunks carry the digest of its current content is left alone: embedding the whole
    corpus takes seconds, checking it takes milliseconds.
    """
    current = store.digests()
    indexed = 0
    progress(STAGE, 0, len(articles))
    for done, a in enumerate(articles, start=1):
        status = ArticleStatus.PUBLISHED
        if current.get(a.slug) != article_digest(a.title, a.category, a.version, a.body, status, a.audience):
            store.index_article(
                a.slug, a.title, a.category, a.version, a.body, status=status, audience=a.audience
            )
            indexed += 1
        progress(STAGE, done, len(articles))
    return indexed


def sync_index(store: KnowledgeStore, articles: Sequence[Published], progress: Progress = quiet) -> int:
    """Make the index hold exactly these articles: drop the others, (re)index what changed."""
    for slug in set(store.digests()) - {a.slug for a in articles}:
        store.remove_article(slug)
    return index_articles(store, articles, progress)


def ingest(
    url: str,
    articles: Sequence[CorpusArticle],
    store: KnowledgeStore | None,
    author: str,
    progress: Progress = quiet,
) -> IngestResult:
    """Load articles into the database as published (existing slugs are updated), then index them."""
    result = IngestResult()
    now = datetime.now(UTC)
    with sync_engine(url) as engine, Session(engine) as session, session.begin():
        for article in articles:
            outcome = _upsert(session, article, author, now)
            setattr(result, outcome, getattr(result, outcome) + 1)
            session.add(
                AuditEvent(
                    entity="article",
                    entity_id=article.slug,
                    action=f"ingested_{outcome}",
                    actor=f"staff:{author}",
                    data={},
                    created_at=now,
                )
            )
    if store is not None:
        index_articles(store, published_articles(url, [a.slug for a in articles]), progress)
    return result


def reindex(url: str, store: KnowledgeStore, progress: Progress = quiet) -> int:
    """Rebuild the index from scratch from the database's published articles; returns how many."""
    articles = published_articles(url)
    store.reset()
    index_articles(store, articles, progress)
    return len(articles)


def seed_knowledge(url: str, store: KnowledgeStore | None, progress: Progress = quiet) -> int:
    """Load and publish the shop's corpus when the database has no articles, then bring the index in line.

    Returns how many articles were (re)indexed: none when the index already mirrors the database. Without a
    store only the database rows are written (eval templates index them once, beside the template).
    """
    with sync_engine(url) as engine, Session(engine) as session:
        existing = session.scalar(select(func.count()).select_from(KnowledgeArticle)) or 0
    if not existing:
        ingest(url, load_corpus(), None, SEED_AUTHOR)
    return 0 if store is None else sync_index(store, published_articles(url), progress)
