"""Compare two runs case by case: McNemar's exact test on strict success, a sign test on latency."""

import json
import statistics
from pathlib import Path
from typing import Any

from rich.table import Table

from evals.stats import mcnemar_exact, sign_test
from evals.tables import num, pct


def load_report(path: Path) -> dict[str, Any]:
    """A report.json written by `shopcrew eval`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if "cases" not in data or "summary" not in data:
        raise ValueError(f"{path} is not an evaluation report (no cases or summary)")
    return data


def solved(case: dict[str, Any]) -> bool:
    """A case counts as solved when every one of its trials succeeded."""
    return case["trials"] > 0 and case["successes"] == case["trials"]


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Paired comparison over the cases both reports ran (B minus A)."""
    cases_b = {c["id"]: c for c in b["cases"]}
    pairs = [(c, cases_b[c["id"]]) for c in a["cases"] if c["id"] in cases_b]
    only_a = [ca["id"] for ca, cb in pairs if solved(ca) and not solved(cb)]
    only_b = [ca["id"] for ca, cb in pairs if solved(cb) and not solved(ca)]
    diffs = [
        cb["mean_latency_ms"] - ca["mean_latency_ms"]
        for ca, cb in pairs
        if ca["mean_latency_ms"] is not None and cb["mean_latency_ms"] is not None
    ]
    return {
        "paired_cases": len(pairs),
        "success": {
            "a": sum(solved(ca) for ca, _ in pairs),
            "b": sum(solved(cb) for _, cb in pairs),
            "only_a": only_a,
            "only_b": only_b,
            "p_value": mcnemar_exact(len(only_a), len(only_b)),
        },
        "latency": {
            "pairs": len(diffs),
            "b_faster": sum(d < 0 for d in diffs),
            "b_slower": sum(d > 0 for d in diffs),
            "median_diff_ms": statistics.median(diffs) if diffs else None,
            "p_value": sign_test(diffs),
        },
        "headline": headline(a["summary"], b["summary"]),
    }


def headline(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, float | None, float | None, str]]:
    """(metric, A, B, kind) for the main figures; kind is "share" or "ms"."""
    def pick(s: dict[str, Any]) -> dict[str, float | None]:
        return {
            "strict success": s["strict_success"]["value"],
            "routing accuracy": s["routing_accuracy"],
            "tool-call F1": s["tool_calls"]["f1"],
            "argument match": s["tool_calls"]["arg_match"],
            "latency p50 (ms)": s["usage"]["latency_ms"]["p50"],
            "latency p95 (ms)": s["usage"]["latency_ms"]["p95"],
        }

    pa, pb = pick(a), pick(b)
    return [(name, pa[name], pb[name], "ms" if "ms" in name else "share") for name in pa]


def comparison_table(result: dict[str, Any], a_name: str = "A", b_name: str = "B") -> Table:
    """The headline figures of both runs side by side, with B - A."""
    table = Table("metric", a_name, b_name, "B - A")
    for name, va, vb, kind in result["headline"]:
        fmt = num if kind == "ms" else pct
        delta = None if va is None or vb is None else vb - va
        shown = "–" if delta is None else (f"{delta:+,.0f}" if kind == "ms" else f"{100 * delta:+.1f} pts")
        table.add_row(name, fmt(va), fmt(vb), shown)
    s = result["success"]
    table.add_row("cases solved (all trials)", str(s["a"]), str(s["b"]), f"{s['b'] - s['a']:+d}")
    return table


def paired_lines(result: dict[str, Any]) -> list[str]:
    """The paired tests in plain words, and which cases flipped."""
    s, lat = result["success"], result["latency"]
    median = "–" if lat["median_diff_ms"] is None else f"{lat['median_diff_ms']:+,.0f} ms"
    return [
        f"{result['paired_cases']} paired cases.",
        f"Strict success: McNemar exact p={s['p_value']:.3g} ({len(s['only_a'])} solved only by A, "
        f"{len(s['only_b'])} only by B).",
        f"Latency (mean per turn, per case): sign test p={lat['p_value']:.3g}, median B - A {median} "
        f"(B faster on {lat['b_faster']}, slower on {lat['b_slower']}).",
        f"Only A solved: {', '.join(s['only_a']) or '-'}",
        f"Only B solved: {', '.join(s['only_b']) or '-'}",
    ]
