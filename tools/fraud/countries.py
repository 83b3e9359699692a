"""Country names and codes normalised through the ISO 3166 table, so "FR" = "France" and "US" = "USA"."""

from functools import lru_cache
from typing import Any

import pycountry

# Common names that are not in ISO 3166 but that people write on addresses.
ALIASES = {"uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB"}


@lru_cache(maxsize=1024)
def iso_code(country: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country name or code; unknown text comes back trimmed and upper-case."""
    text = country.strip()
    if not text:
        return ""
    if alias := ALIASES.get(text.casefold()):
        return alias
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return text.upper()


def country_of(address: dict[str, Any] | None) -> str:
    """The address's country as an ISO code ('' when it has none)."""
    return iso_code(str((address or {}).get("country") or ""))
