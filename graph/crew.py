"""The crew as a service: one call per chat turn, shared by the CLI, the chat API and the evals."""

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import openai
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.errors import GraphRecursionError
from langgraph.types import Command
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import make_engine, make_sessionmaker, unit_of_work
from db.enums import RunOutcome
from graph.build import LIMIT_REPLY, build_graph
from graph.confirm import ANSWERED_OTHERWISE, read_answer
from graph.context import ShopContext
from graph.memory import open_checkpointer
from graph.models import make_chat_model
from graph.router import SUPERVISOR
from graph.tools import shown_args
from graph.transcript import succeeded, tool_outcome, transcript
from knowledge.chroma_embedding import embedding_function_for
from knowledge.generate import answer_model_for
from shopcrew.settings import Settings
from tools.context import Principal
from tools.errors import NotFound
from tools.knowledge.service import configure_store
from tools.marketplace.runtime import configure_marketplace
from tools.monitoring.service import record_run
from tools.registry import load_all

DECLINED = "The person declined this action, so it was not carried out. Nothing was changed."
MODEL_DOWN = (
    "I'm sorry, the language model behind the crew is unavailable right now, so I could not finish. "
    "Anything already confirmed stays done; nothing else was changed. Please try again shortly."
)


@dataclass
class TurnResult:
    """What one turn produced, in the shape `shopcrew ask --json` prints."""

    reply: str
    agent: str
    thread_id: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    pending_confirmation: dict[str, Any] | None = None
    outcome: RunOutcome = RunOutcome.ANSWERED
    model_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    error: str | None = None
    # The specialists the router chose this turn, even those it could not hand the request to.
    routed: list[str] = field(default_factory=list)
    # How the router chose: "rule" when it was certain without asking the model, "model" otherwise.
    routed_by: str | None = None

    @property
    def run_agent(self) -> str:
        """The agent a run record names: who answered, or else the specialist the request was routed to."""
        if self.agent == SUPERVISOR and self.routed:
            return self.routed[0]
        return self.agent

    def public(self) -> dict[str, Any]:
        """The documented JSON contract (DESIGN.md section 8)."""
        data = asdict(self)
        return {k: data[k] for k in ("reply", "agent", "tool_calls", "pending_confirmation", "thread_id")}


def pending_actions(snapshot) -> list[dict[str, Any]]:
    """The actions waiting for a yes or no in this thread (empty when none)."""
    return [action for interrupt in snapshot.interrupts for action in interrupt.value.get("action_requests", [])]


def summarize(messages: list, thread_id: str, pending: list[dict], earlier: list = ()) -> TurnResult:
    """Reply, answering agent, tool calls and token counts of the messages one turn added.

    `earlier` are messages an earlier turn reported (those of a specialist that stopped for a confirmation): a
    call of theirs that ran in this turn (the confirmed action) is this turn's, their model calls are not.
    """
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    ai = [m for m in messages if isinstance(m, AIMessage)]
    calls = [
        {"name": c["name"], "args": shown_args(c["name"], c["args"]), "ok": succeeded(results[c["id"]])}
        for m in [*(m for m in earlier if isinstance(m, AIMessage)), *ai]
        for c in m.tool_calls
        if c["id"] in results
    ]
    # A reply in place of a yes that changes the action ("check 12 units") ends with the changed action asked
    # again: the words on the first one not being carried out tell nothing that question does not.
    asked_again = _answers_to_redone(messages, pending)
    # The supervisor's own words (a note of what could not be done) come after the specialists' answers.
    texts = [m for m in ai if not m.tool_calls and m.text and id(m) not in asked_again]
    replies = [m.text for m in texts if m.name != SUPERVISOR] + [m.text for m in texts if m.name == SUPERVISOR]
    result = TurnResult(
        reply="\n\n".join(replies),
        agent=next((m.name for m in ai if m.name and m.name != SUPERVISOR), SUPERVISOR),
        thread_id=thread_id,
        tool_calls=calls,
        # The router's call is counted from its route event; its own messages (refusals, notes) are not more calls.
        model_calls=sum(m.name != SUPERVISOR for m in ai),
        prompt_tokens=sum((m.usage_metadata or {}).get("input_tokens", 0) for m in ai),
        completion_tokens=sum((m.usage_metadata or {}).get("output_tokens", 0) for m in ai),
    )
    if pending:
        action = pending[0]
        result.pending_confirmation = confirmation(pending)
        result.reply = (f"{result.reply}\n\n" if result.reply else "") + (
            f"Please confirm: {action.get('description') or action['name']}. Reply yes to go ahead or no to cancel."
        )
        result.outcome = RunOutcome.CONFIRMATION_REQUESTED
    elif any(m.additional_kwargs.get("limit_reached") for m in ai):
        result.outcome = RunOutcome.LIMIT_REACHED
    elif result.agent == SUPERVISOR:
        result.outcome = RunOutcome.REFUSED
    return result


