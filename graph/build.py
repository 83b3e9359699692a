"""The supervisor graph: repair -> router -> one or more specialists -> end."""

from collections import OrderedDict
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.roster import ROSTER
from agents.spec import AgentSpec
from graph.context import ShopContext
from graph.router import (
    NO_MATCH_REPLY,
    SUPERVISOR,
    Handoffs,
    choose_agents,
    question_fallback,
    skipped_for,
    skipped_note,
    unavailable_reply,
)
from graph.specialists import build_specialist, hit_limit
from graph.state import CrewState
from graph.vocabulary import vocabularies
from tools.registry import REGISTRY, ToolRegistry

UNREADABLE_REPLY = (
    "I'm sorry, I couldn't work out the next step of that, so I stopped. Anything already confirmed stays "
    "done; nothing else was changed. Could you rephrase the request?"
)
LIMIT_REPLY = (
    "I'm sorry, I couldn't finish this within my limits, so I stopped. Anything already "
    "confirmed stays done; nothing else was changed. Could you rephrase or split the request?"
)


def repair(state: CrewState) -> dict:
    """Strip tool calls that never got a result (a crashed or abandoned turn), so history stays valid."""
    answered = {m.tool_call_id for m in state["messages"] if isinstance(m, ToolMessage)}
    repaired = [
        m.model_copy(update={"tool_calls": [], "content": (m.text + " (interrupted before it ran)").strip()})
        for m in state["messages"][:-1]
        if isinstance(m, AIMessage) and any(call["id"] not in answered for call in m.tool_calls)
    ]
    return {"messages": repaired} if repaired else {}


def destinations(roster) -> type:
    """Command[Literal[<every specialist>, END]]: the moves a node may make, visible to LangGraph."""
    return Command[Literal[(*(spec.name for spec in roster), END)]]  # type: ignore[misc]


def make_router(model: BaseChatModel, roster: list[AgentSpec], registry: ToolRegistry):
    """The router node: plans the specialists for the request, or answers honestly when none can act."""
    by_name = {spec.name: spec for spec in roster}
    handoffs = Handoffs(model, roster, registry)

    async def router(state: CrewState, runtime: Runtime[ShopContext]):
        role = runtime.context.principal.role
        names = await vocabularies(registry, runtime.context.sessions)
        routing = await choose_agents(handoffs, state["messages"], role, names)
        record = {"agents": routing.agents, "by": routing.by, "usage": routing.usage}
        if not routing.agents:
            # The model's own words when it answered (a greeting, say), else the standard refusal.
            reply = AIMessage(routing.text or NO_MATCH_REPLY, name=SUPERVISOR)
            return Command(goto=END, update={"messages": [reply], "routing": record})
        skipped = [skip for a in routing.agents if (skip := skipped_for(by_name[a], role, registry))]
        available = [a for a in routing.agents if a not in {skip.agent for skip in skipped}]
        if not available and (fallback := question_fallback(state["messages"], role, roster, registry)):
            available, skipped = [fallback], []
        record["skipped"] = [skip.agent for skip in skipped]
        if not available:
            reply = AIMessage(unavailable_reply(skipped, role), name=SUPERVISOR)
            return Command(goto=END, update={"messages": [reply], "routing": record})
        update = {"plan": available[1:], "routing": record}
        if skipped:
            # Said before the specialists act, so a question one of them asks stays the turn's last word.
            update["messages"] = [AIMessage(skipped_note(skipped, role), name=SUPERVISOR)]
        return Command(goto=available[0], update=update)

    router.__annotations__["return"] = destinations(roster)
    return router


def make_specialist_node(name: str, agent_graph, roster):
    """Run one specialist on the conversation, tag its replies with its name, then go on with the plan."""

    async def node(state: CrewState, runtime: Runtime[ShopContext]):
        result = await agent_graph.ainvoke({"messages": state["messages"]}, context=runtime.context)
        known = {m.id for m in state["messages"]}
        new = [m for m in result["messages"] if m.id not in known]
        for message in new:
            if isinstance(message, AIMessage):
                message.name = name
                if not message.tool_calls and hit_limit(message.text):
                    message.content = LIMIT_REPLY
                    message.additional_kwargs["limit_reached"] = True
                elif not message.tool_calls and not message.text:
                    # A model that said nothing, or whose only tool call could not be parsed (invalid_tool_calls).
                    message.content = UNREADABLE_REPLY
        plan = state.get("plan") or []
        update = {"messages": new, "plan": plan[1:]}
        return Command(goto=plan[0] if plan else END, update=update)

    node.__annotations__["return"] = destinations(roster)
    return node


# Compiling the specialists costs more than a turn of the local model; a crew opened per request (the evals
# open one per trial) reuses those of the same model instance and limits. They hold no checkpointer of their
# own (they run inside the crew's nodes, under its checkpointer), so sharing them is safe.
_SPECIALISTS: OrderedDict[tuple, tuple[BaseChatModel, dict[str, Any]]] = OrderedDict()
_SPECIALISTS_MAX = 8


def specialists(model: BaseChatModel, model_calls: int, tool_calls: int, registry: ToolRegistry, roster) -> dict:
    """The compiled agent graph of each specialist, cached per model instance, limits, registry and roster."""
    # The entry keeps the model alive, so its id cannot be reused by another model while the entry lives.
    key = (id(model), model_calls, tool_calls, id(registry), tuple(t.name for t in registry.all()), tuple(roster))
    if key not in _SPECIALISTS:
        graphs = {
            spec.name: build_specialist(spec, model, model_calls=model_calls, tool_calls=tool_calls, registry=registry)
            for spec in roster
        }
        _SPECIALISTS[key] = (model, graphs)
        if len(_SPECIALISTS) > _SPECIALISTS_MAX:
            _SPECIALISTS.popitem(last=False)
    _SPECIALISTS.move_to_end(key)
    return _SPECIALISTS[key][1]


def build_graph(
    model: BaseChatModel,
    *,
    model_calls: int = 8,
    tool_calls: int = 8,
    registry: ToolRegistry = REGISTRY,
    roster=ROSTER,
    checkpointer=None,
):
    """Compile the crew graph with every specialist of the roster."""
    graph = StateGraph(CrewState, context_schema=ShopContext)
    graph.add_node("repair", repair)
    graph.add_node("router", make_router(model, roster, registry))
    for name, agent_graph in specialists(model, model_calls, tool_calls, registry, roster).items():
        graph.add_node(name, make_specialist_node(name, agent_graph, roster))
    graph.add_edge(START, "repair")
    graph.add_edge("repair", "router")
    return graph.compile(checkpointer=checkpointer)
