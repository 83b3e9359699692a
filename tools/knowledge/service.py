"""Knowledge base articles: lifecycle, views, votes, search and answers; callers own the transaction.

The Chroma store is written inside the tool's database transaction, but it is not part of it: when the
transaction rolls back after a publish, archive or delete, the index can be ahead of the database. Publishing
is idempotent (an article's chunks are replaced, never duplicated), searches drop passages of articles the
database does not show as published, and `shopcrew kb reindex` rebuilds the index from the database.
"""

import asyncio
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from db.enums import ArticleStatus
from db.models import KnowledgeArticle
from knowledge.answer import ANSWER_K, Answer, answer_from_passages
from knowledge.generate import generate_answer
from knowledge.store import KnowledgeStore, Passage
from tools.audit import audit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, DomainError, NotFound
from tools.transitions import StateMachine

S = ArticleStatus
ARTICLES = StateMachine("article", {S.DRAFT: {S.PUBLISHED}, S.PUBLISHED: {S.ARCHIVED}, S.ARCHIVED: {S.DRAFT}})
CONTENT_FIELDS = ("title", "body", "category", "audience")


class KnowledgeUnavailable(DomainError):
    """No knowledge store was configured for this process (a set-up problem, not the caller's)."""

    code = "knowledge_unavailable"
    http_status = 503


@dataclass
class Backend:
    """Where the store lives, opened on first use, and the chat model answers are written with (if any)."""

    path: Path
    embedding_function: EmbeddingFunction[Documents]
    answer_model: Any = None
    _store: KnowledgeStore | None = field(default=None, repr=False)

    @property
    def store(self) -> KnowledgeStore:
        """The store, opened the first time it is needed."""
        if self._store is None:
            self._store = KnowledgeStore(self.path, self.embedding_function)
        return self._store

    def close(self) -> None:
        """Release the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


_configured: Backend | None = None
# A store for one task and what it starts (an eval trial, a test) wins over the process-wide one.
_scoped: ContextVar[Backend | None] = ContextVar("knowledge_backend", default=None)


def configure_store(
    path: Path, embedding_function: EmbeddingFunction[Documents], answer_model: Any = None
) -> None:
    """Set the process-wide store (API, CLI, crew start-up); an answer_model makes answers generated ones."""
    global _configured
    current = _configured
    if (
        current
        and current.path == Path(path)
        and current.embedding_function.name() == embedding_function.name()
    ):
        current.answer_model = answer_model  # same store: keep it open
        return
    _configured = Backend(Path(path), embedding_function, answer_model)


@contextmanager
def use_store(
    path: Path, embedding_function: EmbeddingFunction[Documents], answer_model: Any = None
) -> Iterator[KnowledgeStore]:
    """Use this store in the current context only (closed on exit), whatever the process-wide one is."""
    backend = Backend(Path(path), embedding_function, answer_model)
    token = _scoped.set(backend)
    try:
        yield backend.store
    finally:
        _scoped.reset(token)
        backend.close()


def _backend() -> Backend:
    backend = _scoped.get() or _configured
    if backend is None:
        raise KnowledgeUnavailable(
            "the knowledge base is not configured in this process: call "
            "tools.knowledge.service.configure_store(path, embedding_function) at start-up"
        )
    return backend


def get_store() -> KnowledgeStore:
    """The knowledge store of the current context (scoped first, then process-wide)."""
    return _backend().store


def slugify(title: str) -> str:
    """'Returning a gift?' -> 'returning-a-gift'."""
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:80].strip("-") or "article"


def is_visible(ctx: ToolContext, article: KnowledgeArticle) -> bool:
    """Staff see every article; customers only published public ones."""
    if not ctx.principal.is_customer:
        return True
    return article.status == S.PUBLISHED and article.audience == "public"


async def find_article(ctx: ToolContext, ref: str) -> KnowledgeArticle:
    """An article the caller may read, by slug, numeric id or exact title (any case).

    An article the caller may not read is reported as not found, without revealing that it exists.
    """
    ref = ref.strip()
    match = [KnowledgeArticle.slug == ref.lower(), func.lower(KnowledgeArticle.title) == ref.casefold()]
    if ref.isdigit() and len(ref) <= 9:  # longer numbers overflow PostgreSQL's integer ids
        match.append(KnowledgeArticle.id == int(ref))
    rows = await ctx.session.execute(
        select(KnowledgeArticle).where(or_(*match)).order_by(KnowledgeArticle.id)
    )
    found = [a for a in rows.scalars() if is_visible(ctx, a)]
    exact = [a for a in found if a.slug == ref.lower() or str(a.id) == ref]
    if exact:
        return exact[0]
    if not found:
        raise NotFound(f"article {ref!r} not found")
    if len(found) > 1:
        raise Ambiguous(
            f"several articles are titled {ref!r}; give the slug", details=[a.slug for a in found]
        )
    return found[0]


async def _index(article: KnowledgeArticle) -> int:
    """(Re)index a published article's chunks off the event loop; returns how many were written."""
    # Values are read here, on the session's thread; the worker thread only sees plain data.
    fields = (article.slug, article.title, article.category, article.version, article.body)
    store = get_store()
    return await asyncio.to_thread(
        store.index_article, *fields, status=S.PUBLISHED, audience=article.audience
    )


