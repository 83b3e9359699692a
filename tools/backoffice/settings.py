"""Shop settings as staff see them: a key found by its name or its words, shown with who changed it and when.

Storage, types and validation belong to tools/config (the catalogue each domain declares its keys in);
this module only resolves what people call a setting and shapes the answer.
"""

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import SystemConfig
from tools.backoffice.schemas import ConfigEntryOut
from tools.config.catalogue import CATALOGUE, ConfigKey, lookup
from tools.config.service import value
from tools.errors import Ambiguous

WORD = re.compile(r"[a-z0-9]+")
# Words people use for a key's own words ("time to live" is what ttl stands for).
ALIASES = {"ttl": {"ttl", "lifetime", "expiry", "expire", "expires", "hold"}, "pct": {"pct", "percent", "percentage"}}
FILLER = {"the", "a", "an", "of", "for", "setting", "config", "configuration", "value", "key", "shop"}


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") if len(w) > 3 else w for w in WORD.findall(text.lower())} - FILLER


def _key_words(key: ConfigKey) -> set[str]:
    words = _words(key.key.replace("_", " "))
    for word, aliases in ALIASES.items():
        if word in words:
            words |= aliases
    return words


def resolve_key(ref: str) -> ConfigKey:
    """The declared key named exactly, or the one key whose words contain all the words given."""
    name = ref.strip().lower()
    if name in CATALOGUE:
        return CATALOGUE[name]
    wanted = _words(name)
    matches = [k for k in CATALOGUE.values() if wanted and wanted <= _key_words(k)]
    if len(matches) > 1:
        raise Ambiguous(f"{ref!r} could be several settings: {', '.join(sorted(k.key for k in matches))}",
                        details=[{"config_key": k.key, "description": k.description} for k in matches])
    return matches[0] if matches else lookup(name)


def entry(key: ConfigKey, value: Any, row) -> ConfigEntryOut:
    """A setting with its current value and its last change (row is None while it is at its default)."""
    return ConfigEntryOut(
        key=key.key, type=key.type, value=value, default=key.default, description=key.description,
        minimum=key.minimum, maximum=key.maximum, whole_number=key.integer, is_default=value == key.default,
        updated_by=row.updated_by or None if row else None, updated_at=row.updated_at if row else None,
    )


async def read(session: AsyncSession, key: ConfigKey) -> ConfigEntryOut:
    """A setting as it stands now."""
    return entry(key, await value(session, key), await session.get(SystemConfig, key.key))
