"""Run cases through the real crew, each trial on its own copy of a template demo database."""

import asyncio
import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import make_engine, make_sessionmaker
from db.enums import Role
from evals.checks import ToolFlags, ToolTable, Verdict, grade
from evals.clock import on_eval_day
from evals.dataset import Case, StateCheck
from evals.trajectory import Observation, Trial, Turn
from graph.crew import Crew
from knowledge.chroma_embedding import embedding_function_for
from knowledge.generate import answer_model_for
from knowledge.store import KnowledgeStore
from shopcrew.settings import Settings
from tools.backoffice.seed import seed_demo_report
from tools.context import Principal
from tools.errors import DomainError
from tools.knowledge.ingest import reindex, seed_knowledge
from tools.knowledge.service import use_store
from tools.marketplace.runtime import use_marketplace
from tools.principals import principal_for_label
from tools.registry import load_all
from tools.runner import execute

# Setup calls and state checks run as this admin; no user row is needed (tools read only the principal).
HARNESS = Principal(role=Role.ADMIN, subject="evals", display="evals")
# Per-turn run records and per-call tool-call records are written by every turn and every tool call, so they
# never count as the crew writing something; metric_samples are derived figures that reads recompute and store.
NOT_STATE = {"agent_runs", "tool_calls", "alembic_version", "metric_samples"}
# The knowledge index lives in this folder beside the template and beside each trial's copy (as in Settings).
KNOWLEDGE_DIR = "chroma"
# So do the sandbox marketplace feeds (Settings.marketplace_dir).
MARKETPLACE_DIR = "marketplace"

TemplateBuilder = Callable[[str], None]
ModelFactory = Callable[[Case], BaseChatModel]
OnTrial = Callable[[Trial, Verdict], None]


def demo_template(url: str) -> None:
    """Migrate an empty database and fill it with the deterministic demo shop (`shopcrew seed`).

    The sandbox marketplace feed goes beside the database file, where every trial copies it from.
    """
    from db.migrate import upgrade
    from db.seed.marketplace import write_feeds
    from db.seed.run import seed_database

    upgrade(url)
    result = seed_database(url)
    write_feeds(Path(make_url(url).database).parent / MARKETPLACE_DIR, result.feeds)
    seed_demo_report(url)
    seed_knowledge(url, None)  # the policy corpus as published articles; run_cases indexes them once


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path.resolve()}"


def build_template(path: Path, build: TemplateBuilder = demo_template) -> Path:
    """Build a template database file once, folded out of WAL so a plain file copy holds all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    with on_eval_day():
        build(sqlite_url(path))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def index_knowledge(template: Path, settings: Settings) -> Path:
    """Index the template's published knowledge articles once, beside it; every trial copies the folder."""
    folder = template.parent / KNOWLEDGE_DIR
    shutil.rmtree(folder, ignore_errors=True)
    store = KnowledgeStore(folder, embedding_function_for(settings))
    try:
        reindex(sqlite_url(template), store)
    finally:
        store.close()
    return folder


def copy_template(source: Path, path: Path) -> Path:
    """Copy a prebuilt template through SQLite's backup API, which also picks up an unmerged WAL."""
    if source.resolve() == path.resolve():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    return path


def fingerprint(path: Path) -> dict[str, str]:
    """A digest of every row of every state table, to tell whether a conversation wrote anything."""
    digests = {}
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in sorted(set(tables) - NOT_STATE):
            if table.startswith("sqlite_"):
                continue
            digest = hashlib.blake2b(digest_size=16)
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()
    return digests


def foreign_identifiers(path: Path, principal: Principal) -> frozenset[str]:
    """Other customers' ids, emails and order numbers (lowercase, without '#'); empty for staff."""
    if not principal.is_customer:
        return frozenset()
    with closing(sqlite3.connect(path)) as conn:
        people = conn.execute("SELECT id, email FROM customers WHERE id != ?", (principal.subject,)).fetchall()
        orders = conn.execute("SELECT id FROM orders WHERE customer_id != ?", (principal.subject,)).fetchall()
    names = {value for row in people for value in row if value} | {row[0].lstrip("#") for row in orders}
    return frozenset(name.casefold() for name in names)


def tool_table() -> ToolTable:
    """Policy-relevant flags of every registered tool."""
    return {spec.name: ToolFlags(mutates=spec.mutates, confirm=spec.confirm) for spec in load_all().all()}


async def observe(sessions: async_sessionmaker[AsyncSession], check: StateCheck) -> Observation:
    """Run one state-check tool call as the harness admin and keep its JSON result or error code."""
    try:
        result = await execute(sessions, HARNESS, check.tool, check.args)
    except DomainError as exc:
        return Observation(check.tool, check.args, error=exc.code)
    return Observation(check.tool, check.args, result=result.model_dump(mode="json"))


async def converse(crew: Crew, principal: Principal, text: str, thread_id: str) -> Turn:
    """One turn through the crew, noting the first specialist that acted from the progress events."""
    # A turn that stops at a confirmation has no specialist message in its result yet; its events do.
    first_agent, result = None, None
    async for event in crew.turn(principal, text, thread_id):
        if event["event"] == "done":
            result = event["result"]
        elif first_agent is None:
            first_agent = event.get("agent")
    return Turn.of(text, result, agent=first_agent)


