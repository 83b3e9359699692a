"""Shared helpers for the benchmarks: a seeded demo shop, percentiles, the machine and the results file."""

import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
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
    """p50, p95, p99, mean and count of a list of milliseconds (nearest rank)."""
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.5), 2), "p95_ms": round(pick(0.95), 2), "p99_ms": round(pick(0.99), 2),
            "mean_ms": round(statistics.fmean(ordered), 2), "n": len(ordered)}


def uptime() -> str:
    """`uptime` as printed now: the machine is shared, so each run records how loaded it was."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def machine() -> dict:
    """Cores, memory, CPU model, Python and the load at this moment."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "ram_gb": round(mem_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "uptime": uptime()}


def write_results(name: str, figures: dict, started: dict | None = None) -> Path:
    """Print the figures and write them, with the machine (at the start and the end), to bench/results/<name>.json."""
    figures = {"machine": started or machine(), "uptime_at_end": uptime(), **figures}
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(json.dumps(figures, indent=2, default=str))
    print(f"written to {path}")
    return path
