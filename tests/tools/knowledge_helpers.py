"""Knowledge test helpers: articles written straight to the database, a fast stand-in embedding function."""

import hashlib
from datetime import UTC, datetime
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from sqlalchemy import select

from db.engine import unit_of_work
from db.enums import ArticleStatus
from db.models import KnowledgeArticle
from knowledge.store import KnowledgeStore

RETURNS = (
    "# Returns\n\n## How long you have\n\nYou have 30 days from delivery to send an item back. "
    "Faulty items can come back for 90 days from delivery.\n\n## Labels\n\nA prepaid label is included."
)
SHIPPING = "# Shipping\n\nColissimo delivers parcels up to 1 kg in France in one day for 5.50 EUR."
FRAUD = "# Fraud review\n\nOrders scoring 50 to 74 go on hold for a manual review by staff within 4 hours."


class HashEmbeddingFunction(EmbeddingFunction[Documents]):
    """Bag-of-words vectors from word hashes: instant, for tests about bookkeeping rather than meaning."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        vectors = []
        for text in input:
            vector = np.zeros(128, dtype=np.float32)
            for word in text.casefold().split():
                vector[int(hashlib.blake2s(word.encode(), digest_size=4).hexdigest(), 16) % 128] += 1
            vectors.append(vector / max(float(np.linalg.norm(vector)), 1e-9))
        return vectors

    @staticmethod
    def name() -> str:
        return "test-hash"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "HashEmbeddingFunction":
        return HashEmbeddingFunction()


async def article(
    sessions,
    slug: str,
    body: str,
    *,
    title: str | None = None,
    category: str = "returns",
    audience: str = "public",
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    store: KnowledgeStore | None = None,
    **fields: Any,
) -> KnowledgeArticle:
    """An article row (indexed in the store too when it is published and a store is given)."""
    row = KnowledgeArticle(
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        category=category,
        audience=audience,
        body=body,
        status=status,
        author="tester",
        published_at=datetime.now(UTC) if status == ArticleStatus.PUBLISHED else None,
        **fields,
    )
    async with unit_of_work(sessions) as s:
        s.add(row)
    if store is not None and status == ArticleStatus.PUBLISHED:
        store.index_article(slug, row.title, category, row.version, body, audience=audience)
    return row


async def stored(sessions, slug: str) -> KnowledgeArticle | None:
    """The article row as the database holds it now."""
    async with sessions() as s:
        return await s.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == slug))


def indexed(store: KnowledgeStore, slug: str) -> bool:
    """True when the store holds chunks of the article."""
    return store.count(slug) > 0
