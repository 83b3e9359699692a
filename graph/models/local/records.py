"""A person's own record named without its number ("my return", "the tent I ordered"): which listing tool shows
their records of that kind, and which listed record the request's words, or the write's allowed states, single out.

Nothing here knows a tool: a listing tool qualifies by what its records hold (the registry's output schema) and by
taking "me" for its customer, and a record is picked by its own values.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from graph.models.local.dates import ANY_MONTH, days_of_month, named_months, named_weekdays, near_days, near_periods
from graph.models.local.entities import mask
from graph.models.local.kinds import kind_of
from graph.models.local.memory import RECALL_BY_KIND, shape_of
from graph.models.local.schema import FieldSpec
from graph.models.local.similarity import ASIDE, alike, lists, rank, titled
from graph.models.local.text import STOPWORDS, stem, words
from graph.models.local.toolview import ToolView, own_tools
from graph.models.local.values import enum_forms, person_spoken_of

# Who a listing tool's records belong to, when a customer speaks of their own.
ONESELF = "me"
# A customer field that takes a person's name as well as an id.
NAMES_PEOPLE = re.compile(r"\bfull name\b", re.I)
# The kinds of record a person calls theirs without the number (orders, returns, claims...). Never a payment
# method: that is only ever the one the person names.
OWN_KINDS = frozenset({"order", "pattern", "uuid"})
# The endings of a field naming a record by its id: shipment_ref, order_id, rma_number.
ID_SUFFIXES = ("id", "ref", "number", "code")
# A record's date or time as the tools give it: "2026-08-26T05:13:51Z".
ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A listed record is described by its short words (status, resolution) and the names it lists (what was ordered).
DESCRIBE_WORDS = 3


def _holds(record: FieldSpec, field: FieldSpec) -> bool:
    """Whether a record's field carries the value a tool's field takes: the same name, the same record's id by
    another ending (an inspection's `inspection_number` for `inspection_id`), or the same kind of id."""
    return (record.name == field.name or _same_record(record.name, field.name)
            or (kind_of(field) in RECALL_BY_KIND and kind_of(record) == kind_of(field)))


def _same_record(one: str, other: str) -> bool:
    """Whether two field names are one record's id by different endings ("shipment_id", "shipment_ref")."""
    (noun, _, end), (other_noun, _, other_end) = one.rpartition("_"), other.rpartition("_")
    return bool(noun) and noun == other_noun and end in ID_SUFFIXES and other_end in ID_SUFFIXES


def value_of(row: dict[str, Any], field: FieldSpec) -> Any:
    """The value a listed record gives the field: under the field's own name, else the one of its kind of id."""
    if isinstance(row.get(field.name), (str, int)) and not isinstance(row.get(field.name), bool):
        return row[field.name]
    kind = kind_of(field)
    if kind not in RECALL_BY_KIND:
        return None
    return next((v for v in row.values() if isinstance(v, str) and shape_of(v) == kind), None)


def same_record_value(row: dict[str, Any], field: FieldSpec) -> Any:
    """The value a listed record gives the field (`value_of`), or its id under the same noun: a shipment's
    `shipment_id` for a field `shipment_ref`."""
    if (found := value_of(row, field)) is not None:
        return found
    return next((value for name, value in row.items()
                 if _same_record(name, field.name) and isinstance(value, (str, int)) and not isinstance(value, bool)),
                None)


def lister(field: FieldSpec, target: ToolView, request: str, tools: Sequence[ToolView],
           called: set[str]) -> tuple[str, dict[str, str]] | None:
    """The reading tool that lists the speaker's own records holding the field, with the arguments that say
    "mine": one whose only customer field takes "me" and that needs nothing else. The closest to the request and
    to the tool the record is for wins ("my exchange": the returns, which hold the exchange's order)."""
    found = {}
    for tool in tools:
        if tool.mutates or tool is target or tool.name in called or not any(_holds(r, field) for r in tool.records):
            continue
        owner = [f for f in tool.fields if kind_of(f) == "customer" and ONESELF in f.examples]
        if len(owner) == 1 and all(f is owner[0] for f in tool.required):
            found[tool.name] = (tool, {owner[0].name: whose(owner[0], request)})
        elif not owner and not tool.required:
            # A listing needing no customer named shows a customer their own records only (the tools' ownership
            # rule): "what's happening with my support case?" lists their cases, as "my warranty claim" does.
            found[tool.name] = (tool, {})
    # Records under the field's own name first, the specialist's or lent: "can I still return it?" lists orders,
    # not the returns that hold some of them.
    named = {n: p for n, p in found.items() if p[0].records and p[0].records[0].name == field.name}
    if (best := _best_listing(named, field, target, request)) is not None:
        return best
    # Else the specialist's own listings first; one lent to it (a person's orders) only where none of them will do.
    mine = {t.name for t in own_tools(tools)}
    for listings in ({n: p for n, p in found.items() if n in mine}, {n: p for n, p in found.items() if n not in mine}):
        if (best := _best_listing(listings, field, target, request)) is not None:
            return best
    return None


def whose(owner: FieldSpec, request: str) -> str:
    """Whose records to list: the person the speaker talks about by name, where the field takes a name ("Luca
    Jansen phoned about his order": staff on a customer's behalf), else the speaker's own."""
    if NAMES_PEOPLE.search(owner.description) and (person := person_spoken_of(request)):
        return person
    return ONESELF


def _best_listing(found: dict[str, tuple[ToolView, dict[str, str]]], field: FieldSpec, target: ToolView,
                  request: str) -> tuple[str, dict[str, str]] | None:
    if not found:
        return None
    # Records that are the very kind the field names come first: "rate my last order" lists orders, not the
    # returns that mention an order.
    own = {name: pair for name, pair in found.items() if pair[0].records and _holds(pair[0].records[0], field)}
    if not own and target.mutates:
        return None  # a write never picks among some of them only (the orders that have a return, for a survey)
    found = own or found
    about = f"{request} {target.description} {' '.join(target.examples)}"
    best = rank(about, [t for t, _ in found.values()], None)[0][1]
    return best.name, found[best.name][1]


def record_noun(field: FieldSpec) -> str:
    """What kind of record a field names: its own name's word ("alert" of alert_id, "connection"), else the first
    word of its description ("Article slug ..." names an article)."""
    own = [w for w in field.name.split("_") if w not in ("id", "slug", "code", "ref", "number")]
    return own[0] if own else next(iter(words(field.description)), "")


def titled_lister(field: FieldSpec, target: ToolView, tools: Sequence[ToolView], dated: bool = False
                  ) -> tuple[ToolView, dict, str] | None:
    """The reading tool that lists every record of the kind a field names, each with its title, needing nothing:
    "the shipping rates article" is found among the articles by its title. With the arguments that list them all
    (as many as it may show) and the record field giving the field's value (its own name, else the record's id).
    Records named by the day they are about (`dated`: "the orders alert for the 1st of December") need a date
    instead of a title."""
    noun = record_noun(field)
    for tool in tools:
        names = {r.name for r in tool.records}
        if tool is target or tool.required or not noun:
            continue
        if not (titled(noun, [tool]) or dated and lists(noun, tool) and any(
                r.format in ("date", "date-time") for r in tool.records)):
            continue
        key = field.name if field.name in names else "id" if "id" in names else None
        limit = next((f for f in tool.fields if f.name == "limit" and f.maximum), None)
        if key is not None:
            return tool, ({limit.name: int(limit.maximum)} if limit else {}), key
    return None


# The fields of a listed record that hold its state.
STATE_FIELDS = frozenset({"status", "state"})


def state_words(row: dict[str, Any]) -> set[str]:
    """The words of a listed record's state ("on", "hold" of on_hold)."""
    return {w for k, v in row.items() if isinstance(v, str) and k in STATE_FIELDS for w in words(v.replace("_", " "))}


def row_words(row: dict[str, Any], states: bool = True) -> set[str]:
    """The words of a listed record's text values and the names it lists, without their details in brackets (and
    without its state, unless `states`)."""
    values = [ASIDE.sub("", v) for k, v in row.items() if isinstance(v, str) and (states or k not in STATE_FIELDS)]
    return {w for v in values for w in words(v.replace("_", " ")) if w.isalpha()} | held_words(row)


def held_words(row: dict[str, Any]) -> set[str]:
    """The words of the names a listed record lists (the products an order holds), without their details."""
    values = [ASIDE.sub("", x) for v in row.values() if isinstance(v, list) for x in v if isinstance(x, str)]
    return {w for v in values for w in words(v) if w.isalpha()}


def detail_words(row: dict[str, Any]) -> set[str]:
    """The words of the details in brackets after a listed record's names ("Flex Task Chair (grey, 4D)")."""
    values = [v for v in row.values() if isinstance(v, str)]
    values += [x for v in row.values() if isinstance(v, list) for x in v if isinstance(x, str)]
    return {w for v in values for detail in ASIDE.findall(v) for w in words(detail) if w.isalpha()}


def single_out(rows: list[dict[str, Any]], field: FieldSpec, request: str, known: set[str],
               allowed: tuple[str, ...] | None = None, state: str = "", today: date | None = None,
               purpose: str = "") -> Any:
    """The one value for the field that the listed records leave, or None when several (or none) remain."""
    held = narrowed(rows, field, request, known, allowed, state, today, purpose)
    values = {str(same_record_value(row, field)) for row in held}
    return same_record_value(held[0], field) if len(values) == 1 else None


def narrowed(rows: list[dict[str, Any]], field: FieldSpec, request: str, known: set[str],
             allowed: tuple[str, ...] | None = None, state: str = "", today: date | None = None,
             purpose: str = "") -> list[dict[str, Any]]:
    """The listed records holding the field that the request points to, all of them when it points to none.

    The request's own words pick records first ("the tent": the order holding the Trail Tent), words its tools use
    ("return", "order") aside; then, for a write, the records whose `state` it may start from ("cancel my order":
    the pending one), or those in the state its `purpose` names ("release an order held for fraud review": the one
    on hold)."""
    held = [row for row in rows if isinstance(row, dict) and same_record_value(row, field) is not None]
    said = {w for w in words(mask(request)) if len(w) >= 3 and w.isalpha() and w not in STOPWORDS}
    plain = {w for w in said if stem(w) not in known}
    # A state counts when said as it is ("my pending order"), not by a word sharing its stem ("billing and delivery
    # don't match" names no delivered order).
    scores = [sum(any(alike(w, t) for t in row_words(row, states=False)) or w in state_words(row) for w in plain)
              for row in held]
    if scores and max(scores):
        held = [row for row, score in zip(held, scores, strict=True) if score == max(scores)]
    near = near_days(request, today) if today else set()
    if len(held) > 1 and (days := {day for day, _ in days_of_month(request)} | near):
        # "the order spike on 4 December", "yesterday's bump": the one carrying that day, before any word the tools
        # use too.
        held = [row for row in held if any({(d.month, d.day), (ANY_MONTH, d.day)} & days for d in _dates(row))] or held
    if scores and max(scores) and len(held) > 1:
        # Tied on the request's own words, the words its tools use too tell them apart ("the returns policy
        # article": both policies hold "policy", one of them "returns").
        ties = [sum(any(alike(w, t) for t in row_words(row)) for w in said - plain) for row in held]
        held = [row for row, tie in zip(held, ties, strict=True) if tie == max(ties)]
    elif len(held) > 1:
        # No word of its own picks one, but a word its tools use too may name what one record holds: "which company
        # is bringing my keyboards?" asks about the order holding the keyboard (an example's product is still one).
        holds = [sum(any(alike(w, t) for t in held_words(row)) for w in said - plain) for row in held]
        if max(holds):
            held = [row for row, count in zip(held, holds, strict=True) if count == max(holds)]
    if len(held) > 1:
        # "the keyboard I bought at the end of august": the one placed that month; "the DAC I bought last week": the
        # one placed then.
        held = [row for row in held if _dated_in(row, named_months(request))] or held
        spans = near_periods(request, today) if today else []
        held = [row for row in held if any(a <= d <= b for d in _dates(row) for a, b in spans)] or held
    if len(held) > 1 and (weekdays := named_weekdays(request)):
        # "the keyboard I ordered on wednesday": the latest one placed on a wednesday (one a week earlier would be
        # "last wednesday"); by date, whatever order the listing gave.
        on = [(max(days), row) for row in held if (days := [d for d in _dates(row) if d.weekday() in weekdays])]
        held = [max(on, key=lambda pair: pair[0])[1]] if on else held
    if len(held) > 1 and max(scores, default=0):
        # Tied on what the records hold, the details that tell those things apart may pick one ("the grey task
        # chair" of two chair orders); only then, for a detail is an everyday word ("has my headlamp left yet?").
        details = [sum(any(alike(w, t) for t in detail_words(row)) for w in plain) for row in held]
        held = [row for row, count in zip(held, details, strict=True) if count == max(details)]
    if len(held) > 1 and allowed:
        held = [row for row in held if str(row.get(state)) in allowed] or held
    if len(held) > 1 and purpose and (max(scores, default=0) or _one_meant(request, field)):
        # Only for one record the request means: "I want to return something" leaves it to them to say which.
        held = [row for row in held if in_named_state(row, purpose)] or held
    return held


def _one_meant(request: str, field: FieldSpec) -> bool:
    """Whether the request speaks of one record of the field's kind as known ("the order we're holding for him")."""
    return re.search(rf"\b(?:the|his|her|their|this|that)\s+(?:\w+\s+)?{re.escape(record_noun(field))}\b", request,
                     re.I) is not None


def in_named_state(row: dict[str, Any], purpose: str) -> bool:
    """Whether a listed record's state is one a tool's purpose names, in its own words or a synonym ("an order held
    for fraud review" names on_hold; "items of a delivered order" delivered)."""
    states = [v for k, v in row.items() if isinstance(v, str) and k in STATE_FIELDS]
    return any(re.search(rf"\b{re.escape(form)}\b", purpose, re.I) for v in states for form in enum_forms(v))


def _dates(row: dict[str, Any]) -> list[date]:
    """The dates a listed record carries."""
    found = []
    for value in row.values():
        if isinstance(value, str) and (day := ISO_DAY.match(value)):
            try:
                found.append(date(int(day.group(1)), int(day.group(2)), int(day.group(3))))
            except ValueError:
                continue
    return found


def _dated_in(row: dict[str, Any], months: set[int]) -> bool:
    """Whether a listed record carries a date in one of these months."""
    return any(day.month in months for day in _dates(row))


def describe(row: dict[str, Any]) -> str:
    """A listed record in a few words, to tell it from the others: "delivered: Trail Tent, Merino Socks"."""
    short = [v.replace("_", " ") for v in row.values()
             if isinstance(v, str) and len(v.split()) <= DESCRIBE_WORDS and not any(c.isdigit() for c in v)]
    names = [x for v in row.values() if isinstance(v, list) for x in v if isinstance(x, str)]
    return ": ".join(part for part in (", ".join(short), ", ".join(names)) if part)
