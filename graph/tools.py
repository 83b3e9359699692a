"""Registry tools as LangChain tools, and the router's hand-off tools."""

import hashlib
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Annotated, Any

from langchain.tools import ToolRuntime
from langchain_core.tools import InjectedToolArg, StructuredTool
from pydantic import BaseModel

from agents.spec import AgentSpec
from db.enums import CallVia, Role
from graph.context import ShopContext
from tools.errors import DomainError
from tools.registry import REGISTRY, ToolRegistry, ToolSpec
from tools.runner import execute

HANDOFF_PREFIX = "transfer_to_"


def tolerant(model: type[BaseModel]) -> type[BaseModel]:
    """The input model as LangChain needs it: extra="forbid" lifted and the injected `runtime` declared.

    LangChain validates with `runtime` present, and calls a tool whose schema has no fields with no
    arguments at all, so the runtime is declared here (hidden from the model as an injected argument).
    The registry validates the real arguments again, strictly, before the tool runs.
    """
    config = {**model.model_config, "extra": "ignore", "arbitrary_types_allowed": True}
    namespace = {
        "__annotations__": {"runtime": Annotated[Any, InjectedToolArg]},
        "runtime": None,
        "model_config": config,
        "__doc__": model.__doc__,
    }
    return type(model.__name__, (model,), namespace)


def idempotency_key(runtime: ToolRuntime) -> str:
    """The key of one tool call of one conversation. A turn is saved when it ends, so a confirmed action whose
    turn was cut short (a crash) is run again on the next yes: under the same key, a money movement happens once."""
    thread = (runtime.config or {}).get("configurable", {}).get("thread_id", "")
    return "chat:" + hashlib.sha256(f"{thread}\0{runtime.tool_call_id}".encode()).hexdigest()[:48]


def record_schema(model: type[BaseModel]) -> dict[str, Any] | None:
    """The JSON schema of the records a result lists (its first list of objects), or None: what a conversation
    can pick a record from when a person names theirs without its number ("my return")."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    for node in (schema.get("properties") or {}).values():
        ref = (node.get("items") or {}).get("$ref") if node.get("type") == "array" else None
        if ref:
            return {**defs[ref.rsplit("/", 1)[-1]], "$defs": defs}
    return None


def as_langchain_tool(spec: ToolSpec) -> StructuredTool:
    """One registry tool for an agent: runs in its own transaction as the context's principal.

    Domain refusals go back to the model as `Error[code]: message` so it can recover. The call's latency
    travels beside the content as the ToolMessage's artifact, which the model never sees.
    """

    async def run(runtime: ToolRuntime[ShopContext], **kwargs) -> tuple[str, dict[str, int]]:
        ctx = runtime.context
        started = time.perf_counter()
        try:
            result = await execute(ctx.sessions, ctx.principal, spec.name, kwargs, client_ip=ctx.client_ip,
                                   via=CallVia.CHAT, idempotency_key=idempotency_key(runtime))
            content = result.model_dump_json()
        except DomainError as exc:
            content = f"Error[{exc.code}]: {exc.message}"
        return content, {"latency_ms": round((time.perf_counter() - started) * 1000)}

    return StructuredTool.from_function(
        coroutine=run,
        name=spec.name,
        description=spec.description,
        args_schema=tolerant(spec.input_model),
        response_format="content_and_artifact",
        metadata={
            "agent": spec.agent,
            "examples": list(spec.examples),
            "mutates": spec.mutates,
            "confirm": spec.confirm,
            "precondition": spec.precondition.describe() if spec.precondition else None,
            "shared": spec.shared,
            "lookup": spec.lookup,
            "records": record_schema(spec.output_model),
        },
    )


OTHER_ROLES_PREFIX = "needs_other_role_"


class NoArguments(BaseModel):
    """A tool that takes no arguments (the runtime is injected by LangChain)."""

    runtime: Annotated[Any, InjectedToolArg] = None


def other_role_tool(role: Role, hidden: list[ToolSpec]) -> StructuredTool:
    """A stand-in for a specialist's actions this role may not use: asked for them, it says so and does nothing.

    It carries those actions' examples, so a model asked for one picks it rather than a tool it does have.
    """
    actions = "; ".join(t.description.rstrip(".").lower() for t in hidden)

    async def run(runtime: ToolRuntime[ShopContext]) -> str:
        return f"Error[forbidden]: that is for another role; your role ({role}) may not do it here, so nothing was done"

    return StructuredTool.from_function(
        coroutine=run,
        name=OTHER_ROLES_PREFIX + str(role),
        description=f"Actions that need another role than {role}: {actions}",
        args_schema=NoArguments,
        metadata={"examples": [e for t in hidden for e in t.examples], "mutates": False, "confirm": False},
    )


def shown_args(name: str, args: dict[str, Any], registry: ToolRegistry | None = None) -> dict[str, Any]:
    """A call's arguments as they may be shown, streamed or recorded: secrets (credentials) hidden."""
    registry = registry or REGISTRY
    return registry.get(name).redact(args) if name in registry else args


def handoff_tool(
    agent: AgentSpec,
    role: Role | None,
    registry: ToolRegistry,
    vocabularies: Mapping[str, Sequence[str]] = MappingProxyType({}),
) -> StructuredTool:
    """A `transfer_to_<agent>` tool for the router; its examples are the agent's requests, its vocabulary the names
    the records of its tools go by (`graph.vocabulary`)."""

    def run() -> str:
        return f"handed to {agent.name}"

    tools = agent.tools(role, registry)
    return StructuredTool.from_function(
        func=run,
        name=HANDOFF_PREFIX + agent.name,
        description=agent.description,
        metadata={
            "agent": agent.name,
            "examples": agent.routing_examples(role, registry),
            "others_examples": agent.others_examples(role, registry),
            "tools": [t.name for t in tools],
            # Whether the agent can change anything for this caller (the policy library only answers).
            "acts": any(t.mutates for t in tools),
            # What the agent's tools take, so a request naming an order number goes to agents that take one.
            "inputs": [t.input_model.model_json_schema() for t in tools],
            "vocabulary": sorted({n for t in tools for n in vocabularies.get(t.name, ())}),
        },
    )
