"""One turn of the local model: answer tool results, or pick a tool and fill its arguments, or ask, or decline."""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from graph.models.local import questions
from graph.models.local.entities import mask
from graph.models.local.extract import Extraction, extract
from graph.models.local.memory import Memory, remember
from graph.models.local.reply import answer
from graph.models.local.similarity import EMBED_THRESHOLD, LEXICAL_THRESHOLD, Embed, choose, rank
from graph.models.local.text import content_stems
from graph.models.local.toolview import ToolView

HANDOFF = "transfer_to_"
# A request split at these words may hold two jobs for two specialists ("cancel it and tell me when...").
CLAUSES = re.compile(r"\s*(?:[;]|,?\s+\b(?:and then|and also|and|then|also|plus)\b)\s+", re.I)
# Tools within FIT_MARGIN of the best are compared on how well their fields take the request's values:
# each value a field takes adds FIT_WEIGHT, each required value still missing (a question instead of an
# action) takes MISSING_WEIGHT, at most two of each ("show me my orders": list_orders, not get_order_details).
FIT_MARGIN = 0.1
FIT_WEIGHT = 0.06
MISSING_WEIGHT = 0.1
FIT_CANDIDATES = 4
QUESTION = re.compile(
    r"^\s*(has|have|had|is|are|was|were|what|what's|whats|where|when|which|who|how|do|does|did|why)\b", re.I
)
QUESTION_PENALTY = 0.15
# A second specialist is added only when its part of the request clearly belongs to it: a score well
# above the in-scope threshold and a clear lead over the next specialist (calibrated like the threshold).
SPLIT_LIFT = 0.2
SPLIT_LEAD = 0.1


@dataclass
class Turn:
    """What the model says: text, or tool calls as (name, args) pairs."""

    content: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _text(message: BaseMessage) -> str:
    return str(message.text).strip()


def _answer_results(messages: list[BaseMessage], tools: dict[str, ToolView], replies: Path) -> Turn:
    """Plain sentences from the tool results that end the conversation (this model's own calls)."""
    calls = {c["id"]: c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    results = []
    for message in reversed(messages):
        if not isinstance(message, ToolMessage):
            break
        results.insert(0, message)
    texts = []
    for result in results:
        call = calls.get(result.tool_call_id, {})
        name = call.get("name") or result.name or ""
        description = tools[name].description if name in tools else name.replace("_", " ")
        texts.append(answer(name, description, call.get("args", {}), _text(result), replies))
    return Turn("\n\n".join(t for t in texts if t))


def _asked_before(messages: list[BaseMessage], current: int) -> int | None:
    """The previous request's index when the reply to it was a question (so this message answers it)."""
    for i in range(current - 1, -1, -1):
        message = messages[i]
        if isinstance(message, HumanMessage):
            return None
        if isinstance(message, AIMessage) and not message.tool_calls:
            if not _text(message).endswith("?"):
                return None
            previous = next((j for j in range(i - 1, -1, -1) if isinstance(messages[j], HumanMessage)), None)
            return previous
    return None


def _handoffs(text: str, tools: list[ToolView], embed: Embed | None, first: ToolView, threshold: float) -> list[str]:
    """Extra specialists for a request that has a clear second job for another one, in order of mention."""
    clauses = [c for c in CLAUSES.split(text) if len(content_stems(mask(c))) >= 2]
    chosen = [first.name]
    for clause in clauses:
        (score, best), (runner_up, _) = rank(clause, tools, embed)[:2]
        if best.name not in chosen and score >= threshold + SPLIT_LIFT and score - runner_up >= SPLIT_LEAD:
            chosen.append(best.name)
    return chosen


def _best_fit(
    text: str, ranked: list[tuple[float, ToolView]], memory: Memory, today: date
) -> tuple[ToolView, Extraction]:
    """Among tools about as similar as the best, the one whose fields take the request's values.

    "how full is warehouse PAR1" reads like both "how full is each warehouse" (list_warehouses) and
    "how full is the Paris warehouse" (get_warehouse_capacity); only the second has a field for PAR1.
    """
    top = ranked[0][0]
    scored = []
    for score, tool in (pair for pair in ranked[:FIT_CANDIDATES] if pair[0] >= top - FIT_MARGIN):
        extraction = extract(tool, text, memory, today)
        lacking = min(2, len(extraction.missing) + len(extraction.problems))
        fit = FIT_WEIGHT * min(2, extraction.spans) - MISSING_WEIGHT * lacking
        # A question ("has it shipped?") asks to read, not to change: writing tools step back.
        penalty = QUESTION_PENALTY if tool.mutates and QUESTION.match(text) else 0.0
        scored.append((score + fit - penalty, tool.name, tool, extraction))
    best = min(scored, key=lambda s: (-s[0], s[1]))
    return best[2], best[3]


def _our_part(text: str, tools: list[ToolView], embed: Embed | None) -> str:
    """The clause of a two-job request that best fits these tools (the whole text if it has one clause)."""
    clauses = [c for c in CLAUSES.split(text) if c.strip()]
    if len(clauses) < 2:
        return text
    return max(clauses, key=lambda c: choose(c, tools, embed).score)


def _request(messages: list[BaseMessage]) -> int | None:
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), None)


