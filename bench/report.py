"""Render the benchmarks' JSON results (bench/results/) as the markdown tables of docs/benchmarks.md.

Run: .venv/bin/python -m bench.report > /tmp/tables.md
Each section is printed only when its results file exists.
"""

import json

from bench.common import RESULTS

# The plans docs/benchmarks.md shows before and after migration 0011: the statements its indexes serve.
PLANNED = ("order search: busiest customer", "order search: cancelled in a month", "dashboard")


def load(name: str) -> dict | None:
    """A results file; for analytics, every analytics*.json merged (one backend per process is allowed)."""
    if name == "analytics":
        merged: dict = {}
        for path in sorted(RESULTS.glob("analytics*.json")):
            figures = json.loads(path.read_text())
            merged |= {k: v for k, v in figures.items() if v or k not in merged}
        return merged or None
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine(figures: dict) -> str:
    m = figures["machine"]
    return (f"{m['cpus']} cores ({m['cpu_model']}), {m['ram_gb']} GB RAM, Python {m['python']}; started {m['at']}: "
            f"`{m['uptime']}`; ended: `{figures.get('uptime_at_end', '?')}`")


def rest(figures: dict) -> str:
    out = [f"Machine: {machine(figures)}. {figures['seconds_per_step']} s per step.", ""]
    for backend in ("sqlite", "postgresql"):
        if backend not in figures:
            continue
        b = figures[backend]
        out.append(f"**{backend}**, {b['workers']} worker(s) each; statements replayed: {b['statements']}; "
                   f"load at start `{b['uptime']}`")
        out.append("")
        rows = []
        for label, run in b["runs"].items():
            t, r = run["tool"], run["bare"]
            rows.append([label, t["requests_per_s"], f"{t['p50_ms']} / {t['p95_ms']} / {t['p99_ms']}", t["errors"],
                         r["requests_per_s"], f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']}", r["errors"],
                         f"{run['ratio'] * 100:.0f} %"])
        out += [table(["route x clients", "tool req/s", "tool p50 / p95 / p99 ms", "errors", "bare req/s",
                       "bare p50 / p95 / p99 ms", "errors", "tool / bare"], rows), ""]
        race = b.get("order_race")
        if race:
            out.append(f"Order race: {race['attempts']} orders for the {race['free_before']} units left of "
                       f"{race['sku']}: {race['placed']} placed, {race['refused_409']} refused (409), "
                       f"other {race['other']}, {race['free_after']} left.")
            out.append("")
    return "\n".join(out)


def chat(figures: dict) -> str:
    t = figures["turn"]
    out = [f"Machine: {machine(figures)}.", "",
           f"Turn latency through the full graph, local model, 10 requests x {figures['rounds']}: "
           f"p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, p99 {t['p99_ms']} ms ({t['n']} turns); "
           f"{figures['model_calls_per_turn']} model calls a turn.", "",
           f"Prompt tokens counted with {figures['encoding']}.", ""]
    rows = [[kind, len(p["requests"]), p["crew_model_calls"], p["crew_prompt_tokens"], p["single_model_calls"],
             p["single_prompt_tokens"], f"{p['ratio'] * 100:.1f} %"] for kind, p in figures["prompts"].items()]
    out.append(table(["requests", "n", "crew calls", "crew prompt tokens", "single-agent calls",
                      "single-agent prompt tokens", "crew / single"], rows))
    rows = []
    for kind, p in figures["prompts"].items():
        for r in p["requests"]:
            c, s = r["crew"]["prompt_tokens"], r["single_agent"]["prompt_tokens"]
            rows.append([kind, " / ".join(r["turns"]), r["principal"],
                         f"{c['system']} + {c['history']} + {c['tools']} = {c['total']}",
                         f"{s['system']} + {s['history']} + {s['tools']} = {s['total']}"])
    out += ["", "Per request (system prompt + history + tool schemas = total, over all model calls):", "",
            table(["kind", "turns", "as", "crew", "single agent"], rows)]
    return "\n".join(out)


