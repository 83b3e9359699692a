"""The dataset oracle: every case's expectation checked against the registry and the seeded demo shop.

A case can only measure the crew when what it expects is true of the data: the tool exists and the
principal may call it, the orders, SKUs and inspections it names exist and are in the state it assumes,
its arguments fit the tool's schema, and its state checks are reachable. The oracle proves that without
any model: it runs the case's own expected calls (when fully given) as the principal on a copy of the
shop and then its state checks, exactly as the harness will judge the crew.
"""

import json
import re
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.roster import ROSTER
from db.engine import make_engine, make_sessionmaker
from evals.checks import state_reasons
from evals.clock import on_eval_day
from evals.dataset import Case
from evals.runner import HARNESS, KNOWLEDGE_DIR, MARKETPLACE_DIR, fingerprint, observe, sqlite_url
from evals.trajectory import Observation
from graph.confirm import read_answer
from knowledge.chroma_embedding import embedding_function_for
from knowledge.generate import answer_model_for
from shopcrew.settings import Settings
from tools.context import Principal
from tools.errors import DomainError
from tools.knowledge.service import use_store
from tools.marketplace.runtime import use_marketplace
from tools.principals import principal_for_label
from tools.registry import ToolRegistry, ToolSpec, load_all
from tools.runner import execute

# References people write that must exist in the demo shop (table, column, pattern).
REFERENCES = [
    ("order", "orders", "id", re.compile(r"#?\bW\d{7}\b")),
    ("SKU", "product_variants", "sku", re.compile(r"\b[A-Z]{2}-[A-Z]+-\d{2}\b")),
    ("inspection", "quality_inspections", "inspection_number", re.compile(r"\bQI-[A-Z0-9]{8}\b")),
]
# Cases with this tag ask about another customer's data on purpose: the orders they name must not be theirs.
# Other cases may name another customer's order only when they expect a refusal.
OTHER_CUSTOMER_TAG = "other-customer"
# Facts in a reply (amounts, ids, counts) must come from the data; wording is the crew's own.
DATA_LIKE = re.compile(r"\d")


@dataclass
class Finding:
    """One problem of one case: an error proves the case wrong about the data; a note is worth a look."""

    case_id: str
    level: str
    message: str


@dataclass
class VerifyResult:
    """Every finding over a dataset, and how many cases were checked by running their calls."""

    cases: int
    executed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    def as_json(self) -> dict[str, Any]:
        return {"cases": self.cases, "executed": self.executed, "errors": len(self.errors),
                "notes": len(self.findings) - len(self.errors),
                "findings": [f.__dict__ for f in self.findings]}


def schema_problems(spec: ToolSpec, args: dict[str, Any], partial: bool) -> list[str]:
    """Validation problems of the arguments; with `partial`, fields left out are not problems."""
    try:
        spec.input_model.model_validate(args)
    except ValidationError as exc:
        # Left-out fields show as missing, or fail a whole-model rule (loc ()) that needs them together.
        errors = [e for e in exc.errors() if not (partial and (e["type"] == "missing" or not e["loc"]))]
        return [f"{'.'.join(map(str, e['loc'])) or 'args'}: {e['msg']}" for e in errors]
    return []


def fully_given(spec: ToolSpec, args: dict[str, Any]) -> bool:
    """Whether the arguments validate as they stand, so the call can be run."""
    return not schema_problems(spec, args, partial=False)


def static_findings(case: Case, registry: ToolRegistry) -> list[str]:
    """Problems visible without the data: unknown agent, arguments that do not fit the schema."""
    problems = []
    if case.expect.agent is not None and case.expect.agent not in {spec.name for spec in ROSTER}:
        problems.append(f"expect.agent: {case.expect.agent!r} is not one of the sixteen agents")
    for where, calls, partial in (("setup", case.setup, False), ("expect.tool_calls", case.expect.tool_calls or [],
                                                                  True)):
        for i, call in enumerate(calls):
            problems += [f"{where}.{i} ({call.name}): {p}"
                         for p in schema_problems(registry.get(call.name), call.args, partial)]
    for i, check in enumerate(case.expect.state):
        problems += [f"expect.state.{i} ({check.tool}): {p}"
                     for p in schema_problems(registry.get(check.tool), check.args, partial=False)]
    # A write that asks for confirmation happens only after a yes: a case expecting its change in one breath
    # expects the crew to break the shop's rule.
    changes = case.expect.state and not case.expect.refuse and case.expect.writes is not False
    if changes and not any(read_answer(turn) == "yes" for turn in case.turns[1:]):
        problems += [f"expect.tool_calls.{i} ({call.name}): the tool asks for confirmation, but no turn says yes"
                     for i, call in enumerate(case.expect.tool_calls or []) if registry.get(call.name).confirm]
    return problems