@dataclass
class RunConfig:
    """How to run: output folder, trials per case, parallel jobs, base settings, template and model source."""

    out: Path
    settings: Settings = field(default_factory=Settings)
    trials: int = 1
    jobs: int = 2
    template: Path | None = None
    build: TemplateBuilder = demo_template
    model_factory: ModelFactory | None = None


@dataclass
class RunResult:
    """Every case's graded trials, with the template used and the wall-clock seconds."""

    cases: list[Case]
    graded: list[tuple[Trial, Verdict]]
    template: Path
    seconds: float


class Runner:
    """Runs trials of cases concurrently (at most `jobs` at once), each on a fresh database copy."""

    def __init__(self, config: RunConfig, template: Path, tools: ToolTable):
        self.config = config
        self.template = template
        self.tools = tools
        self.slots = asyncio.Semaphore(config.jobs)

    async def graded(self, case: Case, index: int, on_trial: OnTrial | None) -> tuple[Trial, Verdict]:
        """Run one trial when a slot is free, grade it and report it."""
        async with self.slots:
            trial = await self.trial(case, index)
        verdict = grade(case, trial, self.tools)
        if on_trial:
            on_trial(trial, verdict)
        return trial, verdict

    async def trial(self, case: Case, index: int) -> Trial:
        """One trial: copy the template, run setup, the turns and the state checks, then delete the copy."""
        # Hashed ids make safe, distinct folder names whatever characters a case id holds.
        workdir = self.config.out / "trials" / f"{hashlib.blake2s(case.id.encode(), digest_size=6).hexdigest()}-{index}"
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / "shop.db"
        shutil.copy(self.template, database)
        shutil.copytree(self.template.parent / KNOWLEDGE_DIR, workdir / KNOWLEDGE_DIR, dirs_exist_ok=True)
        if (feeds := self.template.parent / MARKETPLACE_DIR).is_dir():
            shutil.copytree(feeds, workdir / MARKETPLACE_DIR, dirs_exist_ok=True)
        engine = make_engine(sqlite_url(database))
        trial = Trial(case_id=case.id, trial=index)
        settings = self.config.settings
        try:
            # This trial's copy of the index, for its setup, turns and checks alone (trials run concurrently).
            index = workdir / KNOWLEDGE_DIR
            with (
                use_store(index, embedding_function_for(settings), answer_model_for(settings)),
                use_marketplace(workdir / MARKETPLACE_DIR, settings.marketplace_secret_key),
            ):
                await self._play(case, trial, database, make_sessionmaker(engine))
        except Exception as exc:  # a crash is a failed trial with its reason, never a stopped run
            trial.error = f"{type(exc).__name__}: {exc}"
        finally:
            await engine.dispose()
            shutil.rmtree(workdir, ignore_errors=True)
        return trial

    async def _play(self, case: Case, trial: Trial, database: Path, sessions) -> None:
        for number, call in enumerate(case.setup, start=1):
            try:
                await execute(sessions, HARNESS, call.name, call.args)
            except DomainError as exc:
                raise RuntimeError(f"setup call {number} ({call.name}) failed: {exc.code}: {exc}") from None
        async with sessions() as session:
            principal = await principal_for_label(session, case.principal)
        before = await asyncio.to_thread(fingerprint, database)
        # Local state (checkpoints, any search index) lives beside the copy too, so nothing carries over.
        settings = self.config.settings.model_copy(
            update={"database_url": sqlite_url(database), "data_dir": database.parent, "chroma_path": None}
        )
        model = self.config.model_factory(case) if self.config.model_factory else None
        async with Crew.open(settings, model=model, sessions=sessions) as crew:
            for text in case.turns:
                trial.turns.append(await converse(crew, principal, text, database.parent.name))
        after = await asyncio.to_thread(fingerprint, database)
        trial.changed_tables = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
        trial.state = [await observe(sessions, check) for check in case.expect.state]
        trial.foreign = await asyncio.to_thread(foreign_identifiers, database, principal)


async def run_cases(cases: list[Case], config: RunConfig, on_trial: OnTrial | None = None) -> RunResult:
    """Run every case `config.trials` times and grade each trial, on the eval day; builds the template first unless
    given."""
    with on_eval_day():
        return await _run_cases(cases, config, on_trial)


async def _run_cases(cases: list[Case], config: RunConfig, on_trial: OnTrial | None) -> RunResult:
    started = time.perf_counter()
    config.out.mkdir(parents=True, exist_ok=True)
    path = config.out / "template.db"
    if config.template:
        template = await asyncio.to_thread(copy_template, config.template, path)
        if (feeds := config.template.parent / MARKETPLACE_DIR).is_dir() and feeds != path.parent / MARKETPLACE_DIR:
            await asyncio.to_thread(shutil.copytree, feeds, path.parent / MARKETPLACE_DIR, dirs_exist_ok=True)
    else:
        template = await asyncio.to_thread(build_template, path, config.build)
    await asyncio.to_thread(index_knowledge, template, config.settings)
    runner = Runner(config, template, tool_table())
    jobs = [runner.graded(case, index, on_trial) for case in cases for index in range(config.trials)]
    graded = await asyncio.gather(*jobs)
    shutil.rmtree(config.out / "trials", ignore_errors=True)
    return RunResult(cases, list(graded), template, time.perf_counter() - started)
