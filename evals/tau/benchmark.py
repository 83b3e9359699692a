"""Benchmark mode: the retail tasks played as the benchmark plays them. A model plays the customer from each
task's scenario, our crew serves them as that customer, and each trial is scored by the final state (the
replay's comparison) and by the required outputs; pass^k over trials."""

import asyncio
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from db.engine import make_engine, make_sessionmaker
from db.models import Customer
from evals.clock import on_eval_day
from evals.metrics import estimate
from evals.runner import build_template, sqlite_url
from evals.stats import pass_hat_k
from evals.tau.data import TauData
from evals.tau.divergences import DIVERGENCES
from evals.tau.expectation import compare_state, expectation
from evals.tau.replay import tau_builder
from evals.tau.simulator import GREETING, UserSimulator, stop_reason
from evals.tau.state import read_state
from graph.crew import Crew
from shopcrew.settings import Settings
from tools.context import Principal
from tools.principals import principal_of_customer

# An empty reply would be an empty message to the simulator's endpoint, which some servers refuse.
NO_REPLY = "(no reply)"


@dataclass
class BenchmarkConfig:
    """Output folder, crew settings, trials, parallel jobs, turn limit, and where the two models come from."""

    out: Path
    user_model: Callable[[str], BaseChatModel]
    settings: Settings = field(default_factory=Settings)
    # None means the model the settings select (SHOPCREW_MODEL); tests pass scripted models per task.
    crew_model: Callable[[str], BaseChatModel | None] = lambda _task_id: None
    trials: int = 1
    jobs: int = 2
    max_turns: int = 30


