"""The event catalogue cannot drift: it lists exactly the topics the code emits, with their payload fields.

Topics come from two places: every `emit(ctx, "<topic>", key, payload)` call in our packages (read from the
source, so a topic is caught even when no test runs that code) and every StateMachine table
(`<entity>.<target>` for each target status). docs/events.md shows the catalogue and must match it.
"""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import tools
from tools.events.catalogue import TOPIC_PATTERN, TOPICS
from tools.events.docs import DOC, with_handlers, with_topics
from tools.transitions import MACHINE_TOPICS

ROOT = Path(__file__).parents[2]
PACKAGES = ("agents", "api", "db", "evals", "graph", "knowledge", "shopcrew", "tools")
# Its emit writes `<entity>.<target>`; those topics are read from the tables themselves.
TRANSITIONS = ROOT / "tools" / "transitions.py"


def topics_in(node: ast.expr, where: str) -> list[str]:
    """The topic(s) a topic argument can take: a string literal, or a conditional between literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return topics_in(node.body, where) + topics_in(node.orelse, where)
    raise AssertionError(f"{where}: write the topic out as a literal (or a conditional between literals), "
                         f"so the catalogue test can read it")


def emit_calls() -> list[tuple[str, ast.Call]]:
    """(file:line, call) of every `emit(...)` call in files that import tools.audit.emit."""
    calls = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == TRANSITIONS or "emit" not in (source := path.read_text()):
                continue
            tree = ast.parse(source)
            imports = any(isinstance(n, ast.ImportFrom) and n.module == "tools.audit"
                          and any(a.name == "emit" for a in n.names) for n in ast.walk(tree))
            calls += [(f"{path.relative_to(ROOT)}:{n.lineno}", n) for n in ast.walk(tree) if imports
                      and isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "emit"]
    return calls


def emitted_by_calls() -> dict[str, list[str]]:
    """Topic -> the places that emit it explicitly."""
    found: dict[str, list[str]] = {}
    for where, call in emit_calls():
        for topic in topics_in(call.args[1], where):
            found.setdefault(topic, []).append(where)
    return found


def emitted_by_machines() -> dict[str, list[str]]:
    """Topic -> the state machine tables that emit it (every tools module imported, so every table exists)."""
    for info in pkgutil.walk_packages(tools.__path__, "tools."):
        importlib.import_module(info.name)
    return {topic: [f"StateMachine({entity!r})"] for entity, topics in MACHINE_TOPICS.items() for topic in topics}


def test_every_emitted_topic_is_catalogued_and_every_catalogued_topic_is_emitted():
    emitted = {**emitted_by_calls(), **emitted_by_machines()}
    missing = {topic: places for topic, places in emitted.items() if topic not in TOPICS}
    assert not missing, f"add to tools/events/catalogue.py, then run python -m tools.events.docs: {missing}"
    stale = sorted(set(TOPICS) - set(emitted))
    assert not stale, f"nothing emits these catalogued topics any more; remove them: {stale}"


def test_topic_names_follow_the_scheme():
    assert [name for name in TOPICS if not re.match(TOPIC_PATTERN, name)] == []
    assert {t.aggregate for t in TOPICS.values()} >= {"order", "payment", "product", "customer", "stock"}


@pytest.mark.parametrize(("where", "call"), emit_calls(), ids=lambda v: v if isinstance(v, str) else "")
def test_literal_payloads_carry_the_catalogued_fields(where, call):
    payload = call.args[3] if len(call.args) > 3 else None
    if not isinstance(payload, ast.Dict) or not all(isinstance(k, ast.Constant) for k in payload.keys):
        pytest.skip("payload built elsewhere")
    fields = {k.value for k in payload.keys}
    for topic in topics_in(call.args[1], where):
        assert fields == set(TOPICS[topic].payload), f"{where}: {topic} payload fields differ from the catalogue"


def test_the_document_shows_the_catalogue():
    assert DOC.read_text() == with_topics(DOC.read_text()), "regenerate: python -m tools.events.docs"


def test_the_document_lists_every_handler():
    assert DOC.read_text() == with_handlers(DOC.read_text()), "regenerate: python -m tools.events.docs"
