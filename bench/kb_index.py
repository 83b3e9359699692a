"""Benchmark the knowledge store: index build throughput and search latency, on the corpus and at growing sizes.

Run: .venv/bin/python -m bench.kb_index [--sizes 10000 100000] [--queries 200] [--embed-limit N]
One synthetic store grows through the sizes (articles of 10 one-chunk sections through the real ingest path,
KnowledgeStore.index_article); at each size it times searches (query embedding + vector search).
With --embed-limit N only the first N synthetic chunks are embedded by the model (build throughput is measured on
those); later chunks get the vector of an embedded chunk plus a little noise, re-normalised, so the index still
holds that many distinct points while the build skips the model (about 40 chunks/s on one free core, i.e. 45 min
for 100,000). Searches always embed the query with the model.
Prints the figures and writes them to bench/results/kb_index.json.
"""

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

import chromadb
import numpy as np

from bench.common import machine, percentiles, uptime, write_results
from knowledge.chroma_embedding import LocalEmbeddingFunction
from knowledge.corpus import load_corpus
from knowledge.embeddings import THREADS_ENV, get_embedder
from knowledge.store import KnowledgeStore

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evals" / "datasets" / "kb_questions.jsonl"
SECTIONS_PER_ARTICLE = 10  # one short section is one chunk, so N chunks = N / 10 articles

PRODUCTS = [
    "office chair",
    "mechanical keyboard",
    "espresso machine",
    "hiking boots",
    "smart watch",
    "air purifier",
    "yoga mat",
    "e-reader",
    "luggage set",
    "desk lamp",
    "grill",
    "tablet",
]
SUBJECTS = [
    "Orders",
    "Returns",
    "Exchanges",
    "Warranty claims",
    "Refunds",
    "Deliveries",
    "Inspections",
    "Stock transfers",
    "Gift cards",
    "Marketplace orders",
    "Invoices",
    "Loyalty points",
]
ACTIONS = [
    "are reviewed",
    "are shipped",
    "are approved",
    "are refunded",
    "are recorded",
    "are inspected",
    "are cancelled",
    "are escalated",
    "are confirmed",
    "are reserved",
]
CONDITIONS = [
    "when paid by card",
    "for customers in the EU",
    "after a security check",
    "before 14:00",
    "when the parcel is damaged",
    "for platinum members",
    "if the item is unopened",
    "when stock is low",
    "for the world zone",
    "after the carrier scan",
]
CITIES = ["Lyon", "Lille", "Nantes", "Berlin", "Madrid", "Milan", "Porto", "Ghent", "Vienna", "Oslo"]


def synthetic_section(rng: random.Random) -> str:
    """Two varied sentences about shop operations (deterministic for a given generator state)."""
    first = (
        f"{rng.choice(SUBJECTS)} for the {rng.choice(PRODUCTS)} {rng.choice(ACTIONS)} within "
        f"{rng.randint(1, 30)} business days {rng.choice(CONDITIONS)}."
    )
    second = (
        f"Staff in {rng.choice(CITIES)} check {rng.randint(2, 50)} units and note reference "
        f"{rng.randint(10000, 99999)} {rng.choice(CONDITIONS)}."
    )
    return f"{first} {second}"


def synthetic_articles(first: int, chunks: int, seed: int = 7,
                       per_article: int = SECTIONS_PER_ARTICLE) -> list[tuple[str, str]]:
    """(article id, body) pairs for chunks number `first` up to `chunks` (each article's text depends on its number)."""
    articles = []
    for number in range(first, chunks, per_article):
        rng = random.Random(seed * 1_000_003 + number)
        sections = min(per_article, chunks - number)
        body = "\n\n".join(f"## Section {s}\n\n{synthetic_section(rng)}" for s in range(sections))
        articles.append((f"synthetic-{number:06d}", body))
    return articles


class LimitedEmbedding(LocalEmbeddingFunction):
    """The local model for queries and the first `limit` chunks; noisy copies of those vectors after that."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit, self.pool, self.rng = limit, [], np.random.default_rng(7)

    def __call__(self, input):
        if self.limit is None or len(self.pool) < self.limit:
            vectors = super().__call__(input)
            self.pool.extend(vectors)
            return vectors
        picked = np.stack([self.pool[i] for i in self.rng.integers(0, len(self.pool), len(input))])
        noisy = picked + self.rng.normal(0, 0.03, picked.shape).astype(np.float32)
        return list(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))

    def embed_query(self, input):
        return LocalEmbeddingFunction.__call__(self, input)


def query_latency(store: KnowledgeStore, queries: list[str]) -> dict[str, float]:
    """p50 / p95 / p99 / mean milliseconds of store.search (query embedding + vector search)."""
    store.search(queries[0], k=5)  # warm-up: first query pays one-off setup costs
    samples = []
    for query in queries:
        start = time.perf_counter()
        store.search(query, k=5)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def index(store: KnowledgeStore, articles: list[tuple[str, str, str, str]]) -> float:
    """Index (id, title, category, body) articles into the store; the seconds taken."""
    start = time.perf_counter()
    for article_id, title, category, body in articles:
        store.index_article(article_id, title, category, 1, body)
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="synthetic store sizes")
    parser.add_argument("--queries", type=int, default=200, help="queries to time per store")
    parser.add_argument("--embed-limit", type=int, help="embed only this many synthetic chunks with the model")
    parser.add_argument("--sections", type=int, default=SECTIONS_PER_ARTICLE,
                        help="sections (chunks) per synthetic article: Chroma's per-article delete and add dominate "
                             "a build once the model is skipped")
    args = parser.parse_args()
    started = machine()
    load_start = time.perf_counter()
    get_embedder()
    load_seconds = time.perf_counter() - load_start
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    queries = [questions[i % len(questions)] for i in range(args.queries)]
    corpus = [(a.slug, a.title, a.category, a.body) for a in load_corpus()]
    report = {"onnx_threads": int(os.environ.get(THREADS_ENV, "1")), "chromadb": chromadb.__version__,
              "model_load_s": round(load_seconds, 2), "embed_limit": args.embed_limit,
              "sections_per_article": args.sections}
    with tempfile.TemporaryDirectory() as tmp:
        store = KnowledgeStore(Path(tmp) / "corpus", LocalEmbeddingFunction())
        seconds = index(store, corpus)
        report["corpus"] = {"articles": len(corpus), "chunks": store.count(), "build_s": round(seconds, 2),
                            "chunks_per_s": round(store.count() / seconds, 1), "query": query_latency(store, queries)}
        store.close()
        embedding = LimitedEmbedding(args.embed_limit)
        store, report["synthetic"], done = KnowledgeStore(Path(tmp) / "synthetic", embedding), [], 0
        steps = sorted(set(args.sizes) | ({args.embed_limit} if args.embed_limit else set()))
        for size in steps:
            added = [(i, f"Synthetic {i}", "orders", body)
                     for i, body in synthetic_articles(done, size, per_article=args.sections)]
            seconds = index(store, added)
            step = {"chunks": store.count(), "added": size - done, "build_s": round(seconds, 2),
                    "chunks_per_s": round((size - done) / seconds, 1), "query": query_latency(store, queries),
                    "embedded_by_model": min(size, args.embed_limit or size), "uptime": uptime()}
            report["synthetic"].append(step)
            print(json.dumps(step), flush=True)
            done = size
        store.close()
    write_results("kb_index", report, started)


if __name__ == "__main__":
    main()