@dataclass
class TauTrial:
    """One conversation: transcript, how it ended, and its score (state, outputs)."""

    task_id: str
    trial: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    end: str = "error"
    state_differences: list[str] = field(default_factory=list)
    missing_outputs: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        """The final state matches and every required output was said (and nothing crashed)."""
        return self.error is None and not self.state_differences and not self.missing_outputs

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, with the verdict."""
        return {**asdict(self), "success": self.success}


def missing_outputs(required: list[str], replies: list[str]) -> list[str]:
    """Required strings no reply contains, checked as the benchmark does (any case, commas dropped)."""
    said = [reply.lower().replace(",", "") for reply in replies]
    return [info for info in required if not any(info.lower() in reply for reply in said)]


async def converse(crew: Crew, principal: Principal, simulator: UserSimulator, thread_id: str,
                   max_turns: int) -> tuple[list[dict[str, Any]], str]:
    """Alternate customer and crew from the greeting until a stop token or the turn limit."""
    transcript: list[dict[str, Any]] = [{"role": "assistant", "text": GREETING}]
    said = GREETING
    for _ in range(max_turns):
        text = await simulator.answer(said)
        transcript.append({"role": "user", "text": text})
        if reason := stop_reason(text):
            return transcript, reason
        result = await crew.ask(principal, text, thread_id)
        said = result.reply or NO_REPLY
        transcript.append({"role": "assistant", "text": result.reply, "agent": result.agent,
                           "tool_calls": result.tool_calls, "outcome": str(result.outcome)})
    return transcript, "max_turns"


class Benchmark:
    """Runs trials of tasks concurrently (at most `jobs` at once), each on its own copy of the template."""

    def __init__(self, data: TauData, config: BenchmarkConfig, template: Path):
        self.data, self.config, self.template = data, config, template
        self.slots = asyncio.Semaphore(config.jobs)

    async def trial(self, task_id: str, index: int) -> TauTrial:
        """One conversation on a fresh database, then its score; a crash fails the trial with its reason."""
        async with self.slots:
            started, trial = time.perf_counter(), TauTrial(task_id, index)
            workdir = self.config.out / "trials" / f"{task_id}-{index}"
            workdir.mkdir(parents=True, exist_ok=True)
            database = workdir / "shop.db"
            shutil.copy(self.template, database)
            engine = make_engine(sqlite_url(database))
            try:
                await self._play(trial, database, make_sessionmaker(engine))
            except Exception as exc:  # a crash (endpoint down, bad reply) is a failed trial, never a stopped run
                trial.error = f"{type(exc).__name__}: {exc}"
            finally:
                await engine.dispose()
                shutil.rmtree(workdir, ignore_errors=True)
            trial.seconds = time.perf_counter() - started
            return trial

    async def _play(self, trial: TauTrial, database: Path, sessions) -> None:
        task_id = trial.task_id
        expected = expectation(self.data, task_id)
        if expected.user is None:
            raise ValueError(f"task {task_id} names no customer to serve")
        async with sessions() as session:
            principal = principal_of_customer(await session.get(Customer, expected.user))
        # One empty knowledge index for the whole run, outside the trial folders (the retail tasks never
        # consult it), so no trial reads the shop's real index or loses its own to a cleanup.
        settings = self.config.settings.model_copy(update={"database_url": sqlite_url(database),
                                                           "data_dir": database.parent,
                                                           "chroma_path": self.config.out / "chroma"})
        simulator = UserSimulator(self.config.user_model(task_id), self.data.tasks[task_id])
        async with Crew.open(settings, model=self.config.crew_model(task_id), sessions=sessions) as crew:
            trial.messages, trial.end = await converse(crew, principal, simulator, f"tau-{task_id}-{trial.trial}",
                                                       self.config.max_turns)
        # A correct implementation reaches the corrected state where we deliberately differ from upstream.
        if entry := DIVERGENCES.get(task_id):
            expected = entry.correct(expected, self.data)
        state = await read_state(sessions, list(expected.orders), list(expected.users))
        trial.state_differences = [str(d) for d in compare_state(expected, state["orders"], state["users"])]
        replies = [m["text"] for m in trial.messages[1:] if m["role"] == "assistant"]
        required = self.data.tasks[task_id]["evaluation_criteria"].get("communicate_info") or []
        trial.missing_outputs = missing_outputs(required, replies)


async def run_benchmark(data: TauData, task_ids: list[str], config: BenchmarkConfig,
                        on_trial: Callable[[TauTrial], None] | None = None) -> list[TauTrial]:
    """Build the template from db.json once, then run every task `config.trials` times, on the eval day (the
    template is seeded on it)."""
    config.out.mkdir(parents=True, exist_ok=True)
    template = await asyncio.to_thread(build_template, config.out / "template.db", tau_builder(data.root / "db.json"))
    bench = Benchmark(data, config, template)

    async def one(task_id: str, index: int) -> TauTrial:
        trial = await bench.trial(task_id, index)
        if on_trial:
            on_trial(trial)
        return trial

    with on_eval_day():
        trials = await asyncio.gather(*(one(t, i) for t in task_ids for i in range(config.trials)))
    shutil.rmtree(config.out / "trials", ignore_errors=True)
    return list(trials)


def summarize(trials: list[TauTrial]) -> dict[str, Any]:
    """pass^k for k = 1..trials with bootstrap intervals, the check rates, and how the trials ended."""
    by_task: dict[str, list[TauTrial]] = {}
    for trial in trials:
        by_task.setdefault(trial.task_id, []).append(trial)
    counts = [(len(ts), sum(t.success for t in ts)) for ts in by_task.values()]
    k_max = min((n for n, _ in counts), default=0)

    def share(hits: int) -> float | None:
        return round(hits / len(trials), 4) if trials else None

    return {
        "tasks": len(by_task),
        "trials": len(trials),
        "pass_hat_k": {str(k): estimate([pass_hat_k(n, c, k) for n, c in counts]) for k in range(1, k_max + 1)},
        "state_match": share(sum(not t.state_differences and t.error is None for t in trials)),
        "outputs_said": share(sum(not t.missing_outputs and t.error is None for t in trials)),
        "errors": sum(t.error is not None for t in trials),
        "ends": dict(Counter(t.end for t in trials)),
        "mean_user_turns": round(sum(sum(m["role"] == "user" for m in t.messages) for t in trials) / len(trials), 2)
        if trials else None,
    }