def analytics(figures: dict) -> str:
    out = [f"Machine: {machine(figures)}. p50 of {figures['repeat']} runs after a warm-up, milliseconds.", ""]
    for backend in ("postgresql", "sqlite"):
        by_size = figures.get(backend)
        if not by_size:
            continue
        sizes = sorted(by_size, key=int)
        growth = figures.get(f"{backend}_growth_per_10x", {})
        labels = list(by_size[sizes[0]]["timings"])
        header = ["call", *(f"{int(s):,} orders" for s in sizes), *(f"x {k}" for k in growth)]
        rows = [[label, *(by_size[s]["timings"][label]["p50_ms"] for s in sizes),
                 *(g[label] for g in growth.values())] for label in labels]
        rows.append(["seeding (s)", *(by_size[s]["seed_seconds"] for s in sizes), *("" for _ in growth)])
        out += [f"**{backend}**", "", table(header, rows), ""]
        out += [f"- load at {int(s):,}: `{by_size[s]['uptime']}`" for s in sizes]
        out.append("")
        largest = by_size[sizes[-1]]
        if "before_indexes" in largest:
            rows = [[label, largest["before_indexes"][label]["p50_ms"], largest["timings"][label]["p50_ms"]]
                    for label in labels]
            out += [f"Without and with migration 0011's indexes at {int(sizes[-1]):,} orders ({backend}):", "",
                    table(["call", "before (0010) p50 ms", "after (0011) p50 ms"], rows), ""]
    return "\n".join(out)


def plans(figures: dict) -> str:
    """EXPLAIN before and after 0011 of the statements its indexes serve, at the largest size."""
    out = []
    for backend in ("postgresql", "sqlite"):
        by_size = figures.get(backend)
        if not by_size:
            continue
        largest = by_size[max(by_size, key=int)]
        if "before_indexes" not in largest:
            continue
        for label in PLANNED:
            for when, timings in (("before", largest["before_indexes"]), ("after", largest["timings"])):
                for p in timings[label]["plans"]:
                    if "FROM orders WHERE orders.status" in p["sql"] or "orders.customer_id = " in p["sql"]:
                        out += [f"{backend}, {label}, {when}: `{p['sql'][:160]}...`", "", "```",
                                *p["plan"], "```", ""]
        # Why the all-time report is slow: its category statement reads every line of every order in range.
        report = largest["timings"]["sales report all (900 days)"]["plans"]
        out += [f"{backend}, sales report all (900 days), category statement at {int(max(by_size, key=int)):,} "
                f"orders:", "", "```", *report[-1]["plan"], "```", ""]
    return "\n".join(out)


def knowledge(figures: dict) -> str:
    c = figures["corpus"]
    out = [f"Machine: {machine(figures)}; ONNX threads {figures['onnx_threads']}, chromadb {figures['chromadb']}.", "",
           f"Corpus: {c['articles']} articles, {c['chunks']} chunks built in {c['build_s']} s ({c['chunks_per_s']} "
           f"chunks/s); search p50 {c['query']['p50_ms']} ms, p95 {c['query']['p95_ms']} ms.", ""]
    rows = [[f"{s['chunks']:,}", f"{s['embedded_by_model']:,}", s["added"], s["build_s"], s["chunks_per_s"],
             s["query"]["p50_ms"], s["query"]["p95_ms"], s["query"]["p99_ms"], f"`{s['uptime']}`"]
            for s in figures["synthetic"]]
    out.append(table(["chunks in store", "embedded by the model", "added in step", "step build s", "chunks/s",
                      "search p50 ms", "p95 ms", "p99 ms", "load"], rows))
    return "\n".join(out)


def main() -> None:
    sections = [("REST throughput: tool routes against a bare FastAPI endpoint", "api_load", rest),
                ("Chat turns and prompt tokens", "crew_turns", chat),
                ("Analytics at scale", "analytics", analytics),
                ("EXPLAIN before and after migration 0011", "analytics", plans),
                ("Knowledge search", "kb_index", knowledge)]
    for title, name, render in sections:
        figures = load(name)
        if figures:
            print(f"## {title}\n\n{render(figures)}\n")


if __name__ == "__main__":
    main()