def mentioned(case: Case) -> str:
    """Everything the case writes: turns and argument values, where references appear."""
    values = [call.args for call in [*case.setup, *(case.expect.tool_calls or [])]]
    return "\n".join([*case.turns, json.dumps(values)])


def reference_findings(case: Case, conn: sqlite3.Connection, principal: Principal) -> list[str]:
    """Orders, SKUs and inspections the case names that the shop lacks, or orders owned by the wrong person."""
    problems, text = [], mentioned(case)
    for label, table, column, pattern in REFERENCES:
        for raw in sorted(set(pattern.findall(text))):
            value = "#" + raw.lstrip("#") if label == "order" else raw
            row = conn.execute(f'SELECT * FROM "{table}" WHERE "{column}" = ?', (value,)).fetchone()
            if row is None:
                problems.append(f"{label} {value} does not exist in the demo shop")
            elif label == "order" and principal.is_customer:
                owner = conn.execute("SELECT customer_id FROM orders WHERE id = ?", (value,)).fetchone()[0]
                foreign = OTHER_CUSTOMER_TAG in case.tags
                if owner != principal.subject and not (foreign or case.expect.refuse):
                    problems.append(f"order {value} belongs to {owner}, but the case is about the principal's own")
                elif owner == principal.subject and foreign:
                    problems.append(f"order {value} is the principal's own, but the case tries another customer's")
    return problems


def role_findings(case: Case, principal: Principal, registry: ToolRegistry) -> list[str]:
    """Expected calls the principal's role may not make (fine only when the case expects a refusal)."""
    if case.expect.refuse:
        return []
    calls = enumerate(case.expect.tool_calls or [])
    return [f"expect.tool_calls.{i}: {call.name} is not open to the {principal.role} role"
            for i, call in calls if not registry.get(call.name).allows(principal.role)]


def normalised(text: str) -> str:
    """Case, underscores, thousands commas and trailing decimal zeros aside (JSON writes 4.6 for 4.60)."""
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text.casefold().replace("_", " "))
    return re.sub(r"(\d+\.\d*?)0+\b", r"\1", text).replace(".\n", "\n")


@dataclass
class Played:
    """What running a case's expected calls on the shop gave: results and errors as text, state before and after."""

    ran: bool
    outcomes: list[tuple[str, DomainError | None]]
    before: list[Observation]
    after: list[Observation]
    said: str
    written: list[str]


async def play(case: Case, shop: Path, sessions: async_sessionmaker[AsyncSession], principal: Principal,
               registry: ToolRegistry) -> Played:
    """Setup, state before, the expected calls as the principal (when all are fully given), state after."""
    for call in case.setup:
        await execute(sessions, HARNESS, call.name, call.args)
    before = [await observe(sessions, check) for check in case.expect.state]
    digest = fingerprint(shop)
    calls = case.expect.tool_calls or []
    # A case where the person says no expects its write never to run, so running it proves nothing.
    declined = any(read_answer(turn) == "no" for turn in case.turns[1:])
    ran = bool(calls) and not declined and all(fully_given(registry.get(c.name), c.args) for c in calls)
    outcomes, said = [], []
    for call in calls if ran else []:
        try:
            result = await execute(sessions, principal, call.name, call.args)
        except DomainError as exc:
            outcomes.append((call.name, exc))
            said.append(exc.message)
        else:
            outcomes.append((call.name, None))
            said.append(result.model_dump_json())
    after_digest = fingerprint(shop)
    written = sorted(t for t in digest.keys() | after_digest.keys() if digest.get(t) != after_digest.get(t))
    after = [await observe(sessions, check) for check in case.expect.state]
    return Played(ran, outcomes, before, after, normalised("\n".join(said)), written)


