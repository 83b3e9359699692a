"""The run context every node and tool receives (LangGraph `context_schema`)."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tools.context import Principal


@dataclass(frozen=True)
class ShopContext:
    """Who is asking (from authentication, never from the model) and where the data lives."""

    principal: Principal
    sessions: async_sessionmaker[AsyncSession]
    # Where the request came from (the chat request's address), for fraud screening; never from the model.
    client_ip: str | None = None
