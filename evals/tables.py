"""The figures shared by report.md and report.html: formatted values and the rows of their tables."""

from typing import Any


def pct(value: float | None) -> str:
    """A share as a percentage, or a dash when undefined."""
    return "–" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 0) -> str:
    """A number with fixed decimals, or a dash when undefined."""
    return "–" if value is None else f"{value:,.{digits}f}"


def ci(estimate: dict[str, Any]) -> str:
    """A bootstrap interval as "[low, high]" percentages."""
    return "–" if not estimate.get("ci95") else f"[{pct(estimate['ci95'][0])}, {pct(estimate['ci95'][1])}]"


def summary_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(metric, value, 95% interval) rows of the headline table."""
    s = report["summary"]
    rows = [("strict success", pct(s["strict_success"]["value"]), ci(s["strict_success"]))]
    rows += [(f"pass^{k}", pct(e["value"]), ci(e)) for k, e in s["pass_hat_k"].items()]
    rows += [(f"pass@{k}", pct(e["value"]), ci(e)) for k, e in s["pass_at_k"].items()]
    tools, usage = s["tool_calls"], s["usage"]
    rows += [
        ("routing accuracy", pct(s["routing_accuracy"]), ""),
        ("tool-call precision", pct(tools["precision"]), ""),
        ("tool-call recall", pct(tools["recall"]), ""),
        ("tool-call F1", pct(tools["f1"]), ""),
        ("argument match", pct(tools["arg_match"]), ""),
        *[(f"{name} checks passed", pct(rate), "") for name, rate in s["checks"].items()],
        ("model calls per turn", num(usage["model_calls_per_turn"], 2), ""),
        ("model calls per single-tool turn", num(usage.get("model_calls_per_single_tool_turn"), 2), ""),
        ("model calls per single-tool turn, router certain",
         num(usage.get("model_calls_per_single_tool_turn_router_certain"), 2), ""),
        ("prompt tokens per turn", num(usage["prompt_tokens_per_turn"], 0), ""),
        ("completion tokens per turn", num(usage["completion_tokens_per_turn"], 0), ""),
        ("latency p50 per turn (ms)", num(usage["latency_ms"]["p50"]), ""),
        ("latency p95 per turn (ms)", num(usage["latency_ms"]["p95"]), ""),
    ]
    return rows


def group_rows(groups: dict[str, dict[str, Any]]) -> list[list[str]]:
    """Rows of the per-agent (or per-tag) table."""
    return [
        [name, str(g["cases"]), str(g["trials"]), pct(g["strict_success"]["value"]), ci(g["strict_success"]),
         pct(g["routing_accuracy"]), pct(g["tool_f1"]), num(g["latency_p50_ms"])]
        for name, g in groups.items()
    ]


GROUP_HEADER = ["cases", "trials", "strict success", "95% CI", "routing", "tool F1", "latency p50 (ms)"]