def outcome_findings(case: Case, played: Played, registry: ToolRegistry) -> list[Finding]:
    """Judge what the expected calls did against what the case claims.

    A call given only in part (the crew fills in the rest) proves nothing when it fails on a missing value;
    a case that says no, or expects no write (`writes: false`), may expect its call to fail.
    """
    found: list[Finding] = []
    add = lambda level, message: found.append(Finding(case.id, level, message))  # noqa: E731
    calls = case.expect.tool_calls or []
    no_change = case.expect.refuse or case.expect.writes is False or not any(registry.get(c.name).mutates
                                                                               for c in calls)
    proved = played.ran and not any(exc is not None and exc.code == "invalid_input" for _, exc in played.outcomes)
    for name, exc in played.outcomes if proved else []:
        if exc is not None and not case.expect.refuse and case.expect.writes is not False:
            add("error", f"expected call {name} fails on the demo shop: {exc.code}: {exc.message}")
        if exc is None and case.expect.refuse and registry.get(name).mutates:
            add("error", f"expected call {name} succeeds on the demo shop, but the case expects a refusal")
    # The harness fails a case that writes when it expects no write, so the expected calls must not write then.
    if proved and played.written and (case.expect.refuse or case.expect.writes is False):
        add("error", f"the expected calls write to {', '.join(played.written)}, but the case expects no write")
    # A refusal, a "no" or a read must leave the state checks true as seeded; a write must make them true.
    if no_change:
        found += [Finding(case.id, "error", f"as seeded: {r.removeprefix('state: ')}")
                  for r in state_reasons(case.expect.state, played.before)]
    else:
        if proved:
            found += [Finding(case.id, "error", f"after the expected calls: {r.removeprefix('state: ')}")
                      for r in state_reasons(case.expect.state, played.after)]
        if case.expect.state and not state_reasons(case.expect.state, played.before):
            add("note", "the state checks already hold as seeded, so they cannot tell that a write happened")
    if proved and not case.expect.refuse and not any(exc for _, exc in played.outcomes):
        for phrase in case.expect.reply_contains:
            if DATA_LIKE.search(phrase) and normalised(phrase).rstrip(".") not in played.said:
                add("note", f"reply phrase {phrase!r} is not in the expected calls' results")
    return found


class Oracle:
    """Checks cases against a prebuilt demo template (with its knowledge index and marketplace feed beside it)."""

    def __init__(self, template: Path, workdir: Path, settings: Settings | None = None):
        self.template = template
        self.workdir = workdir
        self.settings = settings or Settings()
        self.registry = load_all()

    async def verify(self, cases: Iterable[Case]) -> VerifyResult:
        """Every case checked on the eval day; findings name the case and the problem."""
        cases = list(cases)
        result = VerifyResult(cases=len(cases))
        with on_eval_day(), closing(sqlite3.connect(f"file:{self.template}?mode=ro", uri=True)) as conn:
            for number, case in enumerate(cases):
                found, ran = await self._case(case, conn, self.workdir / f"case-{number}")
                result.findings += found
                result.executed += ran
        return result

    async def _case(self, case: Case, conn: sqlite3.Connection, folder: Path) -> tuple[list[Finding], bool]:
        static = static_findings(case, self.registry)
        if static:
            return [Finding(case.id, "error", p) for p in static], False
        # Only a case that may write needs its own knowledge index; reads share the template's.
        writes = bool(case.setup) or any(self.registry.get(c.name).mutates for c in case.expect.tool_calls or [])
        index = folder / KNOWLEDGE_DIR if writes else self.template.parent / KNOWLEDGE_DIR
        shop = self._copy(folder, with_index=writes)
        engine = make_engine(sqlite_url(shop))
        try:
            sessions = make_sessionmaker(engine)
            async with sessions() as session:
                try:
                    principal = await principal_for_label(session, case.principal)
                except DomainError as exc:
                    return [Finding(case.id, "error", f"principal: {exc.message}")], False
            problems = reference_findings(case, conn, principal) + role_findings(case, principal, self.registry)
            found = [Finding(case.id, "error", p) for p in problems]
            with (use_store(index, embedding_function_for(self.settings),
                            answer_model_for(self.settings)),
                  use_marketplace(folder / MARKETPLACE_DIR, self.settings.marketplace_secret_key)):
                try:
                    played = await play(case, shop, sessions, principal, self.registry)
                except DomainError as exc:
                    failed = Finding(case.id, "error", f"setup fails on the demo shop: {exc.code}: {exc}")
                    return [*found, failed], False
            return found + outcome_findings(case, played, self.registry), played.ran
        finally:
            await engine.dispose()
            shutil.rmtree(folder, ignore_errors=True)

    def _copy(self, folder: Path, with_index: bool) -> Path:
        """A private copy of the shop and its marketplace feed (and its knowledge index) for one case."""
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.template, folder / "shop.db")
        for name in (KNOWLEDGE_DIR, MARKETPLACE_DIR) if with_index else (MARKETPLACE_DIR,):
            if (source := self.template.parent / name).is_dir():
                shutil.copytree(source, folder / name, dirs_exist_ok=True)
        return folder / "shop.db"

