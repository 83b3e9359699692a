"""Shared fixtures: the knowledge corpus indexed once per session, and the retrieval question set."""

import pytest

from evals.retrieval import load_questions
from knowledge.chroma_embedding import LocalEmbeddingFunction
from knowledge.corpus import CorpusArticle, load_corpus
from knowledge.store import KnowledgeStore


@pytest.fixture(scope="session")
def corpus() -> list[CorpusArticle]:
    """The shop's knowledge base articles."""
    return load_corpus()


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, corpus: list[CorpusArticle]) -> KnowledgeStore:
    """A store holding the whole corpus (indexing takes seconds, so it is done once)."""
    store = KnowledgeStore(tmp_path_factory.mktemp("chroma-corpus"), LocalEmbeddingFunction())
    for article in corpus:
        store.index_article(article.slug, article.title, article.category, 1, article.body, audience=article.audience)
    return store


@pytest.fixture(scope="session")
def questions() -> list[dict]:
    """The retrieval evaluation set."""
    return load_questions()
