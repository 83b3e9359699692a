"""Aggregate metrics over graded trials: success and pass^k, routing, tool calls, cost, latency, failures."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from evals.checks import CallMatch, Verdict
from evals.dataset import Case
from evals.stats import bootstrap_ci, pass_at_k, pass_hat_k, percentile
from evals.trajectory import Trial

Graded = tuple[Trial, Verdict]
UNLABELLED = "(none)"
NO_TURN = "(no turn)"


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def estimate(values: list[float]) -> dict[str, Any]:
    """A mean over cases with its bootstrap 95% interval."""
    low, high = bootstrap_ci(values)
    return {"value": _mean(values), "ci95": [low, high] if values else None, "n": len(values)}


def group_by_case(cases: list[Case], graded: list[Graded]) -> list[tuple[Case, list[Graded]]]:
    """Each case with its graded trials, in dataset order (cases with no trial are dropped)."""
    by_id: dict[str, list[Graded]] = defaultdict(list)
    for pair in graded:
        by_id[pair[0].case_id].append(pair)
    return [(case, sorted(by_id[case.id], key=lambda p: p[0].trial)) for case in cases if by_id[case.id]]


def pass_rates(groups: list[tuple[Case, list[Graded]]]) -> dict[str, Any]:
    """pass^k and pass@k for k = 1..trials: the per-case unbiased estimators, averaged over cases, with CIs."""
    counts = [(len(pairs), sum(v.success for _, v in pairs)) for _, pairs in groups]
    k_max = min((n for n, _ in counts), default=0)
    return {
        "pass_hat_k": {str(k): estimate([pass_hat_k(n, c, k) for n, c in counts]) for k in range(1, k_max + 1)},
        "pass_at_k": {str(k): estimate([pass_at_k(n, c, k) for n, c in counts]) for k in range(1, k_max + 1)},
    }


def tool_call_metrics(verdicts: Iterable[Verdict]) -> dict[str, Any]:
    """Micro-averaged precision, recall and F1 of tool names, and the share of name hits with matching arguments."""
    matches = [v.calls for v in verdicts if v.calls is not None]
    total = CallMatch(*(sum(getattr(m, f) for m in matches) for f in ("expected", "actual", "name_hits", "arg_hits")))
    precision, recall = _ratio(total.name_hits, total.actual), _ratio(total.name_hits, total.expected)
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if matches else None)
    return {
        "trials": len(matches),
        "expected": total.expected,
        "actual": total.actual,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "arg_match": _ratio(total.arg_hits, total.name_hits),
    }


def routing_metrics(groups: list[tuple[Case, list[Graded]]]) -> dict[str, Any]:
    """Routing accuracy (first specialist versus expect.agent) and the confusion matrix, counted per trial."""
    pairs = [(case.expect.agent, t.turns[0].agent if t.turns else NO_TURN)
             for case, graded in groups if case.expect.agent for t, _ in graded]
    expected = sorted({want for want, _ in pairs})
    routed = sorted({got for _, got in pairs} | set(expected))
    matrix = [[sum(1 for p in pairs if p == (want, got)) for got in routed] for want in expected]
    return {
        "accuracy": _ratio(sum(want == got for want, got in pairs), len(pairs)),
        "trials": len(pairs),
        "expected": expected,
        "routed": routed,
        "matrix": matrix,
    }


def usage_metrics(trials: Iterable[Trial]) -> dict[str, Any]:
    """Model calls (also per single-tool turn), tokens and latency per turn (p50 / p95 / mean / max)."""
    turns = [turn for trial in trials for turn in trial.turns]
    latencies = [turn.latency_ms for turn in turns]
    totals = {f: sum(getattr(t, f) for t in turns) for f in ("model_calls", "prompt_tokens", "completion_tokens")}
    # A turn that ran exactly one tool: its model calls are the cost of routing, choosing and answering. When
    # the router is certain (a rule chose, e.g. the answer to a specialist's question) it asks no model.
    single = [turn for turn in turns if len(turn.tool_calls) == 1]
    certain = [turn.model_calls for turn in single if turn.routed_by == "rule"]
    return {
        "turns": len(turns),
        **totals,
        "single_tool_turns": len(single),
        "model_calls_per_single_tool_turn": _mean(turn.model_calls for turn in single),
        "single_tool_turns_router_certain": len(certain),
        "model_calls_per_single_tool_turn_router_certain": _mean(certain),
        **{f"{f}_per_turn": _ratio(v, len(turns)) for f, v in totals.items()},
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "mean": _mean(latencies),
            "max": max(latencies, default=None),
        },
    }


def check_rates(verdicts: list[Verdict]) -> dict[str, float | None]:
    """Share of trials passing each check family (state, reply, policy)."""
    return {name: _mean(v.checks.get(name, False) for v in verdicts) for name in ("state", "reply", "policy")}


def group_metrics(groups: list[tuple[Case, list[Graded]]]) -> dict[str, Any]:
    """The headline figures of a set of cases (the whole run, one agent, or one tag)."""
    verdicts = [v for _, graded in groups for _, v in graded]
    routing = routing_metrics(groups)
    tools = tool_call_metrics(verdicts)
    usage = usage_metrics(t for _, graded in groups for t, _ in graded)
    return {
        "cases": len(groups),
        "trials": len(verdicts),
        "strict_success": estimate([_mean(v.success for _, v in graded) for _, graded in groups]),
        "routing_accuracy": routing["accuracy"],
        "tool_f1": tools["f1"],
        "latency_p50_ms": usage["latency_ms"]["p50"],
    }


def case_row(case: Case, graded: list[Graded]) -> dict[str, Any]:
    """One case's results: successes over trials, routing, latency and the reasons it failed."""
    latencies = [turn.latency_ms for trial, _ in graded for turn in trial.turns]
    routed = [v.routed for _, v in graded if v.routed is not None]
    return {
        "id": case.id,
        "agent": case.expect.agent or UNLABELLED,
        "principal": case.principal,
        "tags": case.tags,
        "trials": len(graded),
        "successes": sum(v.success for _, v in graded),
        "success_rate": _mean(v.success for _, v in graded),
        "routing_accuracy": _mean(routed),
        "mean_latency_ms": _mean(latencies),
        "results": [{"trial": t.trial, "success": v.success, "reasons": v.reasons} for t, v in graded],
    }


