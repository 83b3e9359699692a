"""A specialist agent: `create_agent` over its registry tools, with role filtering, confirmation and limits."""

import json
import re

from langchain.agents import create_agent
from langchain.agents.middleware import (
    HumanInTheLoopMiddleware,
    ModelCallLimitMiddleware,
    ToolCallLimitMiddleware,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import ToolMessage

from agents.spec import AgentSpec
from graph.context import ShopContext
from graph.middleware import EarlyRefusalRecorder, RoleToolFilter
from graph.tools import as_langchain_tool, other_role_tool, shown_args
from tools.context import STAFF_ROLES
from tools.errors import InvalidInput
from tools.registry import REGISTRY, ToolRegistry, ToolSpec

LIMIT_PREFIXES = ("Model call limits exceeded", "Tool call limit")


# The action a tool's description opens with: up to its first colon, semicolon or full stop, without a closing
# aside ("Cancel a pending order (reason 'no longer needed' or ...)").
ACTION_CLAUSE = re.compile(r"^(.+?)(?:[:;]|\.(?:\s|$)|$)")
CLOSING_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")


def shown_value(value, names: dict[str, str] | None = None) -> str:
    """An argument as a person reads it: words and numbers as they are, yes or no, lists joined, records as their
    fields in words ("item id 4455770508 (Cast USB Microphone, white, multi), price 134.9"); an item id the
    conversation has shown is named beside it ("1451794972 (Merino Socks, 35-38, grey)")."""
    names = names or {}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {shown_value(v, names)}" for key, v in value.items())
    if isinstance(value, list):
        return (" and " if any(isinstance(v, dict) for v in value) else ", ").join(shown_value(v, names) for v in value)
    return f"{value} ({names[value]})" if isinstance(value, str) and value in names else str(value)


def item_names(messages) -> dict[str, str]:
    """Every item the conversation's tool results showed, by item id: its product's name and option values."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            name = node.get("name") or node.get("product_name")
            if isinstance(node.get("item_id"), str) and isinstance(name, str):
                options = node.get("options") if isinstance(node.get("options"), dict) else {}
                found[node["item_id"]] = ", ".join([name, *(str(v) for v in options.values())])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for message in messages:
        if isinstance(message, ToolMessage) and isinstance(message.content, str):
            try:
                walk(json.loads(message.content))
            except ValueError:
                continue  # a result in words (an error explained) names no items
    return found


def confirmation_text(spec: ToolSpec):
    """What the person is asked to confirm, in plain words: the action its description opens with and every
    argument it will run with ("cancel a pending order (order id: #W4621646; reason: no longer needed)")."""
    match = ACTION_CLAUSE.match(spec.description.strip())
    action = CLOSING_ASIDE.sub("", match.group(1)) if match else spec.name.replace("_", " ")
    action = action[:1].lower() + action[1:]

    def describe(tool_call, state, _runtime) -> str:
        shown = shown_args(tool_call["name"], tool_call["args"])
        names = item_names((state or {}).get("messages", []))
        args = "; ".join(f"{key.replace('_', ' ')}: {shown_value(value, names)}" for key, value in shown.items())
        return f"{action} ({args})" if args else action

    return describe


def well_formed(spec: ToolSpec):
    """Ask for a yes only about a call that could run: one whose arguments fail validation is answered with the
    error at once (and nothing runs), rather than put to the person as if it were the action they asked for."""

    def when(request) -> bool:
        # The tool receives only its declared fields (graph.tools.tolerant drops the rest): check those.
        args = {k: v for k, v in request.tool_call["args"].items() if k in spec.input_model.model_fields}
        try:
            spec.parse(args)
        except InvalidInput:
            return False
        return True

    return when


def build_specialist(
    spec: AgentSpec, model: BaseChatModel, *, model_calls: int, tool_calls: int, registry: ToolRegistry = REGISTRY
):
    """The compiled agent graph of one specialist (all its tools; the middleware filters by role).

    Shared tools (handing the conversation to a person) come with every specialist, so a person who asks for a
    human in the middle of, say, a return is not sent back to the router first.
    """
    specs = spec.tools(registry=registry) + registry.shared_with(spec.name)
    confirm_on = {
        t.name: {
            "allowed_decisions": ["approve", "reject"], "description": confirmation_text(t), "when": well_formed(t)
        }
        for t in specs
        if t.confirm
    }
    # A staff role that may use some of the specialist's tools but not all gets a stand-in for the others, so a
    # request for one of those is refused plainly instead of being served by a nearby tool. Customers get none:
    # staff examples ("mark order #W... as processed") would draw their own questions ("has #W... shipped?").
    stand_ins = {
        role: other_role_tool(role, [t for t in specs if not t.allows(role)])
        for role in STAFF_ROLES
        if any(t.allows(role) for t in specs) and not all(t.allows(role) for t in specs)
    }
    allowed = {t.name: t.roles for t in specs} | {tool.name: frozenset({role}) for role, tool in stand_ins.items()}
    middleware = [
        RoleToolFilter(allowed),
        EarlyRefusalRecorder({t.name: t for t in specs}),
        ModelCallLimitMiddleware(run_limit=model_calls, exit_behavior="end"),
        ToolCallLimitMiddleware(run_limit=tool_calls, exit_behavior="end"),
    ]
    if confirm_on:
        middleware.append(HumanInTheLoopMiddleware(interrupt_on=confirm_on))
    return create_agent(
        model,
        tools=[as_langchain_tool(t) for t in specs] + list(stand_ins.values()),
        system_prompt=spec.prompt,
        middleware=middleware,
        context_schema=ShopContext,
        name=spec.name,
    )


def hit_limit(text: str) -> bool:
    """True when the agent stopped because a model- or tool-call limit was reached."""
    return text.startswith(LIMIT_PREFIXES)
