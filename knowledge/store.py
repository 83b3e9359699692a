"""The knowledge store: article chunks in one persistent Chroma collection, searched by meaning."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings

from knowledge.chunking import MAX_CHARS, chunk_article

COLLECTION = "knowledge"
# Chunks fetched per requested passage when keeping one passage per article, so k distinct articles survive.
OVERFETCH = 5


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk; score is the cosine similarity clipped to [0, 1] (higher is better)."""

    article_id: str
    title: str
    category: str
    heading: str
    text: str
    score: float


class KnowledgeStore:
    """Index, remove and search article chunks in a persistent Chroma collection (cosine space)."""

    def __init__(self, path: Path, embedding_function: EmbeddingFunction[Documents]) -> None:
        # Telemetry off: nothing in the store may reach the network.
        self._client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
        self._embedding_function = embedding_function
        self._collection = self._open()

    def _open(self) -> Any:
        # The explicit function always goes in: Chroma's default one downloads a model from the internet.
        return self._client.get_or_create_collection(
            COLLECTION,
            embedding_function=self._embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
        )

    def index_article(
        self,
        article_id: str,
        title: str,
        category: str,
        version: int,
        body: str,
        status: str = "published",
        audience: str = "public",
    ) -> int:
        """Replace the chunks of an article with freshly chunked ones; returns how many were added."""
        self.remove_article(article_id)
        chunks = chunk_article(article_id, title, category, version, body, status=status, audience=audience)
        digest = article_digest(title, category, version, body, status, audience)
        step = self._client.get_max_batch_size()
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            self._collection.add(
                ids=[c.id for c in batch],
                documents=[c.document for c in batch],
                metadatas=[{**c.metadata, "digest": digest} for c in batch],
            )
        return len(chunks)

    def digests(self) -> dict[str, str]:
        """The content digest of every indexed article by article id (re-embedding can skip what is current)."""
        metadatas = self._collection.get(include=["metadatas"])["metadatas"] or []
        return {str(m["article_id"]): str(m.get("digest", "")) for m in metadatas}

    def remove_article(self, article_id: str) -> None:
        """Remove every chunk of an article (no-op when it has none)."""
        self._collection.delete(where={"article_id": article_id})

    def search(
        self,
        query: str,
        k: int = 5,
        category: str | None = None,
        audience: str | None = None,
        one_per_article: bool = True,
    ) -> list[Passage]:
        """The k passages closest in meaning to the query, best first, optionally filtered by category/audience."""
        total = self._collection.count()
        if total == 0 or k < 1:
            return []
        wanted = k * OVERFETCH if one_per_article else k
        result = self._collection.query(
            query_texts=[query],
            n_results=min(wanted, total),
            where=_where(category=category, audience=audience),
            include=["documents", "metadatas", "distances"],
        )
        passages: list[Passage] = []
        seen: set[str] = set()
        for document, meta, distance in zip(
            result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        ):
            if one_per_article and meta["article_id"] in seen:
                continue
            seen.add(str(meta["article_id"]))
            passages.append(_passage(document, meta, distance))
        return passages[:k]

    def count(self, article_id: str | None = None) -> int:
        """How many chunks the collection holds (of one article, when given)."""
        if article_id is None:
            return self._collection.count()
        return len(self._collection.get(where={"article_id": article_id}, include=[])["ids"])

    def reset(self) -> None:
        """Drop every chunk (the collection is recreated empty)."""
        self._client.delete_collection(COLLECTION)
        self._collection = self._open()

    def close(self) -> None:
        """Release the client; Chroma keeps one shared system per path until its last client closes."""
        self._client.close()


def article_digest(title: str, category: str, version: int, body: str, status: str, audience: str) -> str:
    """A fingerprint of everything an article's chunks are made from."""
    text = "\x1f".join([title, category, str(version), body, str(status), audience, str(MAX_CHARS)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _where(**equals: str | None) -> dict[str, Any] | None:
    """A Chroma metadata filter requiring every given (non-None) field to equal its value."""
    terms = [{field: value} for field, value in equals.items() if value is not None]
    if len(terms) > 1:
        return {"$and": terms}
    return terms[0] if terms else None


def _passage(document: str, meta: dict[str, Any], distance: float) -> Passage:
    # The first line of a stored document is the title/heading prefix added for embedding only.
    text = document.split("\n", 1)[1] if "\n" in document else document
    return Passage(
        article_id=str(meta["article_id"]),
        title=str(meta["title"]),
        category=str(meta["category"]),
        heading=str(meta["heading"]),
        text=text,
        score=min(1.0, max(0.0, 1.0 - distance)),
    )
