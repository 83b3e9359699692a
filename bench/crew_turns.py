"""Benchmark chat turns through the whole crew with the local model on the demo shop.

Run: .venv/bin/python bench/crew_turns.py [--rounds 5]
Reports turn latency p50/p95, model calls and tokens per turn; writes bench/results/crew_turns.json.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import percentiles, seeded_shop, write_results
from graph.crew import Crew
from shopcrew.settings import Settings
from tools.principals import principal_for_label

REQUESTS = [
    ("customer:ava.martin@example.com", "where is my order #W3972548?"),
    ("customer:ava.martin@example.com", "show me my orders"),
    ("customer:ava.martin@example.com", "do you sell mechanical keyboards?"),
    ("customer:ava.martin@example.com", "how many loyalty points do I have?"),
    ("customer:ava.martin@example.com", "is KB-TKL-01 in stock?"),
    ("customer:ava.martin@example.com", "list my saved payment methods"),
    ("staff:wendy.warehouse", "show me the low stock report"),
    ("staff:wendy.warehouse", "how full is the Paris warehouse?"),
    ("staff:mia.merchant", "revenue over the last 30 days"),
    ("staff:sam.support", "find the customer with email lucas.bernard@example.com"),
]


async def run(rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        url = seeded_shop(Path(folder))
        seed_s = time.perf_counter() - started
        started = time.perf_counter()
        async with Crew.open(Settings(database_url=url, data_dir=Path(folder))) as crew:
            open_s = time.perf_counter() - started
            async with crew.sessions() as session:
                principals = {label: await principal_for_label(session, label) for label, _ in REQUESTS}
            await crew.ask(principals[REQUESTS[0][0]], REQUESTS[0][1])  # warm the embedding model
            latencies, calls, tokens = [], [], []
            for _ in range(rounds):
                for label, text in REQUESTS:
                    tick = time.perf_counter()
                    result = await crew.ask(principals[label], text)
                    latencies.append((time.perf_counter() - tick) * 1000)
                    calls.append(result.model_calls)
                    tokens.append(result.prompt_tokens + result.completion_tokens)
    return {
        "seed_s": round(seed_s, 2),
        "crew_open_s": round(open_s, 2),
        "turn": percentiles(latencies),
        "model_calls_per_turn": round(sum(calls) / len(calls), 2),
        "tokens_per_turn": round(sum(tokens) / len(tokens), 1),
        "turns_per_s": round(len(latencies) / (sum(latencies) / 1000), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each of the 10 requests is asked")
    args = parser.parse_args()
    write_results("crew_turns", {"rounds": args.rounds, **asyncio.run(run(args.rounds))})


if __name__ == "__main__":
    main()
