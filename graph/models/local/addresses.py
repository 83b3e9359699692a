"""Postal addresses in a request: '10 Main Street, Denver CO 80202, USA' -> address1, city, state, zip, country."""

import re

from graph.models.local.entities import Found, Request
from graph.models.local.synonyms import COUNTRIES, US_STATES
from shopcrew.places import city_country

START = re.compile(r"(?<![\w#.-])\d{1,5}[A-Za-z]?,?\s+(?=[A-Za-zÀ-ÿ])")
STREET_WORD = re.compile(
    r"\b(street|st|rue|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|way|place|pl|court|ct|square|sq|"
    r"terrace|parkway|highway|hwy|allee|chemin|quai|strasse|platz|circle|trail)\b\.?",
    re.I,
)
# An address ends with its sentence or its line (an answer is joined to the request it answers by a newline).
END = re.compile(
    r"[.!?;](?:\s|$)|\n|\s+(?:instead|please|thanks|thank you|and make|and set)\b"
    r"|\s+(?:to|for|on|as|in|into)\s+(?:my|the|our|his|her|their|this)\b",
    re.I,
)
# A street named before its number, the number then a comma and a postal code: "Calle de Alcalá 20, 28014 ...".
NUMBER_AFTER = re.compile(
    r"(?<![\w#-])[A-ZÀ-Ý][a-zA-Zà-ÿß'.-]*(?:\s+(?:de|del|la|las|los|le|les|di|da|do|dos|du|des|von|der|am|an"
    r"|[A-ZÀ-Ý][a-zA-Zà-ÿß'.-]*)){0,4}\s+\d{1,5}[a-zA-Z]?\s*,"
    r"(?=\s*(?:[A-Z]{1,2}-?)?\d{4,5}\b)"
)
# A street and the town it is in, said without a comma: "14 rue Colbert in Tours".
STREET_IN_TOWN = re.compile(r"^(.+?)\s+in\s+([A-ZÀ-Ý][\w'-]+(?:[\s-]+[A-ZÀ-Ý][\w'-]+)*)$")
UNIT = re.compile(r"^(?:apt|apartment|suite|ste|unit|floor|fl|building|bldg|flat|room)\b\.?\s*\S+|^#\s?\d+", re.I)
ZIP = re.compile(r"\b(\d{5}(?:-\d{4})?|\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b")
ZIP_AFTER_WORD = re.compile(
    r"\b(?:zip code|zipcode|zip|postal code|postcode|post code)\s*(?:is|:)?\s*([A-Z0-9-]*\d[A-Z0-9-]*)\b", re.I
)


# A segment of nothing but words naming the parts ("same zip", "postcode"): what it says is the segment beside it.
LABEL_ONLY = re.compile(r"\s*(?:(?:same|new|old|the|my|zip|code|zipcode|postcode|postal|post|city|town)\s*)+", re.I)

# A two-letter country code is written in capitals ("IT", "US"); in lower case "it" and "us" are words ("yes, save
# it"), while "usa" is a country in any case.
CODE_LENGTH = 2


def _country(segment: str) -> str | None:
    typed = segment.strip().rstrip(".").split()
    words = [w.lower() for w in typed]
    # "France" or "United States", possibly followed by words that are not part of the address.
    for n in (2, 1):
        name = " ".join(words[:n])
        if name in COUNTRIES and (len(name.replace(".", "")) > CODE_LENGTH or " ".join(typed[:n]).isupper()):
            return COUNTRIES[name]
    return None


def _place(segment: str, parts: dict[str, str]) -> None:
    """Read a 'City ST 12345' or '75011 Paris' segment into city, state and zip."""
    if (zip_match := ZIP.search(segment)) and "zip" not in parts:
        parts["zip"] = zip_match.group(1)
        segment = (segment[: zip_match.start()] + segment[zip_match.end() :]).strip()
    tokens = segment.split()
    if tokens and tokens[-1].upper() in US_STATES and tokens[-1].isupper() and "state" not in parts:
        parts["state"] = tokens.pop()
    if tokens and (country := _country(tokens[-1])) and len(tokens) > 1:
        parts.setdefault("country", country)
        tokens.pop()
    if tokens and "city" not in parts:
        parts["city"] = " ".join(tokens)