def failure(case: Case, trial: Trial, verdict: Verdict) -> dict[str, Any]:
    """A failed trial with its reasons and full trajectory."""
    return {"case": case.id, "principal": case.principal, "agent": case.expect.agent, "reasons": verdict.reasons,
            **trial.to_json()}


def _split(groups: list[tuple[Case, list[Graded]]], keys) -> dict[str, dict[str, Any]]:
    buckets: dict[str, list] = defaultdict(list)
    for group in groups:
        for key in keys(group[0]):
            buckets[key].append(group)
    return {key: group_metrics(buckets[key]) for key in sorted(buckets)}


def aggregate(cases: list[Case], graded: list[Graded]) -> dict[str, Any]:
    """Every metric of a run: summary, per agent, per tag, per case, routing confusion and failures."""
    groups = group_by_case(cases, graded)
    verdicts = [v for _, v in graded]
    trials = [t for t, _ in graded]
    summary = {
        **group_metrics(groups),
        **pass_rates(groups),
        "checks": check_rates(verdicts),
        "tool_calls": tool_call_metrics(verdicts),
        "usage": usage_metrics(trials),
    }
    return {
        "summary": summary,
        "per_agent": _split(groups, lambda c: [c.expect.agent or UNLABELLED]),
        "per_tag": _split(groups, lambda c: c.tags),
        "routing": routing_metrics(groups),
        "cases": [case_row(case, pairs) for case, pairs in groups],
        "failures": [failure(case, t, v) for case, pairs in groups for t, v in pairs if not v.success],
        "latencies_ms": [turn.latency_ms for t in trials for turn in t.turns],
    }