def _restrict(tools: list[ToolView], tool_choice: Any) -> list[ToolView]:
    """The tools a tool_choice naming one tool ("name" or {"function": {"name"}}) leaves."""
    if not isinstance(tool_choice, (str, dict)) or tool_choice in ("any", "required", "auto", "none"):
        return tools
    name = tool_choice if isinstance(tool_choice, str) else tool_choice.get("function", tool_choice).get("name")
    return [t for t in tools if t.name == name] or tools


def _understand(messages: list[BaseMessage], current: int, tools: list[ToolView], embed: Embed | None):
    """The request text to act on and the tool it is closest to."""
    text = _text(messages[current])
    if isinstance(messages[-1], AIMessage):
        # Another specialist already answered part of this request: take the part that is ours.
        text = _our_part(text, tools, embed)
    choice = choose(text, tools, embed)
    previous = _asked_before(messages, current)
    if previous is not None and (not choice.confident or len(content_stems(mask(text))) < 3):
        # An answer to our question ("#W2611340", "by mistake") continues the request that raised it.
        text = f"{text}\n{_text(messages[previous])}"
        choice = choose(text, tools, embed)
    return text, choice


def respond(
    messages: list[BaseMessage],
    tools: list[ToolView],
    *,
    tool_choice: Any = None,
    embed: Embed | None,
    today: date,
    replies: Path,
) -> Turn:
    """The model's turn for the conversation so far."""
    if messages and isinstance(messages[-1], ToolMessage):
        return _answer_results(messages, {t.name: t for t in tools}, replies)
    current = _request(messages)
    if current is None:
        return Turn("Hello! How can I help you today?")
    forced = tool_choice not in (None, "auto", "none", False)
    polite = questions.small_talk(_text(messages[current]))
    if polite and not forced:
        return Turn(polite)
    if not tools or tool_choice in ("none", False):
        return Turn(polite or questions.NO_TOOLS)
    tools = _restrict(tools, tool_choice)
    text, choice = _understand(messages, current, tools, embed)
    if not (choice.confident or forced):
        return Turn(questions.out_of_scope([t for _, t in rank(text, tools, embed)]))
    memory = remember(messages[:current] + messages[current + 1 :])
    if all(t.name.startswith(HANDOFF) for t in tools):
        threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
        by_name = {t.name: t for t in tools}
        names = _handoffs(text, tools, embed, choice.tool, threshold)
        return Turn(calls=[(n, extract(by_name[n], text, memory, today).args) for n in names])
    tool, extraction = _best_fit(text, rank(text, tools, embed), memory, today)
    if extraction.missing or extraction.problems:
        return Turn(questions.clarify(tool, extraction))
    return Turn(calls=[(tool.name, extraction.args)])
