"""A write's precondition, run before it asks for anything: read the record it names, then go on or say why not.

The registry declares, per write, which side-effect-free reading tool shows the record and which states let the
write go ahead (tool metadata `precondition`). The model reads the record once (or reuses a result the
conversation already holds) and, when the state forbids the write, answers from the write's `blocked` template
in prompts/replies at once instead of asking for slots the person would fill in vain.
"""

import json
import re
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from graph.models.local import templates
from graph.models.local.reply import action
from graph.models.local.text import humanize
from graph.models.local.toolview import Gate, ToolView


def _result(message: ToolMessage) -> dict[str, Any] | None:
    try:
        data = json.loads(str(message.text))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def same(a: Any, b: Any) -> bool:
    """Two references to one record ('#W1' and 'W1' name the same order)."""
    return str(a).lstrip("#").upper() == str(b).lstrip("#").upper()


def latest_state(gate: Gate, args: dict[str, Any], messages: list[BaseMessage], tools: list[ToolView]) -> dict | None:
    """The newest successful result showing the record the write names: the read itself, or another write over
    the same record (it returns the record as it now is), so a state changed in this conversation counts."""
    showing = {gate.read} | {t.name for t in tools if t.precondition and t.precondition.read == gate.read}
    calls = {c["id"]: c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    for message in reversed(messages):
        call = calls.get(message.tool_call_id) if isinstance(message, ToolMessage) else None
        if call is None or call["name"] not in showing:
            continue
        data = _result(message)
        if data is not None and all(same(call["args"].get(f), args[f]) for f in gate.given):
            return data
    return None


def blocked(gate: Gate, record: dict[str, Any]) -> bool:
    """True when the record's state is known and is not one the write may start from."""
    state = record.get(gate.state)
    return state is not None and str(state) not in gate.allowed


def refusal(tool: ToolView, record: dict[str, Any], args: dict[str, Any], replies: Path) -> str:
    """Why the write cannot go ahead, and what can be done instead: the write's `blocked` template, by state."""
    state = str(record[tool.precondition.state])
    sections = templates.load(replies, tool.name) or {}
    # "pending (item modified)" -> blocked:pending, "return requested" -> blocked:return_requested
    key = re.sub(r"\W+", "_", state.split(" (")[0].strip().lower())
    lines = sections.get(f"blocked:{key}") or sections.get("blocked")
    if lines and (text := templates.fill(lines, {**record, "args": args})):
        return text
    allowed = " or ".join(humanize(s).lower() for s in tool.precondition.allowed)
    return f"I can't {action(tool.description)} now: it is {humanize(state).lower()}, and only {allowed} ones can be."


def first_step(tool: ToolView, args: dict[str, Any], messages: list[BaseMessage], tools: list[ToolView],
               replies: Path) -> tuple[str | None, tuple[str, dict[str, Any]] | None]:
    """Before a write asks for its details: (a refusal, None) when the record's state forbids it, (None, the read
    to make) when its state is still unknown, (None, None) when it may go ahead or declares no precondition."""
    gate = tool.precondition
    if gate is None or not all(args.get(f) for f in gate.given):
        return None, None
    record = latest_state(gate, args, messages, tools)
    if record is None:
        if any(t.name == gate.read for t in tools):
            return None, (gate.read, {f: args[f] for f in gate.given})
        return None, None
    return (refusal(tool, record, args, replies), None) if blocked(gate, record) else (None, None)