async def _unindex(slug: str) -> None:
    """Remove an article's chunks off the event loop."""
    store = get_store()
    await asyncio.to_thread(store.remove_article, slug)


async def create_article(ctx: ToolContext, fields: dict[str, Any]) -> KnowledgeArticle:
    """Write a draft; the slug (given or made from the title) must be free."""
    slug = fields.pop("slug", None) or slugify(fields["title"])
    if await ctx.session.scalar(select(KnowledgeArticle.id).where(KnowledgeArticle.slug == slug)):
        raise Conflict(f"an article with slug {slug!r} already exists", code="duplicate_slug")
    article = KnowledgeArticle(slug=slug, status=S.DRAFT, version=1, author=ctx.principal.subject, **fields)
    ctx.session.add(article)
    try:
        await ctx.session.flush()
    except IntegrityError:
        raise Conflict(f"an article with slug {slug!r} already exists", code="duplicate_slug") from None
    audit(ctx, "article", slug, "created", to_state=S.DRAFT)
    return article


async def update_article(
    ctx: ToolContext, article: KnowledgeArticle, changes: dict[str, Any], status: ArticleStatus | None = None
) -> None:
    """Apply content changes (a new version when anything differs), then move to the status if one is given.

    A refused move is refused before anything is written; a published article that stays published is
    re-indexed with its new content.
    """
    moving = status is not None and status != article.status
    if moving and not ARTICLES.allowed(article.status, status):
        ARTICLES.move(ctx, article, status, entity_id=article.slug)  # raises InvalidTransition
    changed = sorted(k for k in CONTENT_FIELDS if k in changes and changes[k] != getattr(article, k))
    if changed:
        for name in changed:
            setattr(article, name, changes[name])
        article.version += 1
        audit(ctx, "article", article.slug, "updated", data={"fields": changed, "version": article.version})
        if article.status == S.PUBLISHED and not moving:
            await _index(article)
    if moving:
        await set_status(ctx, article, status)


async def publish(ctx: ToolContext, article: KnowledgeArticle) -> int:
    """draft -> published: index its chunks; returns how many were indexed."""
    ARTICLES.move(ctx, article, S.PUBLISHED, entity_id=article.slug, data={"version": article.version})
    article.published_at = ctx.now()
    return await _index(article)


async def archive(ctx: ToolContext, article: KnowledgeArticle) -> None:
    """published -> archived: its chunks leave the index."""
    ARTICLES.move(ctx, article, S.ARCHIVED, entity_id=article.slug)
    await _unindex(article.slug)


async def set_status(ctx: ToolContext, article: KnowledgeArticle, target: ArticleStatus) -> None:
    """Move an article through its state machine, keeping the index in step."""
    if target == S.PUBLISHED:
        await publish(ctx, article)
    elif target == S.ARCHIVED:
        await archive(ctx, article)
    else:
        ARTICLES.move(ctx, article, target, entity_id=article.slug)


