"""Benchmark the knowledge store: index build time (corpus, synthetic chunks) and query latency.

Run: .venv/bin/python bench/kb_index.py [--synthetic 10000] [--queries 200]
Prints the figures and writes them to bench/results/kb_index.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import chromadb  # noqa: E402

from knowledge.chroma_embedding import LocalEmbeddingFunction  # noqa: E402
from knowledge.corpus import load_corpus  # noqa: E402
from knowledge.embeddings import THREADS_ENV, get_embedder  # noqa: E402
from knowledge.store import KnowledgeStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "kb_index.json"
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


def synthetic_articles(chunks: int, seed: int = 7) -> list[tuple[str, str]]:
    """(article id, body) pairs whose sections add up to the requested number of chunks."""
    rng = random.Random(seed)
    articles = []
    for number in range(0, chunks, SECTIONS_PER_ARTICLE):
        sections = min(SECTIONS_PER_ARTICLE, chunks - number)
        body = "\n\n".join(f"## Section {s}\n\n{synthetic_section(rng)}" for s in range(sections))
        articles.append((f"synthetic-{number // SECTIONS_PER_ARTICLE:05d}", body))
    return articles


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def query_latency(store: KnowledgeStore, queries: list[str]) -> dict[str, float]:
    """p50 / p95 / mean milliseconds of store.search (query embedding + vector search)."""
    store.search(queries[0], k=5)  # warm-up: first query pays one-off setup costs
    samples = []
    for query in queries:
        start = time.perf_counter()
        store.search(query, k=5)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(percentile(samples, 0.50), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "queries": len(samples),
    }


def build(path: Path, articles: list[tuple[str, str, str, str]]) -> tuple[KnowledgeStore, float]:
    """Index (id, title, category, body) articles into a fresh store; returns it and the seconds taken."""
    store = KnowledgeStore(path, LocalEmbeddingFunction())
    start = time.perf_counter()
    for article_id, title, category, body in articles:
        store.index_article(article_id, title, category, 1, body)
    return store, time.perf_counter() - start


def main() -> None:
    """Run the benchmark and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=10_000, help="synthetic chunks to index")
    parser.add_argument("--queries", type=int, default=200, help="queries to time per store")
    args = parser.parse_args()

    load_start = time.perf_counter()
    get_embedder()
    load_seconds = time.perf_counter() - load_start
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    queries = [questions[i % len(questions)] for i in range(args.queries)]
    corpus = [(a.slug, a.title, a.category, a.body) for a in load_corpus()]
    synthetic = [(i, f"Synthetic {i}", "orders", body) for i, body in synthetic_articles(args.synthetic)]

    with tempfile.TemporaryDirectory() as tmp:
        corpus_store, corpus_seconds = build(Path(tmp) / "corpus", corpus)
        corpus_latency = query_latency(corpus_store, queries)
        synthetic_store, synthetic_seconds = build(Path(tmp) / "synthetic", synthetic)
        synthetic_latency = query_latency(synthetic_store, queries)
        report = {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "onnx_threads": int(os.environ.get(THREADS_ENV, "1")),
                "chromadb": chromadb.__version__,
            },
            "model_load_s": round(load_seconds, 2),
            "corpus": {
                "articles": len(corpus),
                "chunks": corpus_store.count(),
                "build_s": round(corpus_seconds, 2),
                "chunks_per_s": round(corpus_store.count() / corpus_seconds, 1),
                "query": corpus_latency,
            },
            "synthetic": {
                "chunks": synthetic_store.count(),
                "build_s": round(synthetic_seconds, 2),
                "chunks_per_s": round(synthetic_store.count() / synthetic_seconds, 1),
                "query": synthetic_latency,
            },
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
