"""Tool requests FastAPI refused before the tool ran (a body or query that does not validate): still recorded."""

from fastapi import Request

from db.enums import CallVia
from tools.context import Principal
from tools.errors import DomainError, InvalidInput
from tools.monitoring.calls import write_call
from tools.principals import principal_for_key
from tools.registry import REGISTRY


async def caller_of(request: Request) -> Principal | None:
    """The principal of the request's bearer key, or None when it has none that is valid."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    try:
        async with request.app.state.sessions() as session:
            return await principal_for_key(session, key.strip())
    except DomainError:
        return None


async def record_refused_request(request: Request) -> None:
    """Record a tool route's request that failed validation as a failed call of that tool."""
    name = getattr(request.scope.get("route"), "name", None)
    if name not in REGISTRY or (principal := await caller_of(request)) is None:
        return  # not a tool route, or an anonymous request (refused as unauthorized, not a call)
    spec = REGISTRY.get(name)
    await write_call(request.app.state.sessions, tool=spec.name, agent=spec.agent, principal=principal,
                     via=CallVia.REST, error=InvalidInput.code, latency_ms=0)