def _segments(parts: dict[str, str], segments: list[str]) -> None:
    for segment in segments:
        segment = segment.strip()
        if not segment:
            continue
        if UNIT.match(segment) and "address2" not in parts:
            parts["address2"] = segment
        elif (country := _country(segment)) and "country" not in parts:
            parts["country"] = country
        else:
            _place(segment, parts)


def _read(request: Request, begin: int) -> tuple[dict[str, str], Found] | None:
    """The address starting at `begin`, up to the end of its sentence, split at its commas."""
    end = END.search(request.text, begin)
    stop = end.start() if end else len(request.text)
    # Brackets part an address like commas: "107 Boulevard Voltaire (same zip, 75011)".
    segments = [s for s in re.split(r"\s*[,()]\s*", request.text[begin:stop]) if not LABEL_ONLY.fullmatch(s)]
    street = segments[0].strip()
    # "2 units of X" is not a street: a street word or a city/zip segment after it must show it is one.
    if not STREET_WORD.search(street) and len(segments) < 3:
        return None
    parts = {"address1": re.sub(r"\s+", " ", street)}
    _segments(parts, segments[1:])
    if "city" not in parts and (town := STREET_IN_TOWN.match(parts["address1"])):
        parts["address1"], parts["city"] = town.group(1), town.group(2)
    if "country" not in parts and parts.get("state") in US_STATES:
        parts["country"] = "USA"
    if "country" not in parts and parts.get("city") and (country := city_country(parts["city"])):
        # "27 Rue Paradis, 13006 Marseille": the country of the largest city by that name (shown before any change).
        parts["country"] = country
    return parts, Found(request.text[begin:stop], parts, begin, stop)


def find_address(request: Request) -> tuple[dict[str, str], Found] | None:
    """The first street address in the request, split into parts, with the span it covers.

    House number first ("10 Main Street, ...", "12 Rue de la Paix, ...") or, as in Germany or Spain, after the
    street ("Torstraße 45, 10119 Berlin", "Calle Mayor 5, 28013 Madrid") when a postal code follows.
    """
    starts = {m.start() for pattern in (START, NUMBER_AFTER) for m in pattern.finditer(request.text)}
    for begin in sorted(starts):
        if request.free(begin, begin + 1) and (found := _read(request, begin)) is not None:
            return found
    return None


def find_zip(request: Request) -> Found | None:
    """A postal code named as such ('zip code 80279'), else a lone 5-digit number."""
    for found in request.find(ZIP_AFTER_WORD, 1):
        return found
    lone = [f for f in request.find(re.compile(r"(?<![\w.-])(\d{5})(?![\w.-])"), 1)]
    return lone[0] if len(lone) == 1 else None


# A saved address named by a word of it before "address": "my Milan address", "the Cours Lafayette address".
SAVED = re.compile(r"\b(?:my|the|our|his|her|their)\s+((?:[\w'-]+\s+){1,3}?)address\b", re.I)
# Words before "address" that say which kind of address, not which one ("my new address", "the delivery address").
KIND_WORDS = frozenset({"new", "old", "current", "other", "home", "work", "main", "default", "billing", "shipping",
                        "delivery", "postal", "email", "e-mail", "full", "right", "wrong", "second", "first", "saved"})


def saved_address_words(said: str) -> list[str]:
    """The words a request names one of the person's saved addresses by ("milan" of "ship it to my Milan address")."""
    return [w.lower() for m in SAVED.finditer(said) for w in m.group(1).split()
            if len(w) >= 3 and w.lower() not in KIND_WORDS and w.isalpha()]
