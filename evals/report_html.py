"""report.html: one self-contained page (inline CSS, inline SVG charts drawn here; no scripts, no external files)."""

import json
from html import escape
from typing import Any

import numpy as np

from evals.tables import GROUP_HEADER, group_rows, pct, summary_rows

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #dde3ea;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #dde3ea;padding:.3rem .6rem;text-align:left}
th{background:#f3f6f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#5b6675}svg text{font:12px system-ui,sans-serif;fill:#1d2430}
details{margin:.5rem 0;border:1px solid #dde3ea;border-radius:6px;padding:.4rem .8rem}
summary{cursor:pointer;font-weight:600}.reason{color:#b42318}.user{color:#1d4ed8}.tool{color:#5b6675;font-family:monospace}
.heat td{text-align:center;min-width:3rem}
"""
BAR = "#2563eb"


def table(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> str:
    """An HTML table; cells that look numeric are right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)

    def cell(value: str) -> str:
        numeric = value[:1].isdigit() or value in ("–",)
        return f"<td class='n'>{escape(value)}</td>" if numeric else f"<td>{escape(value)}</td>"

    body = "".join("<tr>" + "".join(cell(str(v)) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def success_chart(per_agent: dict[str, dict[str, Any]]) -> str:
    """Horizontal bars of strict success per agent, with the bootstrap interval as a whisker."""
    row, label_w, bar_w = 26, 140, 520
    height = row * len(per_agent) + 30
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_w + bar_w + 80}' height='{height}' "
             "role='img' aria-label='strict success by agent'>"]
    for i, (agent, g) in enumerate(per_agent.items()):
        y = 10 + i * row
        value = g["strict_success"]["value"] or 0.0
        parts.append(f"<text x='{label_w - 8}' y='{y + 15}' text-anchor='end'>{escape(agent)}</text>")
        parts.append(f"<rect x='{label_w}' y='{y + 3}' width='{bar_w}' height='16' fill='#eef2f7'/>")
        parts.append(f"<rect x='{label_w}' y='{y + 3}' width='{value * bar_w:.1f}' height='16' fill='{BAR}'/>")
        if g["strict_success"]["ci95"]:
            low, high = (label_w + v * bar_w for v in g["strict_success"]["ci95"])
            parts.append(f"<line x1='{low:.1f}' x2='{high:.1f}' y1='{y + 11}' y2='{y + 11}' stroke='#111' />")
        parts.append(f"<text x='{label_w + bar_w + 6}' y='{y + 15}'>{pct(value)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def latency_chart(latencies: list[int], p50: float | None, p95: float | None, bins: int = 20) -> str:
    """Histogram of per-turn latency, with the p50 and p95 marked."""
    if not latencies:
        return "<p>No turns.</p>"
    counts, edges = np.histogram(np.asarray(latencies, dtype=float), bins=bins)
    left, width, height, top = 50, 640, 200, 24
    span = float(edges[-1] - edges[0]) or 1.0
    peak = int(counts.max()) or 1
    step = width / len(counts)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + 130}' height='{height + 64}' "
             "role='img' aria-label='latency distribution'>"]
    for i, count in enumerate(counts):
        h = count / peak * height
        tip = f"{edges[i]:.0f}–{edges[i + 1]:.0f} ms: {count}"
        parts.append(f"<rect x='{left + i * step + 1:.1f}' y='{top + height - h:.1f}' width='{step - 2:.1f}' "
                     f"height='{h:.1f}' fill='{BAR}'><title>{tip}</title></rect>")
    # p50 is labelled left of its line and p95 right of it, so close values do not overprint.
    for name, value, colour, anchor, nudge in (("p50", p50, "#16a34a", "end", -3), ("p95", p95, "#dc2626", "start", 3)):
        if value is not None:
            x = left + (value - edges[0]) / span * width
            parts.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top}' y2='{top + height}' stroke='{colour}' "
                         f"stroke-dasharray='4 3'/><text x='{x + nudge:.1f}' y='{top - 6}' fill='{colour}' "
                         f"text-anchor='{anchor}'>{name} {value:,.0f} ms</text>")
    base = top + height
    parts.append(f"<line x1='{left}' x2='{left + width}' y1='{base}' y2='{base}' stroke='#5b6675'/>")
    parts.append(f"<text x='{left}' y='{base + 18}'>{edges[0]:.0f} ms</text>")
    parts.append(f"<text x='{left + width}' y='{base + 18}' text-anchor='end'>{edges[-1]:.0f} ms</text>")
    parts.append(f"<text x='{left - 6}' y='{top + 10}' text-anchor='end'>{peak}</text>")
    parts.append(f"<text x='{left - 6}' y='{base}' text-anchor='end'>0</text>")
    parts.append(f"<text x='{left + width / 2}' y='{base + 38}' text-anchor='middle'>turn latency (ms)</text></svg>")
    return "".join(parts)