def _answers_to_redone(messages: list, pending: list[dict]) -> set[int]:
    """The answers (as object ids) to a pending action that was answered otherwise and is now asked again."""
    if not pending:
        return set()
    out = set()
    for before, after in zip(messages, messages[1:], strict=False):
        if (isinstance(before, ToolMessage) and ANSWERED_OTHERWISE in before.text
                and before.name == pending[0]["name"] and isinstance(after, AIMessage) and not after.tool_calls):
            out.add(id(after))
    return out


def confirmation(pending: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first action waiting for a yes or no, as the chat contract shows it."""
    if not pending:
        return None
    action = pending[0]
    return {"name": action["name"], "args": shown_args(action["name"], action["args"]),
            "description": action.get("description", "")}


def message_events(agent: str, message) -> list[dict[str, Any]]:
    """Progress events for one message a specialist produced (tool results carry their structured output)."""
    if isinstance(message, AIMessage):
        if message.tool_calls:
            return [
                {"event": "tool_call", "agent": agent, "id": c["id"], "name": c["name"],
                 "args": shown_args(c["name"], c["args"])}
                for c in message.tool_calls
            ]
        return [{"event": "message", "agent": agent, "text": message.text}] if message.text else []
    if isinstance(message, ToolMessage):
        step = {"id": message.tool_call_id, "name": message.name, **tool_outcome(message)}
        return [{"event": "tool_result", "agent": agent, **step}]
    return []


def account_for_events(result: TurnResult, events: list[dict[str, Any]]) -> None:
    """Add what the messages alone don't show: the router's model call and the specialist awaiting a yes."""
    for event in events:
        if event["event"] == "route":
            result.routed, result.routed_by = list(event["agents"]), event["by"]
        if event["event"] == "route" and event["by"] == "model":
            result.model_calls += 1
            result.prompt_tokens += event["usage"].get("input_tokens", 0)
            result.completion_tokens += event["usage"].get("output_tokens", 0)
    specialist = next((e["agent"] for e in events if e["event"] != "route"), None)
    if result.agent == SUPERVISOR and specialist:
        result.agent = specialist


class Crew:
    """The compiled graph with its sessions and memory, answering one turn at a time."""

    def __init__(self, graph, sessions: async_sessionmaker[AsyncSession], recursion_limit: int = 40):
        self.graph = graph
        self.sessions = sessions
        self.recursion_limit = recursion_limit

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, model=None, sessions=None) -> AsyncIterator["Crew"]:
        """A ready crew on the configured database (or the given sessions), model and checkpointer."""
        load_all()
        configure_store(settings.chroma_dir, embedding_function_for(settings), answer_model_for(settings))
        configure_marketplace(settings.marketplace_dir, settings.marketplace_secret_key)
        engine = None if sessions else make_engine(settings.database_url)
        try:
            async with open_checkpointer(settings.database_url) as saver:
                graph = build_graph(
                    model or make_chat_model(settings),
                    model_calls=settings.agent_model_call_limit,
                    tool_calls=settings.agent_tool_call_limit,
                    checkpointer=saver,
                )
                yield cls(graph, sessions or make_sessionmaker(engine), settings.recursion_limit)
        finally:
            if engine is not None:
                await engine.dispose()

    async def ask(
        self, principal: Principal, text: str, thread_id: str | None = None, history: list | None = None,
        client_ip: str | None = None,
    ) -> TurnResult:
        """Run one turn and return its result."""
        async for event in self.turn(principal, text, thread_id, history, client_ip):
            if event["event"] == "done":
                return event["result"]
        raise RuntimeError("the turn ended without a result")  # turn() always ends with "done"

    async def turn(
        self, principal: Principal, text: str, thread_id: str | None = None, history: list | None = None,
        client_ip: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Run one turn (a new request, or the answer to a pending confirmation), yielding progress events.

        Events: {"event": "agent"|"tool_call"|"tool_result"|"message", ...} as the graph works, then
        {"event": "done", "result": TurnResult}. `history` (earlier user/assistant messages) seeds a new thread.
        `client_ip` is the request's address, handed to the tools for fraud screening.
        """
        thread_id = thread_id or uuid.uuid4().hex
        config = {"configurable": {"thread_id": thread_id}, "recursion_limit": self.recursion_limit}
        context = ShopContext(principal=principal, sessions=self.sessions, client_ip=client_ip)
        snapshot = await self._snapshot(principal, config)
        before = len(snapshot.values.get("messages", []))
        # What the specialist awaiting a yes already did (reported with the turn that asked), so the answering
        # turn reports only what it did itself.
        reported = await self._waiting_messages(config) if snapshot.interrupts else []
        seeded = list(history or []) if not before else []
        started = time.perf_counter()
        outcome_override = None
        seen: list[dict[str, Any]] = []
        failure = None
        try:
            pending = pending_actions(snapshot)
            answer = read_answer(text) if pending else None
            if pending:
                # A reply that is neither yes nor no (a value, a correction) is no yes, and the specialist that
                # asked learns it was answered otherwise, to read the reply as a change to its action.
                reason = DECLINED if answer == "no" else ANSWERED_OTHERWISE
                decision = {"type": "approve"} if answer == "yes" else {"type": "reject", "message": reason}
                resume = Command(resume={"decisions": [decision] * len(pending)})
                async for event in self._run(resume, config, context):
                    seen.append(event)
                    yield event
            if answer in (None, "other"):
                messages = [*seeded, HumanMessage(text)]
                async for event in self._run({"messages": messages, "owner": principal.label}, config, context):
                    seen.append(event)
                    yield event
            if answer == "no":
                outcome_override = RunOutcome.CANCELLED
        except GraphRecursionError:
            outcome_override = RunOutcome.LIMIT_REACHED
        except (openai.APIError, httpx.HTTPError) as exc:  # the model endpoint failed, not our code
            outcome_override, failure = RunOutcome.ERROR, f"{type(exc).__name__}: {exc}"
        snapshot = await self.graph.aget_state(config)
        added = snapshot.values["messages"][before + len(seeded) :]
        if snapshot.interrupts:
            added += await self._waiting_messages(config)
        known = {m.id for m in reported}
        result = summarize([m for m in added if m.id not in known], thread_id, pending_actions(snapshot), reported)
        account_for_events(result, seen)
        result.outcome = outcome_override or result.outcome
        if result.outcome is RunOutcome.LIMIT_REACHED and not result.reply:
            result.reply = LIMIT_REPLY
        if failure:
            result.reply, result.error = MODEL_DOWN, failure
        result.latency_ms = int((time.perf_counter() - started) * 1000)
        await self._record(principal, text, result)
        yield {"event": "done", "result": result}

    async def conversation(self, principal: Principal, thread_id: str) -> dict[str, Any]:
        """The principal's own thread as turns, with the action still waiting for a yes or no, if any."""
        snapshot = await self._snapshot(principal, {"configurable": {"thread_id": thread_id}})
        if not snapshot.values.get("messages") or snapshot.values.get("owner") != principal.label:
            raise NotFound(f"conversation {thread_id!r} not found")  # unknown, or with no owner on record
        turns, pending = transcript(snapshot.values["messages"]), pending_actions(snapshot)
        if pending and turns and not turns[-1]["agent"]:
            # The specialist waiting for a yes has not returned its messages yet; name it from its task.
            turns[-1]["agent"] = next((task.name for task in snapshot.tasks if task.interrupts), None)
        return {"thread_id": thread_id, "turns": turns, "pending_confirmation": confirmation(pending)}

    async def _waiting_messages(self, config: dict) -> list:
        """Messages of a specialist stopped for a confirmation: they reach the thread only once it resumes."""
        snapshot = await self.graph.aget_state(config, subgraphs=True)
        known = {m.id for m in snapshot.values.get("messages", [])}
        return [m for task in snapshot.tasks if task.interrupts and task.state
                for m in task.state.values.get("messages", []) if m.id not in known]

    async def _snapshot(self, principal: Principal, config: dict):
        """The thread's state; another principal's thread reads as not found, like anyone else's records."""
        snapshot = await self.graph.aget_state(config)
        if snapshot.values.get("owner", principal.label) != principal.label:
            raise NotFound(f"conversation {config['configurable']['thread_id']!r} not found")
        return snapshot

    async def _run(self, graph_input, config, context: ShopContext) -> AsyncIterator[dict[str, Any]]:
        """Drive the graph, turning node updates (specialists' inner steps included) into events.

        A turn is checkpointed when it ends or stops for a confirmation (durability "exit"), not after each of
        its dozen inner steps: those writes were most of a turn's time. A turn cut short by a crash is lost
        whole, as if never sent; its tools' own writes are committed or not by their own transactions.
        """
        stream = self.graph.astream(graph_input, config, context=context, stream_mode="updates", subgraphs=True,
                                    durability="exit")
        async for namespace, update in stream:
            if not namespace:
                # Parent-level updates repeat the specialists' own steps, except the router's decision.
                if routing := (update.get("router") or {}).get("routing"):
                    yield {"event": "route", **routing}
                continue
            for node_update in update.values():
                for message in (node_update or {}).get("messages", []) if isinstance(node_update, dict) else []:
                    for event in message_events(namespace[0].split(":")[0], message):
                        yield event

    async def _record(self, principal: Principal, text: str, result: TurnResult) -> None:
        async with unit_of_work(self.sessions) as session:
            record_run(
                session,
                thread_id=result.thread_id,
                principal=principal.label,
                agent=result.run_agent,
                request=text,
                tool_calls=result.tool_calls,
                model_calls=result.model_calls,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                latency_ms=result.latency_ms,
                outcome=result.outcome,
                error=result.error,
            )
