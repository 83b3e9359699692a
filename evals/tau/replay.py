"""Replay each task's gold actions through our tools, each task on a fresh copy of the imported benchmark
database, and judge the outcome of every call and the final state against the benchmark's expectation."""

import asyncio
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import make_engine, make_sessionmaker
from db.models import Customer
from evals.clock import on_eval_day
from evals.runner import build_template, fingerprint, sqlite_url
from evals.tau.calculator import CalculationError
from evals.tau.canonical import Difference
from evals.tau.data import TauData
from evals.tau.divergences import DIVERGENCES, Divergence
from evals.tau.expectation import Expectation, Observed, ObservedCall, compare, expectation
from evals.tau.mapping import TAU_TOOLS
from evals.tau.state import read_state
from tools.context import Principal
from tools.errors import DomainError
from tools.principals import principal_of_customer
from tools.registry import load_all
from tools.runner import execute

PASS, DIVERGENCE, FAIL = "pass", "known divergence", "fail"


@dataclass
class TaskReplay:
    """One task's verdict: pass, known divergence or fail, with the differences and each call's outcome."""

    task_id: str
    user: str | None
    outcome: str
    differences: list[Difference]
    calls: list[ObservedCall]
    divergence: Divergence | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form: differences as text, the divergence by name and reason, calls without results."""
        return {
            "task_id": self.task_id, "user": self.user, "outcome": self.outcome, "seconds": round(self.seconds, 3),
            "differences": [str(d) for d in self.differences],
            "divergence": {"name": self.divergence.name, "reason": self.divergence.reason,
                           "fields": list(self.divergence.fields)} if self.divergence else None,
            "calls": [{k: v for k, v in asdict(call).items() if k != "result"} for call in self.calls],
        }


@dataclass
class ReplaySummary:
    """All verdicts of a replay run, with the time taken."""

    results: list[TaskReplay] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> Counter:
        """Tasks per outcome."""
        return Counter(r.outcome for r in self.results)

    def line(self) -> str:
        """'N/114 tasks match; K known divergences; F failures'."""
        c = self.counts
        return (f"{c[PASS]}/{len(self.results)} tasks match; {c[DIVERGENCE]} known divergences; "
                f"{c[FAIL]} failures")


def classify(task_id: str, expected: Expectation, observed: Observed, data: TauData) -> TaskReplay:
    """Pass when nothing differs; a known divergence when the table explains every difference; else fail."""
    raw = compare(expected, observed)
    entry = DIVERGENCES.get(task_id)
    verdict = TaskReplay(task_id, expected.user, PASS, raw, observed.calls, entry)
    if entry is None:
        verdict.outcome = FAIL if raw else PASS
    elif not raw:
        verdict.outcome = FAIL
        verdict.differences = [Difference("divergence table", entry.name, "not observed: ours matches upstream")]
    else:
        corrected = compare(entry.correct(expected, data), observed)
        problems = corrected + [d for d in raw if not entry.covers(d) and d not in corrected]
        verdict.outcome = FAIL if problems else DIVERGENCE
        verdict.differences = problems or raw
    return verdict


def tau_builder(db_json: Path) -> Callable[[str], None]:
    """A template builder: migrate an empty database and import db.json into it (`shopcrew seed --from-tau`)."""

    def build(url: str) -> None:
        from db.migrate import upgrade
        from db.seed.run import seed_database

        upgrade(url)
        seed_database(url, tau_path=db_json)

    return build


async def run_call(sessions: async_sessionmaker[AsyncSession], customer: Principal | None, database: Path,
                   action: dict[str, Any]) -> ObservedCall:
    """One gold call through our tool (or the local stand-in), in its own transaction."""
    tool = TAU_TOOLS[action["name"]]
    observed = ObservedCall(tool.name, tool.ours or "(local)", ok=True)
    # A call the benchmark expects to fail must leave the database as it was: fingerprint around it.
    before = None if action["ok"] else await asyncio.to_thread(fingerprint, database)
    try:
        if tool.local:
            observed.result = tool.local(action["arguments"])
        else:
            out = await execute(sessions, tool.principal(customer), tool.ours, tool.arguments(action["arguments"]))
            observed.result = tool.shape(out) if tool.shape else None
    except (DomainError, CalculationError) as exc:
        observed.ok, observed.error = False, f"{getattr(exc, 'code', 'invalid_input')}: {exc}"
        if before is not None:
            observed.wrote = before != await asyncio.to_thread(fingerprint, database)
    return observed


async def replay_task(template: Path, workdir: Path, data: TauData, task_id: str) -> TaskReplay:
    """Replay one task on its own copy of the template and judge it."""
    started = time.perf_counter()
    expected = expectation(data, task_id)
    database = workdir / f"task-{task_id}.db"
    shutil.copy(template, database)
    engine = make_engine(sqlite_url(database))
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session:
            row = await session.get(Customer, expected.user) if expected.user else None
        customer = principal_of_customer(row) if row else None
        observed = Observed([await run_call(sessions, customer, database, a) for a in data.gold(task_id)])
        state = await read_state(sessions, list(expected.orders), list(expected.users))
        observed.orders, observed.users = state["orders"], state["users"]
    finally:
        await engine.dispose()
        for path in workdir.glob(f"task-{task_id}.db*"):
            path.unlink()
    verdict = classify(task_id, expected, observed, data)
    verdict.seconds = time.perf_counter() - started
    return verdict


async def replay_tasks(data: TauData, task_ids: list[str],
                       on_task: Callable[[TaskReplay], None] | None = None) -> ReplaySummary:
    """Build the template once from db.json, then replay the tasks one after another, on the eval day (the template
    is seeded on it)."""
    started = time.perf_counter()
    load_all()
    summary = ReplaySummary()
    with tempfile.TemporaryDirectory(prefix="tau-replay-") as tmp, on_eval_day():
        workdir = Path(tmp)
        template = await asyncio.to_thread(build_template, workdir / "template.db", tau_builder(data.root / "db.json"))
        for task_id in task_ids:
            summary.results.append(await replay_task(template, workdir, data, task_id))
            if on_task:
                on_task(summary.results[-1])
    summary.seconds = time.perf_counter() - started
    return summary
