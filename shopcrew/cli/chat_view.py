"""How `shopcrew chat` shows a turn with rich: agent badge, tool steps, tables for lists, confirmations."""

import json
import re
import zlib
from typing import Any

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

BADGE_COLOURS = ["blue", "magenta", "green", "dark_orange3", "cyan", "red", "purple", "dark_green", "deep_pink4"]
LIST_LINE = re.compile(r"^\s*(?:[-•] |…and \d+ more)")


def human(name: str) -> str:
    """get_low_stock_report -> 'Get low stock report'."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def badge(agent: str) -> Text:
    """The answering specialist as a coloured badge (the same agent always gets the same colour)."""
    colour = BADGE_COLOURS[zlib.crc32(agent.encode()) % len(BADGE_COLOURS)]
    return Text(f" {agent.replace('_', ' ')} ", style=f"bold white on {colour}")


def step_line(step: dict[str, Any]) -> Text:
    """One tool step: ✓/✗, name, arguments, latency, and why it was not carried out."""
    mark = Text("✓ ", style="green") if step.get("ok") else Text("✗ ", style="red")
    line = mark + Text(step["name"], style="bold") + Text(f" {json.dumps(step.get('args') or {})}", style="dim")
    if step.get("latency_ms") is not None:
        line += Text(f" {step['latency_ms']} ms", style="dim")
    if step.get("error"):
        line += Text(f"  {step['error']}", style="red")
    return line


def records_of(result: Any) -> tuple[list[dict], dict[str, Any]] | None:
    """The rows of a list result (a list of records, or a report holding one beside plain figures)."""
    def is_records(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    if is_records(result):
        return result, {}
    if not isinstance(result, dict):
        return None
    lists = [k for k, v in result.items() if is_records(v)]
    nested = [v for v in result.values() if isinstance(v, dict) or (isinstance(v, list) and v and not is_records(v))]
    if len(lists) != 1 or nested:
        return None
    figures = {k: v for k, v in result.items() if k != lists[0] and not isinstance(v, list) and v not in (None, "")}
    return result[lists[0]], figures


def cell(value: Any) -> str:
    """A value as a table cell."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    return str(value)


def fitting(columns: list[str], rows: list[dict], width: int) -> list[str]:
    """The leading columns whose widest cell fits the terminal's width (at least one column)."""
    shown, used = [], 4
    for column in columns:
        need = max(len(human(column)), *(len(cell(row.get(column))) for row in rows)) + 3
        if shown and used + need > width:
            break
        shown.append(column)
        used += need
    return shown


def result_table(tool: str, result: Any, width: int = 120) -> Table | None:
    """A rich table of a list result, ids after the words people read and only the columns that fit `width`.

    None when the result is not a list.
    """
    found = records_of(result)
    if not found:
        return None
    rows, figures = found
    columns = list(dict.fromkeys(key for row in rows for key in row))
    columns = [c for c in columns if not c.endswith("_id")] + [c for c in columns if c.endswith("_id")]
    shown = fitting(columns, rows, width)
    title = f"{human(tool.removeprefix('get_'))}: {len(rows)} rows"
    notes = [f"{human(k)}: {cell(v)}" for k, v in figures.items()]
    if hidden := [human(c).lower() for c in columns if c not in shown]:
        notes.append(f"not shown at this width: {', '.join(hidden)} (a wider terminal or the web page shows them)")
    caption = " · ".join(notes) or None
    columns = shown
    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left", expand=False)
    for column in columns:
        numeric = all(isinstance(row.get(column), int | float) for row in rows if row.get(column) is not None)
        table.add_column(human(column), justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    return table


def show_answer(console: Console, done: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """The specialist's answer: badge, steps, reply text, then a table per list result."""
    tables = [t for s in steps if s.get("ok") for t in [result_table(s["name"], s.get("result"), console.width)] if t]
    reply = done["reply"]
    if done.get("pending_confirmation"):
        reply = re.sub(r"(^|\n\n)Please confirm: [\s\S]*$", "", reply)  # the confirmation panel says it
    if tables:  # the table carries the rows the reply lists
        reply = "\n".join(line for line in reply.splitlines() if not LIST_LINE.match(line))
    console.print(badge(done["agent"]))
    for step in steps:
        console.print(step_line(step))
    if reply.strip():
        console.print(Markdown(reply.strip()))
    for table in tables:
        console.print(table)


def confirmation_panel(pending: dict[str, Any]) -> Panel:
    """What will happen if the person says yes."""
    args = Table.grid(padding=(0, 2))
    for key, value in (pending.get("args") or {}).items():
        args.add_row(Text(human(key), style="dim"), cell(value))
    body = Group(Text(human(pending["name"]), style="bold"), args, Text("Nothing changes unless you confirm.", "dim"))
    return Panel(body, title="Please confirm", border_style="yellow", expand=False)
