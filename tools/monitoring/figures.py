"""Figures over a time window: tool-call performance and agent health, computed from the stored rows."""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RunOutcome
from db.models import AgentRun, ToolCall
from tools.config.catalogue import declare
from tools.config.service import value

WINDOWS: dict[str, timedelta] = {
    "1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30),
}
# The same windows as people say them ("this week", "the last 30 days").
ALIASES = {"hour": "1h", "1 hour": "1h", "day": "24h", "today": "24h", "24 hours": "24h", "week": "7d",
           "7 days": "7d", "month": "30d", "30 days": "30d"}
Window = Annotated[
    Literal["1h", "24h", "7d", "30d", "hour", "1 hour", "day", "today", "24 hours", "week", "7 days", "month",
            "30 days"],
    AfterValidator(lambda value: ALIASES.get(value, value)),
]
# A turn that did not finish: the model endpoint or the crew failed, or it stopped at its limits.
ERROR_OUTCOMES = frozenset({RunOutcome.ERROR, RunOutcome.LIMIT_REACHED})

MIN_RUNS = declare(
    "monitoring.errors_min_runs", "number", 5,
    "Runs an agent needs in the window before it can count as showing errors.", minimum=1, maximum=100_000,
    integer=True,
)
ERROR_RATE = declare(
    "monitoring.errors_rate_percent", "number", 20,
    "An agent shows errors when more than this share (%) of its runs in the window ended in error or at a limit.",
    minimum=0, maximum=100,
)


def window_start(now: datetime, window: str) -> datetime:
    """The start of the window that ends now."""
    return now - WINDOWS[window]


def percent(part: int, whole: int) -> Decimal:
    """part / whole in percent, one decimal (0 when whole is 0)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def nearest_rank(values: list[int], pct: int) -> int | None:
    """The pct-th percentile by the nearest-rank method (the value at rank ceil(pct/100 x n)); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct * len(ordered) / 100) - 1)]


@dataclass
class CallFigures:
    """Calls, errors and latencies of one tool, one agent, or all of them."""

    calls: int = 0
    errors: int = 0
    latencies: list[int] = field(default_factory=list)

    def add(self, ok: bool, latency_ms: int) -> None:
        """Count one call."""
        self.calls += 1
        self.errors += 0 if ok else 1
        self.latencies.append(latency_ms)


async def call_figures(
    session: AsyncSession, since: datetime, *, agent: str | None = None, tool: str | None = None,
) -> tuple[CallFigures, dict[str, CallFigures], dict[tuple[str, str], CallFigures]]:
    """Tool calls since the moment: overall, per agent and per (agent, tool)."""
    stmt = select(ToolCall.agent, ToolCall.tool, ToolCall.ok, ToolCall.latency_ms).where(ToolCall.created_at >= since)
    if agent:
        stmt = stmt.where(ToolCall.agent == agent)
    if tool:
        stmt = stmt.where(ToolCall.tool == tool)
    overall, by_agent, by_tool = CallFigures(), defaultdict(CallFigures), defaultdict(CallFigures)
    for row_agent, row_tool, ok, latency in await session.execute(stmt):
        for figures in (overall, by_agent[row_agent], by_tool[(row_agent, row_tool)]):
            figures.add(ok, latency)
    return overall, dict(by_agent), dict(by_tool)


@dataclass
class RunFigures:
    """One agent's chat turns in the window."""

    agent: str
    outcomes: dict[str, int] = field(default_factory=dict)
    latencies: list[int] = field(default_factory=list)
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: int = 0
    last_run_at: datetime | None = None

    @property
    def runs(self) -> int:
        """How many turns the agent answered."""
        return sum(self.outcomes.values())

    @property
    def errors(self) -> int:
        """Turns that ended in error or at a limit."""
        return sum(n for outcome, n in self.outcomes.items() if outcome in ERROR_OUTCOMES)

    def add(self, run: AgentRun) -> None:
        """Count one run record."""
        self.outcomes[str(run.outcome)] = self.outcomes.get(str(run.outcome), 0) + 1
        self.latencies.append(run.latency_ms)
        self.model_calls += run.model_calls
        self.prompt_tokens += run.prompt_tokens
        self.completion_tokens += run.completion_tokens
        self.tool_calls += len(run.tool_calls or [])
        if self.last_run_at is None or run.created_at > self.last_run_at:
            self.last_run_at = run.created_at


async def run_figures(session: AsyncSession, since: datetime, agent: str | None = None) -> list[RunFigures]:
    """Every agent's run records since the moment, by agent name."""
    stmt = select(AgentRun).where(AgentRun.created_at >= since)
    if agent:
        stmt = stmt.where(AgentRun.agent == agent)
    by_agent: dict[str, RunFigures] = {}
    for run in (await session.execute(stmt)).scalars():
        by_agent.setdefault(run.agent, RunFigures(run.agent)).add(run)
    return [by_agent[name] for name in sorted(by_agent)]


@dataclass(frozen=True)
class ErrorRule:
    """When an agent shows errors: at least `min_runs` runs, and more than `rate` % of them errors."""

    min_runs: int
    rate: Decimal

    def judged(self, figures: RunFigures) -> bool:
        """True when the agent has enough runs to be judged."""
        return figures.runs >= self.min_runs

    def shows_errors(self, figures: RunFigures) -> bool:
        """True when the agent is judged and its share of error runs is strictly above the rate."""
        return self.judged(figures) and Decimal(figures.errors) * 100 > self.rate * figures.runs


async def error_rule(session: AsyncSession) -> ErrorRule:
    """The rule as currently configured."""
    return ErrorRule(int(await value(session, MIN_RUNS)), Decimal(str(await value(session, ERROR_RATE))))


def failing(rule: ErrorRule, agents: Iterable[RunFigures]) -> tuple[list[str], list[str]]:
    """(agents judged, agents showing errors) by name."""
    judged = [a for a in agents if rule.judged(a)]
    return [a.agent for a in judged], [a.agent for a in judged if rule.shows_errors(a)]
