"""Ingestion and search must work with the network unplugged."""

import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

from knowledge.chroma_embedding import LocalEmbeddingFunction
from knowledge.corpus import CorpusArticle
from knowledge.embeddings import get_embedder
from knowledge.store import KnowledgeStore


def _is_local(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        address = address[0]
    if not isinstance(address, str):
        return True  # AF_UNIX paths and socketpairs never leave the machine
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS: outbound


@pytest.fixture
def outbound_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every non-loopback connection or DNS lookup fail, and record the attempts."""
    attempts: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address: Any) -> None:
        if not _is_local(address):
            attempts.append(address)
            raise OSError(f"network is unplugged in this test: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        guard(host.decode() if isinstance(host, bytes) else host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: guard(address))
    return attempts


def test_guard_blocks_outbound_connections(outbound_attempts: list[Any]) -> None:
    with pytest.raises(OSError, match="unplugged"):
        socket.create_connection(("example.org", 443), timeout=1)
    assert outbound_attempts == [("example.org", 443)]


def test_ingest_and_search_offline(outbound_attempts: list[Any], tmp_path: Path, corpus: list[CorpusArticle]) -> None:
    get_embedder.cache_clear()  # load and verify the model under the block too
    store = KnowledgeStore(tmp_path / "chroma", LocalEmbeddingFunction())
    for article in corpus[:4]:
        store.index_article(article.slug, article.title, article.category, 1, article.body)
    reopened = KnowledgeStore(tmp_path / "chroma", LocalEmbeddingFunction())
    passages = reopened.search(corpus[0].title, k=3)
    assert passages and passages[0].article_id == corpus[0].slug
    assert outbound_attempts == []
