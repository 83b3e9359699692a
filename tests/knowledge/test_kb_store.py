"""The Chroma-backed store: index, search, remove, reset and reopening a persisted collection."""

from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from knowledge.chroma_embedding import (
    LocalEmbeddingFunction,
    OpenAICompatibleEmbeddingFunction,
    embedding_function_for,
)
from knowledge.store import COLLECTION, KnowledgeStore
from shopcrew.settings import Settings

RETURNS = (
    "# Returns\n\n## Window\n\nYou have 30 days from delivery to return an item.\n\n"
    "## Defects\n\nFaulty items: 90 days."
)
FRAUD = "# Fraud review\n\nOrders scoring 50 or more go on hold for manual review by staff."
SHIPPING = "# Shipping\n\nColissimo delivers parcels under 1 kg in France in one day for 5.50 EUR."


@pytest.fixture
def store(tmp_path: Path) -> KnowledgeStore:
    store = KnowledgeStore(tmp_path / "chroma", LocalEmbeddingFunction())
    store.index_article("returns-policy", "Returns", "returns", 1, RETURNS)
    store.index_article("shipping-rates", "Shipping", "shipping", 1, SHIPPING)
    store.index_article("fraud-review", "Fraud review", "staff-procedures", 1, FRAUD, audience="staff")
    return store


def test_index_and_search_returns_scored_passages(store: KnowledgeStore) -> None:
    assert store.count() == 4
    passages = store.search("how many days to send back a broken item", k=2)
    assert passages[0].article_id == "returns-policy"
    assert passages[0].title == "Returns" and passages[0].category == "returns"
    assert all(0.0 <= p.score <= 1.0 for p in passages)
    assert passages[0].score >= passages[-1].score


def test_passage_text_is_the_chunk_without_its_embedding_prefix(store: KnowledgeStore) -> None:
    passage = store.search("shipping price for a small parcel", k=1)[0]
    assert passage.text == "Colissimo delivers parcels under 1 kg in France in one day for 5.50 EUR."
    assert passage.heading == ""


def test_one_passage_per_article_unless_asked_otherwise(store: KnowledgeStore) -> None:
    assert len({p.article_id for p in store.search("returns", k=5)}) == len(store.search("returns", k=5))
    assert len(store.search("returns", k=5, one_per_article=False)) == 4


def test_category_and_audience_filters(store: KnowledgeStore) -> None:
    passages = store.search("how many days to return", k=5, category="shipping")
    assert [p.article_id for p in passages] == ["shipping-rates"]
    public = store.search("why is my order on hold", k=5, audience="public")
    assert "fraud-review" not in {p.article_id for p in public}
    staff_only = store.search("why is my order on hold", k=5, category="staff-procedures", audience="staff")
    assert [p.article_id for p in staff_only] == ["fraud-review"]


def test_reindexing_replaces_the_old_chunks(store: KnowledgeStore) -> None:
    store.index_article("returns-policy", "Returns", "returns", 2, "# Returns\n\nNow 45 days.")
    assert store.count() == 3
    assert store.search("return window", k=1)[0].text == "Now 45 days."


def test_remove_and_reset(store: KnowledgeStore) -> None:
    store.remove_article("returns-policy")
    assert store.count() == 2
    store.remove_article("never-indexed")
    store.reset()
    assert store.count() == 0
    assert store.search("anything") == []


def test_persisted_collection_reopens_with_the_registered_function(store: KnowledgeStore, tmp_path: Path) -> None:
    reopened = KnowledgeStore(tmp_path / "chroma", LocalEmbeddingFunction())
    assert reopened.count() == 4
    # No function passed: Chroma must rebuild ours from the persisted config via its registry.
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_collection(COLLECTION)
    assert isinstance(collection.configuration["embedding_function"], LocalEmbeddingFunction)
    result = collection.query(query_texts=["faulty item"], n_results=1)
    assert result["metadatas"][0][0]["heading"] == "Defects"


def test_settings_select_the_openai_compatible_function_without_persisting_the_key() -> None:
    settings = Settings(embeddings="openai", openai_base_url="http://127.0.0.1:9/v1", openai_api_key="secret")
    function = embedding_function_for(settings)
    assert isinstance(function, OpenAICompatibleEmbeddingFunction)
    config = function.get_config()
    assert config == {"model": settings.openai_embedding_model, "base_url": "http://127.0.0.1:9/v1"}
    assert "secret" not in str(config)
    assert OpenAICompatibleEmbeddingFunction.build_from_config(config).get_config() == config
    assert isinstance(embedding_function_for(Settings()), LocalEmbeddingFunction)
