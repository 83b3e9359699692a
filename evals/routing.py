"""Routing accuracy over a paraphrase set: the supervisor's first specialist against the tool's own agent."""

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from agents.roster import ROSTER
from db.enums import Role
from evals.paraphrase import Paraphrase
from graph.router import Handoffs, choose_agents
from tools.registry import load_all

# How many misrouted paraphrases the report lists, so it stays readable.
MISSES_SHOWN = 200


def _share(right: int, total: int) -> float:
    return round(right / total, 4) if total else 0.0


def _figures(tallies: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
    return {key: {"total": t, "correct": r, "accuracy": _share(r, t)} for key, (r, t) in sorted(tallies.items())}


def summarise(items: list[Paraphrase], chosen: list[str | None]) -> dict[str, Any]:
    """Accuracy overall, per agent, per edit and per source example, the confusion counts and the misses."""
    per_agent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_edit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    for item, agent in zip(items, chosen, strict=True):
        right = agent == item.agent
        for tally in (per_agent[item.agent], *(per_edit[e] for e in item.edits)):
            tally[0] += right
            tally[1] += 1
        if not right:
            confusion[(item.agent, agent or "none")] += 1
            misses.append({"text": item.text, "source": item.source, "tool": item.tool, "expected": item.agent,
                           "chosen": agent, "role": item.role, "edits": list(item.edits)})
    correct = sum(a == i.agent for i, a in zip(items, chosen, strict=True))
    return {
        "total": len(items),
        "correct": correct,
        "accuracy": _share(correct, len(items)),
        "per_agent": _figures(per_agent),
        "per_edit": _figures(per_edit),
        "confusion": [{"expected": e, "chosen": c, "count": n} for (e, c), n in confusion.most_common()],
        "misses": misses[:MISSES_SHOWN],
    }


async def measure_routing(model: BaseChatModel, items: Iterable[Paraphrase],
                          on_item: Callable[[], None] | None = None) -> dict[str, Any]:
    """Route every paraphrase as one first message from its role and summarise against the tool's agent."""
    handoffs = Handoffs(model, list(ROSTER), load_all())
    items = list(items)
    chosen: list[str | None] = []
    started = time.perf_counter()
    for item in items:
        routing = await choose_agents(handoffs, [HumanMessage(item.text)], Role(item.role))
        chosen.append(routing.agents[0] if routing.agents else None)
        if on_item:
            on_item()
    report = summarise(items, chosen)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
