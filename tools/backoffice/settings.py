"""Shop settings as staff see them: a key found by its name or by the words people use for it.

Storage, types and validation belong to tools/config (the catalogue each domain declares its keys in);
this module only resolves what people call a setting and shapes the answer.

A key is named by its words when the text holds every word of the key's own name (the part after the
dot; units such as minutes or pct may be left out) or a word that means the same: "the refund threshold"
is approvals.refund_threshold, "how long stock holds last" is inventory.reservation_ttl_minutes. A text
that fits several keys is refused with the candidates, never guessed.
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
KEY_SHAPED = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
UNITS = frozenset({"minute", "hour", "day", "pct", "eur", "amount", "count"})
# Words people use for a key's own words.
ALIASES = {
    "reservation": {"reservation", "reserve", "hold"},
    "ttl": {"ttl", "lifetime", "expiry", "expire", "last", "long", "duration"},
    "threshold": {"threshold", "limit", "over", "above", "minimum", "cutoff", "cut"},
    "shipping": {"shipping", "delivery", "postage"},
    "pct": {"pct", "percent", "percentage"},
    "approval": {"approval", "approve"},
}


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") if len(w) > 3 else w for w in WORD.findall(text.lower().replace("_", " "))}


def _means(word: str, said: set[str]) -> bool:
    return bool(ALIASES.get(word, {word}) & said)


def _named_by(key: ConfigKey, said: set[str]) -> bool:
    namespace, _, name = key.key.rpartition(".")
    return all(_means(w, said) for w in _words(name) - UNITS)


def resolve_key(ref: str) -> ConfigKey:
    """The declared key the text names: exactly, verbatim inside it, or by its words (Ambiguous if several)."""
    text = ref.strip().lower()
    if text in CATALOGUE:
        return CATALOGUE[text]
    if KEY_SHAPED.match(text):
        return lookup(text)  # a key written out but not declared is a typo: refuse it, never guess a neighbour
    if inside := sorted((k for k in CATALOGUE if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", text)),
                        key=len, reverse=True):
        return CATALOGUE[inside[0]]
    said = _words(text)
    matches = [k for k in CATALOGUE.values() if _named_by(k, said)]
    # Several keys fit: the ones whose namespace (approvals, inventory...) is named too are meant, and of
    # those the ones that account for the most of what was said ("returns test window": returns_test).
    spaced = [k for k in matches if all(_means(w, said) for w in _words(k.key.rpartition(".")[0]))]
    if spaced:
        most = max(len(_words(k.key)) for k in spaced)
        matches = [k for k in spaced if len(_words(k.key)) == most]
    if len(matches) > 1:
        raise Ambiguous(f"{ref!r} could be several settings: {', '.join(sorted(k.key for k in matches))}",
                        details=[{"config_key": k.key, "description": k.description} for k in matches])
    return matches[0] if matches else lookup(ref.strip())


def entry(key: ConfigKey, current: Any, row: SystemConfig | None) -> ConfigEntryOut:
    """A setting with its current value and its last change (row is None while it is at its default)."""
    changed = row is not None and row.updated_by
    words = f"{key.key} is {current}" + (f" (default {key.default})" if current != key.default else " (the default)")
    if changed:
        words += f", last changed by {row.updated_by} on {row.updated_at:%d %b %Y}"
    return ConfigEntryOut(
        key=key.key, type=key.type, value=current, default=key.default, description=key.description,
        minimum=key.minimum, maximum=key.maximum, whole_number=key.integer, is_default=current == key.default,
        updated_by=row.updated_by if changed else None, updated_at=row.updated_at if row else None, summary=words,
    )


async def read(session: AsyncSession, key: ConfigKey) -> ConfigEntryOut:
    """A setting as it stands now."""
    return entry(key, await value(session, key), await session.get(SystemConfig, key.key))
