"""Text and JSON reports of a replay run and of a benchmark run."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from evals.tau.benchmark import TauTrial, summarize
from evals.tau.replay import DIVERGENCE, FAIL, PASS, ReplaySummary, TaskReplay

SHOWN_DIFFERENCES = 20


def jsonable(value: Any) -> Any:
    """json.dumps fallback: Decimals as numbers, anything else as text."""
    return float(value) if isinstance(value, Decimal) else str(value)


def task_line(result: TaskReplay) -> str:
    """One line per task: id, verdict, customer, calls, and what explains or breaks it."""
    note = ""
    if result.outcome == DIVERGENCE:
        note = f"  ({result.divergence.name})"
    elif result.outcome == FAIL:
        note = f"  {len(result.differences)} differences, first: {result.differences[0]}"
    who = result.user or "-"
    return f"task {result.task_id:>3}  {result.outcome:<16}  {who:<28} {len(result.calls):>2} calls{note}"


def replay_text(summary: ReplaySummary, per_task: bool = True) -> list[str]:
    """Per-task lines (optional), the known divergences with their reasons, the failures, then the count."""
    lines = [task_line(r) for r in summary.results] if per_task else []
    explained: dict[str, list[TaskReplay]] = {}
    for result in summary.results:
        if result.outcome == DIVERGENCE:
            explained.setdefault(result.divergence.name, []).append(result)
    for name, results in explained.items():
        divergence = results[0].divergence
        lines += ["", f"Known divergence '{name}' (tasks {', '.join(r.task_id for r in results)}):",
                  f"  {divergence.reason}", f"  fields: {', '.join(divergence.fields)}"]
    for result in (r for r in summary.results if r.outcome == FAIL):
        lines += ["", f"FAILED task {result.task_id} (customer {result.user}):"]
        lines += [f"  {d}" for d in result.differences[:SHOWN_DIFFERENCES]]
        if len(result.differences) > SHOWN_DIFFERENCES:
            lines.append(f"  ... and {len(result.differences) - SHOWN_DIFFERENCES} more")
    return [*lines, "", f"{summary.line()} ({summary.seconds:.1f} s)"]


def replay_json(summary: ReplaySummary) -> dict[str, Any]:
    """The run as JSON: counts, the summary line, and every task's verdict."""
    counts = {outcome: summary.counts[outcome] for outcome in (PASS, DIVERGENCE, FAIL)}
    return {"summary": {**counts, "tasks": len(summary.results), "line": summary.line(),
                        "seconds": round(summary.seconds, 2)},
            "tasks": [r.to_json() for r in summary.results]}


def benchmark_report(trials: list[TauTrial], meta: dict[str, Any]) -> dict[str, Any]:
    """Meta, the summary (pass^k and rates), and each task's trials with transcripts."""
    tasks: dict[str, list[dict[str, Any]]] = {}
    for trial in sorted(trials, key=lambda t: (int(t.task_id), t.trial)):
        tasks.setdefault(trial.task_id, []).append(trial.to_json())
    return {"meta": meta, "summary": summarize(trials), "tasks": tasks}


def write_report(report: dict[str, Any], out: Path) -> Path:
    """Write report.json into the output folder."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.json"
    path.write_text(json.dumps(report, indent=2, default=jsonable), encoding="utf-8")
    return path
