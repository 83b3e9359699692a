"""Evaluation cases: one JSON object per line, validated into pydantic models with line-precise errors."""

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class Strict(BaseModel):
    """Unknown keys are errors, so a typo in a dataset never silently disables a check."""

    model_config = ConfigDict(extra="forbid")


class ToolCall(Strict):
    """A tool call run by the harness itself (setup) as staff admin."""

    name: str
    args: dict[str, Any] = {}


class ExpectedCall(ToolCall):
    """A tool call the crew should make; `subset` means the expected args must appear among the actual ones."""

    match: Literal["exact", "subset"] = "subset"


class StateCheck(Strict):
    """After the conversation, call `tool` as staff admin and compare fields of its result (dotted paths)."""

    tool: str
    args: dict[str, Any] = {}
    expect: dict[str, Any] = {}
    error: str | None = Field(None, description="Expected error code (e.g. not_found) instead of a result.")


class Expect(Strict):
    """What the right behaviour looks like."""

    agent: str | None = None
    tool_calls: list[ExpectedCall] | None = None
    state: list[StateCheck] = []
    reply_contains: list[str] = []
    reply_not_contains: list[str] = []
    refuse: bool = False
    writes: bool | None = Field(None, description="Override whether the case may write (default: inferred).")

    @field_validator("reply_contains", "reply_not_contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Case(Strict):
    """One evaluation case: who asks, what they say, and what must be true afterwards."""

    id: str = Field(min_length=1)
    principal: str = Field(pattern=r"^(customer|staff):\S+$")
    turns: list[str] = Field(min_length=1)
    setup: list[ToolCall] = []
    expect: Expect = Expect()
    tags: list[str] = []

    def tool_names(self) -> list[tuple[str, str]]:
        """(field path, tool name) of every tool the case names, for validation against the registry."""
        names = [(f"setup.{i}.name", c.name) for i, c in enumerate(self.setup)]
        names += [(f"expect.tool_calls.{i}.name", c.name) for i, c in enumerate(self.expect.tool_calls or [])]
        names += [(f"expect.state.{i}.tool", c.tool) for i, c in enumerate(self.expect.state)]
        return names


class DatasetError(ValueError):
    """A dataset line that is not a valid case; the message names the file, line and field."""


def parse_case(text: str, where: str) -> Case:
    """One JSON line as a Case, or a DatasetError naming `where` and the bad field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'case'}: {e['msg']}" for e in exc.errors())
        raise DatasetError(f"{where}: {problems}") from None


def load_cases(path: Path, tools: Collection[str] | None = None) -> list[Case]:
    """Every case of a JSONL file (blank lines skipped); with `tools`, unknown tool names are errors too."""
    cases: list[Case] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        case = parse_case(line, where)
        if case.id in first_line:
            raise DatasetError(f"{where}: id: {case.id!r} is already used on line {first_line[case.id]}")
        unknown = [(field, name) for field, name in case.tool_names() if tools is not None and name not in tools]
        if unknown:
            raise DatasetError(f"{where}: " + "; ".join(f"{f}: unknown tool {n!r}" for f, n in unknown))
        first_line[case.id] = number
        cases.append(case)
    if not cases:
        raise DatasetError(f"{path}: no cases")
    return cases
