"""Agent middleware: show the model only the tools the caller's role may use."""

from langchain.agents.middleware import AgentMiddleware

from graph.context import ShopContext


class RoleToolFilter(AgentMiddleware):
    """Drop tools the principal's role may not call, so the model never sees them."""

    def __init__(self, allowed: dict[str, frozenset]):
        super().__init__()
        self.allowed = allowed

    def _filter(self, request):
        context: ShopContext = request.runtime.context
        tools = [t for t in request.tools if context.principal.role in self.allowed.get(t.name, frozenset())]
        return request.override(tools=tools)

    def wrap_model_call(self, request, handler):
        return handler(self._filter(request))

    async def awrap_model_call(self, request, handler):
        return await handler(self._filter(request))
