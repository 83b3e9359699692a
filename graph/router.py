"""The supervisor: certain rules first, then the model picks specialists through hand-off tools."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable

from agents.spec import PROMPTS, AgentSpec
from db.enums import Role
from graph.confirm import CORRECTION, FOR_ANOTHER, OWN_ID, answered_otherwise, refers_back
from graph.tools import HANDOFF_PREFIX, handoff_tool

# The name the router's own answers carry (a refusal, or a note of what could not be done).
SUPERVISOR = "supervisor"
# References that belong to exactly one specialist whatever the wording around them.
CERTAIN_REFERENCES = [
    (re.compile(r"\bRMA-\d{8}-[A-Z0-9]{8}\b", re.I), "after_sales"),
    (re.compile(r"\bINV-\d{4}-\d{6}\b", re.I), "documents"),
]

# One of several records picked by what tells it apart, or said to be the one meant: "#W6316590, the one with the
# dac", "it's the return for order W1021816".
PICKED = re.compile(r"\b(?:the|that|this)\s+one\b|^\s*(?:it'?s|it\s+is|that'?s)\b", re.I)


@dataclass(frozen=True)
class Skipped:
    """A specialist the request needs that cannot act for this caller, and why."""

    agent: str
    reason: Literal["not_built", "role"]  # it has no tools yet / none the caller's role may use


def skipped_for(spec: AgentSpec, role: Role, registry) -> Skipped | None:
    """Why the specialist cannot act for this role, or None when it can."""
    if spec.available_to(role, registry):
        return None
    return Skipped(spec.name, "not_built" if not spec.tools(registry=registry) else "role")


def _why(skip: Skipped, role: Role) -> str:
    label = skip.agent.replace("_", " ")
    if skip.reason == "not_built":
        return f"That is a job for our {label} specialist, but the shop cannot do that for you here yet."
    if role is Role.CUSTOMER:
        return f"That is a job for our {label} specialist, who works for the shop's staff only."
    return f"That is a job for our {label} specialist, whose tools your role ({role}) may not use."


def unavailable_reply(skipped: list[Skipped], role: Role) -> str:
    """The honest answer when no specialist the request needs may act for this caller."""
    return " ".join([*(_why(skip, role) for skip in skipped), "Nothing was changed."])


def skipped_note(skipped: list[Skipped], role: Role) -> str:
    """What was not done of a request split across specialists, when some of them cannot act for the caller."""
    parts = " ".join(_why(skip, role) for skip in skipped)
    rest = "That part was not done" if len(skipped) == 1 else "Those parts were not done"
    return f"I could not do all of your request. {parts} {rest}, and nothing was changed for it."


# The policy library answers questions about any part of the shop ("how much does Colissimo charge?"), so a
# question for a specialist that cannot act for this caller goes to it rather than being turned away.
QUESTION_FALLBACK = "knowledge"
QUESTION = re.compile(
    r"\?\s*$|^\s*(how|what|what's|whats|when|where|why|which|who|can i|could i|do you|does|is there|are there)\b", re.I
)


def question_fallback(messages: list, role: Role, roster, registry) -> str | None:
    """The knowledge specialist for a question, when it may serve this caller."""
    spec = next((s for s in roster if s.name == QUESTION_FALLBACK), None)
    if spec is None or not QUESTION.search(messages[-1].text) or not spec.available_to(role, registry):
        return None
    return spec.name


NO_MATCH_REPLY = (
    "I'm sorry, I can't help with that here. I can help with orders, products, your account, "
    "payments, deliveries and the shop's policies."
)


def last_turn_question_from(messages: list, names: set[str]) -> str | None:
    """The specialist whose last reply asked the person a question, so the answer goes back to it."""
    for message in reversed(messages[:-1]):
        if isinstance(message, HumanMessage):
            return None
        if isinstance(message, AIMessage) and not message.tool_calls:
            text = message.text.strip()
            return message.name if message.name in names and text.endswith("?") else None
    return None


def last_actor(messages: list, names: set[str]) -> str | None:
    """The specialist who called a tool last in this conversation (the action a correction changes)."""
    for message in reversed(messages[:-1]):
        if isinstance(message, AIMessage) and message.tool_calls and message.name in names:
            return message.name
    return None


def certain_agent(messages: list, names: set[str]) -> str | None:
    """A specialist chosen by rule, when the rule cannot be wrong."""
    text = messages[-1].text
    for pattern, agent in CERTAIN_REFERENCES:
        if pattern.search(text) and agent in names:
            return agent
    # A correction, a reply to a confirmation, "the second one" / "that order" and "and Berlin?" all continue what
    # the specialist that acted last was doing: it holds the action and the records they point at.
    follow_up = (CORRECTION.match(text) or FOR_ANOTHER.match(text) or answered_otherwise(messages[:-1])
                 or refers_back(text))
    if follow_up and (agent := last_actor(messages, names)):
        return agent
    # "#W6316590, the one with the dac" after a listing picks one of the records it showed, for whoever listed them.
    if PICKED.search(text) and (agent := last_actor(messages, names)) and _shown_last(messages, OWN_ID.findall(text)):
        return agent
    return last_turn_question_from(messages, names)


# "that return", "this invoice": a record pointed at by its noun; not what goes with the action ("close it out with
# that note": the note is what was said, no credit note).
POINTED_AT = re.compile(r"(?<!\bwith )(?<!\busing )\b(?:that|this|the same)\s+([a-z]+?)s?\b", re.I)


def pointed_past(text: str, agent: str, roster: list[AgentSpec], role: Role, registry) -> bool:
    """Whether a follow-up points at a record the specialist that acted does not act on, though another does ("can
    you cancel that return?" after the order specialist read the order): then it is no follow-up of that one's.
    What a specialist acts on is the last word of its tools' names (cancel_return acts on a return), as the local
    model reads it from the tools bound to it; the router keeps its own reading, whatever model it runs."""
    acted = {spec.name: {t.name.rsplit("_", 1)[-1] for t in spec.tools(role, registry)} for spec in roster}
    known = set().union(*acted.values())
    # Only the clause that asks, the last: "that delivery really was late. approve it" points at what was shown.
    asking = re.split(r"[.,;!?]+\s+", text.strip())[-1]
    nouns = {n.lower() for n in POINTED_AT.findall(asking)}
    return any(n in known and n not in acted.get(agent, set()) for n in nouns)


def _shown_last(messages: list, ids: list[str]) -> bool:
    """Whether the last reply before the request showed each of these ids."""
    reply = next((m for m in reversed(messages[:-1]) if isinstance(m, AIMessage) and not m.tool_calls), None)
    return bool(ids) and reply is not None and all(i.lstrip("#") in reply.text for i in ids)


# Bound routers kept per role, registry and vocabulary (the roles times a few catalogue versions).
BOUND_MAX = 32


@dataclass(frozen=True)
class Routing:
    """The router's decision: specialists in order, whether a rule or the model chose, the model's usage."""

    agents: list[str]
    by: str
    usage: dict = field(default_factory=dict)
    text: str = ""


class Handoffs:
    """The router model bound to its hand-off tools, per role. Building the tools reads every tool's input schema,
    and a newly bound model serialises itself for callbacks: together more than a turn of the local model, so both
    are built once per role and rebuilt only when the registry's tools change."""

    def __init__(self, model: BaseChatModel, roster: list[AgentSpec], registry) -> None:
        self.model, self.roster, self.registry = model, roster, registry
        self._bound: dict[tuple, Runnable] = {}

    def router_for(self, role: Role, vocabularies: Mapping[str, tuple[str, ...]]) -> Runnable:
        key = (role, tuple(t.name for t in self.registry.all()), tuple(sorted(vocabularies.items())))
        if key not in self._bound:
            if len(self._bound) >= BOUND_MAX:  # a changing catalogue leaves older bindings behind
                self._bound.pop(next(iter(self._bound)))
            tools = [handoff_tool(s, role, self.registry, vocabularies) for s in self.roster]
            self._bound[key] = self.model.bind_tools(tools)
        return self._bound[key]


async def choose_agents(
    handoffs: Handoffs, messages: list, role: Role, vocabularies: Mapping[str, tuple[str, ...]] = MappingProxyType({})
) -> Routing:
    """Specialists for the latest request, in order; none when nothing fits."""
    names = {spec.name for spec in handoffs.roster}
    agent = certain_agent(messages, names)
    if agent and not pointed_past(messages[-1].text, agent, handoffs.roster, role, handoffs.registry):
        return Routing([agent], "rule")
    system = SystemMessage((PROMPTS / "supervisor.md").read_text(encoding="utf-8"))
    reply = await handoffs.router_for(role, vocabularies).ainvoke([system, *messages])
    chosen = [call["name"].removeprefix(HANDOFF_PREFIX) for call in reply.tool_calls]
    agents = list(dict.fromkeys(a for a in chosen if a in names))
    if not agents and _shown_last(messages, OWN_ID.findall(messages[-1].text)) and (
            agent := last_actor(messages, names)):
        # Read as nothing anyone does, a message naming the record the last reply showed ("QI-DEMO0002. two lamps,
        # i'd call it minor") goes on with whoever showed it.
        return Routing([agent], "rule", dict(reply.usage_metadata or {}))
    return Routing(agents, "model", dict(reply.usage_metadata or {}), reply.text)
