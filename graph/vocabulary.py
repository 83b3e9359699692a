"""What the shop's records are called, read from its database: the router learns from it what the shop holds.

A hosted model knows that a soy candle is something a shop sells; the local model knows only the registry's
examples. The tools that find records by name declare where their names come from (`ToolSpec.vocabulary`),
and the router's hand-off tools carry them, so "does the camping stove run on gas?" reaches the catalogue.
"""

import time
import weakref
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tools.registry import ToolRegistry

# How long the names read from a database serve before they are read again: a product added to the catalogue
# is known to the router within a minute, and a busy router reads the catalogue once a minute at most.
REFRESH_SECONDS = 60.0


@dataclass(frozen=True)
class _Read:
    at: float
    names: dict[str, tuple[str, ...]]


_READS: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], _Read] = weakref.WeakKeyDictionary()


async def vocabularies(
    registry: ToolRegistry, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, tuple[str, ...]]:
    """Per tool that declares one, the names its records go by in this database (read at most once a minute)."""
    read = _READS.get(sessions)
    if read is not None and time.monotonic() - read.at < REFRESH_SECONDS:
        return read.names
    names = {}
    async with sessions() as session:
        for spec in registry.all():
            if spec.vocabulary is not None:
                names[spec.name] = tuple(await spec.vocabulary(session))
    _READS[sessions] = _Read(time.monotonic(), names)
    return names