async def delete_article(ctx: ToolContext, article: KnowledgeArticle) -> None:
    """Delete the article and its chunks."""
    audit(ctx, "article", article.slug, "deleted", from_state=article.status)
    await ctx.session.delete(article)
    await ctx.session.flush()
    await _unindex(article.slug)


async def _increment(ctx: ToolContext, article: KnowledgeArticle, column: Any) -> None:
    """Add one to a counter in a single UPDATE, so concurrent readers never lose a count."""
    # updated_at is kept as it was: it dates the content, which a view or a vote does not change.
    values = {column: column + 1, KnowledgeArticle.updated_at: KnowledgeArticle.updated_at}
    await ctx.session.execute(
        update(KnowledgeArticle).where(KnowledgeArticle.id == article.id).values(values)
    )
    await ctx.session.refresh(article)


async def count_view(ctx: ToolContext, article: KnowledgeArticle) -> None:
    """Count one view of the article."""
    await _increment(ctx, article, KnowledgeArticle.views)


async def vote(ctx: ToolContext, article: KnowledgeArticle, helpful: bool) -> None:
    """Add a helpful or not-helpful vote."""
    await _increment(ctx, article, KnowledgeArticle.helpful_yes if helpful else KnowledgeArticle.helpful_no)
    audit(ctx, "article", article.slug, "voted", data={"helpful": helpful})


async def list_articles(
    ctx: ToolContext,
    status: ArticleStatus | None,
    category: str | None,
    query: str | None,
    limit: int,
    offset: int,
) -> tuple[list[KnowledgeArticle], int]:
    """A page of the articles the caller may see, with the total count."""
    stmt = select(KnowledgeArticle)
    if ctx.principal.is_customer:
        stmt = stmt.where(KnowledgeArticle.status == S.PUBLISHED, KnowledgeArticle.audience == "public")
    if status:
        stmt = stmt.where(KnowledgeArticle.status == status)
    if category:
        stmt = stmt.where(KnowledgeArticle.category == category)
    if query:
        like = f"%{query.casefold()}%"
        stmt = stmt.where(
            or_(func.lower(KnowledgeArticle.title).like(like), KnowledgeArticle.slug.like(like))
        )
    total = await ctx.session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (KnowledgeArticle.updated_at.desc(), KnowledgeArticle.id)
    rows = await ctx.session.execute(stmt.order_by(*order).limit(limit).offset(offset))
    return list(rows.scalars()), total or 0


async def _published_only(ctx: ToolContext, passages: Sequence[Passage]) -> list[Passage]:
    """Passages whose article the database shows as published (and public, for customers)."""
    slugs = {p.article_id for p in passages}
    if not slugs:
        return []
    stmt = select(KnowledgeArticle.slug).where(
        KnowledgeArticle.slug.in_(slugs), KnowledgeArticle.status == S.PUBLISHED
    )
    if ctx.principal.is_customer:
        stmt = stmt.where(KnowledgeArticle.audience == "public")
    live = set((await ctx.session.execute(stmt)).scalars())
    return [p for p in passages if p.article_id in live]


def _audience(ctx: ToolContext) -> str | None:
    """Customers search public articles only; staff search everything."""
    return "public" if ctx.principal.is_customer else None


async def search(ctx: ToolContext, query: str, k: int, category: str | None) -> list[Passage]:
    """The k passages closest to the query, one per article, among the articles the caller may read."""
    store = get_store()
    passages = await asyncio.to_thread(store.search, query, k, category, _audience(ctx))
    return await _published_only(ctx, passages)


async def answer(ctx: ToolContext, question: str, category: str | None) -> Answer:
    """An answer grounded in the best passages: extracted, or written by the configured chat model."""
    backend = _backend()
    passages = await asyncio.to_thread(
        backend.store.search, question, ANSWER_K, category, _audience(ctx), False
    )
    passages = await _published_only(ctx, passages)
    if backend.answer_model is None:
        return await asyncio.to_thread(answer_from_passages, question, passages)
    return await generate_answer(backend.answer_model, question, passages)
