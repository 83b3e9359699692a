"""Shared helpers for the benchmarks: a seeded demo shop, percentiles and the results file."""

import json
import platform
import statistics
from pathlib import Path

from db.migrate import upgrade
from db.seed.run import seed_database

RESULTS = Path(__file__).resolve().parent / "results"


def seeded_shop(folder: Path, size: str = "small") -> str:
    """A migrated, seeded SQLite demo shop in `folder`; returns its URL."""
    url = f"sqlite:///{folder / 'shop.db'}"
    upgrade(url)
    seed_database(url, size=size)
    return url


def percentiles(samples_ms: list[float]) -> dict:
    """p50, p95, mean and count of a list of milliseconds."""
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.5), 2), "p95_ms": round(pick(0.95), 2),
            "mean_ms": round(statistics.fmean(ordered), 2), "n": len(ordered)}


def write_results(name: str, figures: dict) -> Path:
    """Print the figures and write them, with the machine they came from, to bench/results/<name>.json."""
    figures = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}, **figures}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written to {path}")
    return path