def confusion_table(routing: dict[str, Any]) -> str:
    """Routing confusion as a heat table: rows are expected agents, columns the first specialist reached."""
    if not routing["expected"]:
        return "<p>No case names an expected agent.</p>"
    head = "<th>expected \\ routed to</th>" + "".join(f"<th>{escape(label)}</th>" for label in routing["routed"])
    rows = []
    for want, counts in zip(routing["expected"], routing["matrix"], strict=True):
        total = sum(counts) or 1
        cells = []
        for got, count in zip(routing["routed"], counts, strict=True):
            hue = "37,99,235" if want == got else "220,38,38"
            cells.append(f"<td style='background:rgba({hue},{count / total * 0.85:.2f})'>{count or ''}</td>")
        rows.append(f"<tr><th>{escape(want)}</th>{''.join(cells)}</tr>")
    return f"<p class='meta'>Accuracy {pct(routing['accuracy'])} over {routing['trials']} trials.</p>" \
        f"<table class='heat'><tr>{head}</tr>{''.join(rows)}</table>"


def failure_block(fail: dict[str, Any]) -> str:
    """One failed trial as a collapsible block: reasons, then the conversation turn by turn."""
    reasons = "".join(f"<li class='reason'>{escape(r)}</li>" for r in fail["reasons"])
    turns = []
    for turn in fail["turns"]:
        calls = "".join(
            f"<div class='tool'>{escape(c['name'])}({escape(json.dumps(c['args']))}) "
            f"{'ok' if c['ok'] else 'failed'}</div>"
            for c in turn["tool_calls"]
        )
        turns.append(f"<p><span class='user'>user:</span> {escape(turn['text'])}</p>{calls}"
                     f"<p><b>{escape(turn['agent'])}</b> <span class='meta'>({escape(turn['outcome'])}, "
                     f"{turn['latency_ms']} ms)</span>: {escape(turn['reply'])}</p>")
    title = f"{fail['case']} (trial {fail['trial'] + 1}) as {fail['principal']}"
    return f"<details><summary>{escape(title)}</summary><ul>{reasons}</ul>{''.join(turns)}</details>"


def render_html(report: dict[str, Any]) -> str:
    """The whole report page."""
    meta, summary = report["meta"], report["summary"]
    latency = summary["usage"]["latency_ms"]
    sections = [
        "<h1>Evaluation report</h1>",
        f"<p class='meta'>Dataset {escape(str(meta.get('dataset', '?')))}, "
        f"model {escape(str(meta.get('model', '?')))}, "
        f"{meta['cases']} cases × {meta['trials']} trials, {meta['seconds']} s, {escape(meta['created_at'])}</p>",
        "<h2>Summary</h2>",
        table(["metric", "value", "95% CI"], summary_rows(report)),
        "<h2>Strict success by agent</h2>",
        success_chart(report["per_agent"]),
        table(["agent", *GROUP_HEADER], group_rows(report["per_agent"])),
        "<h2>Latency per turn</h2>",
        latency_chart(report["latencies_ms"], latency["p50"], latency["p95"]),
        "<h2>Routing</h2>",
        confusion_table(report["routing"]),
    ]
    if report["per_tag"]:
        sections += ["<h2>Per tag</h2>", table(["tag", *GROUP_HEADER], group_rows(report["per_tag"]))]
    sections += [f"<h2>Failures ({len(report['failures'])})</h2>", *map(failure_block, report["failures"])]
    body = "\n".join(sections)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Shopcrew evaluation</title>"
            f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n")
