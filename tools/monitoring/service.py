"""Monitoring business logic; callers own the transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import RunOutcome
from db.models import AgentRun


def record_run(
    session: AsyncSession,
    *,
    thread_id: str,
    principal: str,
    agent: str,
    request: str,
    tool_calls: list[dict],
    model_calls: int,
    prompt_tokens: int,
    completion_tokens: int,
    latency_ms: int,
    outcome: RunOutcome,
    error: str | None = None,
) -> AgentRun:
    """Store one chat turn's run record (the monitoring agent reads these)."""
    run = AgentRun(
        thread_id=thread_id,
        principal=principal,
        agent=agent,
        request=request[:4000],
        tool_calls=tool_calls,
        model_calls=model_calls,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        latency_ms=latency_ms,
        outcome=outcome,
        error=error,
    )
    session.add(run)
    return run
