"""A principal's own conversations, from the run records of their chat turns."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AgentRun


@dataclass(frozen=True)
class ThreadSummary:
    """One conversation: its id, what opened it, when it started and last moved, how many turns."""

    thread_id: str
    title: str
    started_at: datetime
    updated_at: datetime
    turns: int
    last_agent: str


async def threads_of(session: AsyncSession, principal: str, limit: int = 50) -> list[ThreadSummary]:
    """The principal's threads, most recently active first (only runs they made themselves)."""
    stmt = (
        select(
            AgentRun.thread_id,
            func.min(AgentRun.id),
            func.max(AgentRun.id),
            func.min(AgentRun.created_at),
            func.max(AgentRun.created_at),
            func.count(),
        )
        .where(AgentRun.principal == principal)
        .group_by(AgentRun.thread_id)
        .order_by(func.max(AgentRun.id).desc())
        .limit(limit)
    )
    groups = (await session.execute(stmt)).all()
    ends = {g[1] for g in groups} | {g[2] for g in groups}
    runs = {run.id: run for run in await session.scalars(select(AgentRun).where(AgentRun.id.in_(ends)))}
    return [
        ThreadSummary(
            thread_id=thread_id,
            title=runs[first].request[:120],
            started_at=started,
            updated_at=updated,
            turns=turns,
            last_agent=runs[last].agent,
        )
        for thread_id, first, last, started, updated, turns in groups
    ]
