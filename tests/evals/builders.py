"""Hand-built cases and trajectories for testing the checks, metrics and reports without running a crew."""

from pathlib import Path
from typing import Any

from evals.checks import ToolFlags, Verdict, grade
from evals.dataset import Case
from evals.runner import RunResult
from evals.trajectory import Observation, Trial, Turn

TOOLS = {
    "get_order_details": ToolFlags(),
    "get_customer_details": ToolFlags(),
    "cancel_pending_order": ToolFlags(mutates=True, confirm=True),
    "add_order_note": ToolFlags(mutates=True),
}


def case(**fields: Any) -> Case:
    """A valid case with defaults for whatever the test does not care about."""
    return Case.model_validate({"id": "c1", "principal": "customer:ava@example.com", "turns": ["hi"], **fields})


def call(name: str, ok: bool = True, **args: Any) -> dict[str, Any]:
    """A tool call as TurnResult records it."""
    return {"name": name, "args": args, "ok": ok}


def turn(text: str, reply: str = "Done.", agent: str = "order", calls=(), pending: str | None = None,
         latency_ms: int = 100) -> Turn:
    """One turn; `pending` names a tool now waiting for confirmation."""
    return Turn(text=text, reply=reply, agent=agent, tool_calls=list(calls), latency_ms=latency_ms,
                pending_confirmation={"name": pending, "args": {}, "description": ""} if pending else None,
                model_calls=2, prompt_tokens=100, completion_tokens=10)


def trial(*turns: Turn, case_id: str = "c1", index: int = 0, **fields: Any) -> Trial:
    """A trial made of the given turns."""
    return Trial(case_id=case_id, trial=index, turns=list(turns), **fields)


def observed(tool: str, result: Any = None, error: str | None = None) -> Observation:
    """A state-check observation."""
    return Observation(tool, {}, result=result, error=error)


def graded(c: Case, t: Trial) -> tuple[Trial, Verdict]:
    """A trial with its verdict."""
    return t, grade(c, t, TOOLS)


def run_result(outcomes: dict[str, list[bool]], agent: str = "order", latency: dict[str, int] | None = None
               ) -> RunResult:
    """A run where each case id passes or fails (by reply check) per trial as listed."""
    cases, pairs = [], []
    for case_id, results in outcomes.items():
        c = case(id=case_id, expect={"agent": agent, "reply_contains": ["done"],
                                     "tool_calls": [{"name": "get_order_details"}]}, tags=["t"])
        cases.append(c)
        for index, ok in enumerate(results):
            ms = (latency or {}).get(case_id, 100)
            t = trial(turn("hi", reply="Done." if ok else "Sorry.", calls=[call("get_order_details")], latency_ms=ms),
                      case_id=case_id, index=index)
            pairs.append(graded(c, t))
    return RunResult(cases, pairs, template=Path("template.db"), seconds=1.0)
