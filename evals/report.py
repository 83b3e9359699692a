"""The three report files of a run: report.json (everything), report.md and a self-contained report.html."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.metrics import aggregate
from evals.report_html import render_html
from evals.runner import RunResult
from evals.tables import GROUP_HEADER, group_rows, summary_rows


def build_report(result: RunResult, meta: dict[str, Any]) -> dict[str, Any]:
    """All metrics of a run, with what was run (dataset, model, trials, timing) under `meta`."""
    return {
        "meta": {
            **meta,
            "cases": len(result.cases),
            "trials": max((t.trial + 1 for t, _ in result.graded), default=0),
            "seconds": round(result.seconds, 2),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        **aggregate(result.cases, result.graded),
    }


def _table(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]


def trajectory_lines(trial: dict[str, Any]) -> list[str]:
    """A failed trial's conversation as Markdown list items."""
    lines = []
    for turn in trial["turns"]:
        lines.append(f"- **user**: {turn['text']}")
        for call in turn["tool_calls"]:
            lines.append(f"  - tool `{call['name']}({json.dumps(call['args'])})` {'ok' if call['ok'] else 'failed'}")
        reply = turn["reply"].replace("\n", " ")
        lines.append(f"  - **{turn['agent']}** ({turn['outcome']}, {turn['latency_ms']} ms): {reply}")
    if trial["changed_tables"]:
        lines.append(f"- tables written: {', '.join(trial['changed_tables'])}")
    return lines


def markdown(report: dict[str, Any]) -> str:
    """report.md: the summary table, per-agent and per-tag tables, and every failure with its trajectory."""
    meta = report["meta"]
    lines = [
        "# Evaluation report",
        "",
        f"Dataset `{meta.get('dataset', '?')}`, model `{meta.get('model', '?')}`, {meta['cases']} cases x "
        f"{meta['trials']} trials, {meta['seconds']} s ({meta['created_at']}).",
        "",
        "## Summary",
        "",
        *_table(["metric", "value", "95% CI"], summary_rows(report)),
        "",
        "## Per agent",
        "",
        *_table(["agent", *GROUP_HEADER], group_rows(report["per_agent"])),
    ]
    if report["per_tag"]:
        lines += ["", "## Per tag", "", *_table(["tag", *GROUP_HEADER], group_rows(report["per_tag"]))]
    lines += ["", f"## Failures ({len(report['failures'])})"]
    for fail in report["failures"]:
        lines += ["", f"### {fail['case']} (trial {fail['trial'] + 1}) as `{fail['principal']}`", ""]
        lines += [f"- {reason}" for reason in fail["reasons"]]
        lines += ["", *trajectory_lines(fail)]
    return "\n".join(lines) + "\n"


def write_reports(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into `out`; returns their paths by format."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=2, allow_nan=False), encoding="utf-8")
    paths["md"].write_text(markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
