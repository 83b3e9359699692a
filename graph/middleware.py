"""Agent middleware: show the model only the tools the caller's role may use; record calls refused early."""

import time

from langchain.agents.middleware import AgentMiddleware, ModelResponse
from langchain_core.messages import AIMessage, SystemMessage, ToolMessage

from db.enums import CallVia
from graph.context import ShopContext
from tools.errors import InvalidInput
from tools.monitoring.calls import write_call
from tools.registry import ToolSpec


class RoleToolFilter(AgentMiddleware):
    """Drop tools the principal's role may not call, so the model never sees them, and tell it what is missing.

    The system prompt names the specialist's actions the role may not use, so a model asked for one of them
    says so instead of quietly doing something else with the tools it has.
    """

    def __init__(self, allowed: dict[str, frozenset]):
        super().__init__()
        self.allowed = allowed

    def _filter(self, request):
        context: ShopContext = request.runtime.context
        role = context.principal.role
        tools = [t for t in request.tools if role in self.allowed.get(t.name, frozenset())]
        hidden = [t for t in request.tools if t not in tools]
        if not hidden or request.system_message is None:
            return request.override(tools=tools)
        actions = "; ".join(f"{t.name} ({t.description.rstrip('.')})" for t in hidden)
        note = (f"\n\nActions of yours this person's role ({role}) may not use: {actions}. If the request "
                "needs one of them, say that it needs another role and that nothing was done; never use another "
                "tool instead.")
        return request.override(tools=tools, system_message=SystemMessage(request.system_message.text + note))

    def _refuse_hidden(self, request, response):
        """Drop calls the model makes to this specialist's tools the role may not use (it was never offered them),
        so they are neither put to the person for confirmation nor run; the reply says so."""
        role = request.runtime.context.principal.role
        messages = response.result if isinstance(response, ModelResponse) else [response]
        checked = []
        for message in messages:
            hidden = [c for c in getattr(message, "tool_calls", []) if role not in self.allowed.get(c["name"], {role})]
            if isinstance(message, AIMessage) and hidden:
                names = ", ".join(sorted({c["name"] for c in hidden}))
                note = f"I'm sorry, {names} needs another role than yours ({role}), so nothing was done."
                kept = [c for c in message.tool_calls if c not in hidden]
                message = message.model_copy(update={"tool_calls": kept, "content": message.text if kept else note})
            checked.append(message)
        if isinstance(response, ModelResponse):
            return ModelResponse(result=checked, structured_response=response.structured_response)
        return checked[0]

    def wrap_model_call(self, request, handler):
        return self._refuse_hidden(request, handler(self._filter(request)))

    async def awrap_model_call(self, request, handler):
        return self._refuse_hidden(request, await handler(self._filter(request)))


class EarlyRefusalRecorder(AgentMiddleware):
    """Record a call the agent framework refused before our runner saw it (arguments that fail validation).

    Calls that reach the runner are recorded there; the framework answers the others with an error
    ToolMessage, and they are failed calls of the tool all the same. The framework's message quotes the
    arguments: for a tool with secret fields it is replaced by the registry's own refusal, which never does.
    """

    def __init__(self, specs: dict[str, ToolSpec]):
        super().__init__()
        self.specs = specs  # tool name -> its registry entry

    async def awrap_tool_call(self, request, handler):
        started = time.perf_counter()
        result = await handler(request)
        spec = self.specs.get(request.tool_call["name"])
        if not (isinstance(result, ToolMessage) and result.status == "error" and spec):
            return result
        context: ShopContext = request.runtime.context
        elapsed = int((time.perf_counter() - started) * 1000)
        await write_call(context.sessions, tool=spec.name, agent=spec.agent, principal=context.principal,
                         via=CallVia.CHAT, error=InvalidInput.code, latency_ms=elapsed)
        if spec.secret_fields:
            return result.model_copy(update={"content": _refusal(spec, request.tool_call["args"])})
        return result


def _refusal(spec: ToolSpec, args: dict) -> str:
    """The registry's own answer to bad arguments (fields and problems, never the values)."""
    try:
        spec.parse(args)
    except InvalidInput as exc:
        return f"Error[{exc.code}]: {exc.message}"
    return f"Error[{InvalidInput.code}]: invalid arguments for {spec.name}"
