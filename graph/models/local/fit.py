"""How well each tool's fields fit what a request says: the write it asks for, the listing it names, the read that
orders or goes on from a result."""

import re
from datetime import date

from graph.models.local.entities import DOCUMENT_NUMBER, SKU, an_item_code
from graph.models.local.extract import Extraction, extract, whole_by_default
from graph.models.local.kinds import kind_of
from graph.models.local.memory import Memory
from graph.models.local.policy import LOOKING
from graph.models.local.reading import (
    LEAD_CLAUSE,
    NOT_MADE,
    WANTS,
)
from graph.models.local.records import (
    record_noun,
    titled_lister,
)
from graph.models.local.schema import FieldSpec
from graph.models.local.similarity import (
    NAME_SYNONYMS,
    Embed,
    rank,
)
from graph.models.local.text import LEAD_IN, stem, words
from graph.models.local.toolview import ToolView
from graph.models.local.values import names_a_described_state, names_a_value

# The endings of a field that names a record by its id rather than giving a value (order_id, shipment_ref).
RECORD_ID_ENDINGS = ("_id", "_ids", "_ref")

# Tools within FIT_MARGIN of the best are compared on how well their fields take the request's values:
# each value a field takes adds FIT_WEIGHT, each required value still missing (a question instead of an
# action) takes MISSING_WEIGHT, at most two of those ("show me my orders" lists them rather than asking which
# one to show).
FIT_MARGIN = 0.1

FIT_WEIGHT = 0.06

MISSING_WEIGHT = 0.1

FIT_CANDIDATES = 4

# Values taken count up to three: "received 20 units of X at PAR-1" fills a movement's item, warehouse, kind and
# quantity, where a stock listing only takes the item and the warehouse.
FIT_SPANS = 3

# The kinds of field that take an item (a product's variant) by its code.
ITEM_KINDS = frozenset({"item", "item_list", "line_list"})

# ("had" opens a question only before a question mark: "Had Louis Smith on the phone, ..." tells.)
QUESTION = re.compile(
    r"^\s*(has|have|had(?=[^.!]*\?)|is|are|was|were|what|what's|whats|where|where's|wheres|when|which|who|how|hows|do"
    r"|does|did|why)\b", re.I
)

# The question words that open a question, with or without its question mark.
WH_QUESTION = re.compile(r"^\s*(?:what|what's|whats|where|where's|wheres|when|how|hows|why)\b", re.I)

# "which returns ...", "what orders ...": a question about records of one kind, by their plural.
WHICH_RECORDS = re.compile(r"^\s*(?:which|what)\s+(\w+s)\b(?!\s+(?:is|was)\b)", re.I)

# "a new email address", "my email changed", "my last name is Dubois now", "wants the email on her account changed",
# "switch the email on my account to ...": the word a new value is given for.
NEW_VALUE = re.compile(r"\bnew\s+(\w+)|\b(\w+)\s+(?:has\s+|have\s+)?changed\b|\b(\w+)\s+is\s+(?:\S+\s+)?now\b"
                       r"|\b(?:the|my|her|his|their|our)\s+(\w+)\s+(?:on|in|of)\s+(?:the|my|her|his|their|our)\s+\w+\s+"
                       r"changed\b|\b(?:switch|change|update|set)\s+(?:the|my|her|his|their|our)\s+(\w+)"
                       r"(?:\s+(?:on|in|of)\s+(?:the|my|her|his|their|our)\s+\w+)?\s+to\b", re.I)

# A value given for the time to come ("please use clara.w@mailbox.org for me from now on") is a new value too.
ONWARD = re.compile(
    r"\b(?:from now on|going forward|from here on|in future|(?:from|as of|starting) (?:today|tomorrow|now))\b", re.I)

# A command to look something up ("find the customer Grace Moreau", "pull up order #W1") reads, as a question does.
READING_VERBS = r"find|show|look\s*up|pull\s+up|display|list|view|search"

READING = re.compile(rf"(?:{READING_VERBS})\b", re.I)

# A clause that tells us to do something to what the request spoke of: "..., pull them from the catalogue",
# "..., bring it down to 19.99", "set up a Garden category", "..., can you sort that?". A verb of looking or telling
# only asks to read.
ORDERED = re.compile(
    r"(?:^|[,;.!]\s*)(?:please\s+|pls\s+|and\s+|so\s+|(?:can|could) you\s+)?"
    rf"(?!(?:{LOOKING}|{READING_VERBS}|tell|give|let)\b)[a-z]{{3,}}\s+"
    r"(?:it|them|this|that|up|down|out|off)\b", re.I)

# Someone needing a thing made for them, anywhere in the request ("I am self-employed and require a proper invoice",
# "my employer needs a proper invoice"), asks for it as surely as "I want ..." (not a list, a look or a status).
NEEDS_ONE = re.compile(r"\b(?:need|needs|require|requires|want|wants)\s+(?:an?|one)\s+"
                       rf"(?!(?:{NOT_MADE})\b)", re.I)

# Reading tools step back this much from a request that says it means to act.
WANTS_PENALTY = 0.1

# "Is it possible to cancel...", "do you mind changing...": polite requests to act, not questions.
POLITE_REQUEST = re.compile(r"^\s*(is it possible|is there (a|any) way|do you mind|would it be possible)\b", re.I)

# A question asks to read, not to change ("did you get my return request?" is not a new return): writing
# tools step back by this much, enough for a reading tool with the same subject to win.
QUESTION_PENALTY = 0.35


def best_fit(
    text: str, ranked: list[tuple[float, ToolView]], memory: Memory, today: date, asking: str = ""
) -> tuple[ToolView, Extraction]:
    """Among tools about as similar as the best, the one whose fields take the request's values.

    "how full is warehouse PAR1" reads like both "how full is each warehouse" (a listing) and "how full is
    the Paris warehouse" (one site's capacity); only the second has a field for PAR1.
    """
    top = ranked[0][0]
    everything = [t for _, t in ranked]
    ranked = named_listing_first(text, ranked)
    scored = []
    # A question may reach a reading tool a little further down (writing tools step back by the penalty).
    # A question put after a statement is one too ("my navy t-shirt hasn't come yet, where is it right now?", "I
    # cancelled an order in september, did the money go back to my paypal? I can't find it").
    # The last clause asks without its question mark when a question word opens it ("..., still not here. wheres
    # it at").
    clauses = LEAD_CLAUSE.split(text.strip())
    put_last = any(QUESTION.match(c) and "?" in c for c in clauses[1:]) or (
        len(clauses) > 1 and bool(WH_QUESTION.match(clauses[-1])))
    question = bool(QUESTION.match(text) or READING.match(LEAD_IN.sub("", text)) or put_last) and not (
        POLITE_REQUEST.match(text))
    # So does a command led by a verb a write goes by ("refund #W1 in full", "pack order W3", "raise a critical
    # alert" for a tool that raises alerts, "change my email" for an update).
    lead = next(iter(words(LEAD_IN.sub("", text))), "")
    # `asking`: the clause the ranking read, when one clause says the job ("..., I'd like to claim the warranty").
    wants = bool(WANTS.match(text) or WANTS.match(asking) or ORDERED.search(text) or NEEDS_ONE.search(text)) or any(
        t.mutates and stem(lead) in verbs_of(t) for _, t in ranked[:FIT_CANDIDATES])
    # A new value for a field a write takes ("I got a new email address: ...", not "a new customer": a record) asks
    # for that change as surely as a question asks to read: reading tools step back as far as writing ones do from
    # a question.
    new = {stem(w) for found in NEW_VALUE.findall(text) for w in found if w}
    # So does saying what a write's state does ("stop syncing the sandbox channel": its status, paused).
    # Or naming the kind of change a write makes ("I need to write off some kettles": a movement of kind write_off).
    changed = set() if question else {t.name for _, t in ranked[:FIT_CANDIDATES] if t.mutates and any(
        new & {stem(w) for w in f.words} or names_a_described_state(f, text) or (f.required and names_a_value(f, text))
        for f in t.fields if not f.name.endswith(RECORD_ID_ENDINGS))}
    if ONWARD.search(text) and not question:
        # The writes taking a value the request gives; else the closest write, which finds what it lacks (the
        # variants of "the white microphone", to set their price).
        writes = [t for _, t in ranked[:FIT_CANDIDATES] if t.mutates]
        changed |= {t.name for t in writes if any(
            not name.endswith(RECORD_ID_ENDINGS) for name in extract(t, text, memory, today).args)} or {
            t.name for t in writes[:1]}
    wants = wants or bool(changed)
    step_back = QUESTION_PENALTY if changed else WANTS_PENALTY
    margin = FIT_MARGIN + (QUESTION_PENALTY if question else step_back if wants else 0.0)
    # An item's code the tool has no field for ("Berlin has none of OD-HEADLAMP-04 left, move 15 over from Paris"
    # is no valuation of the stock) is a misfit twice over: the tool would leave out what the request is about.
    coded = any(an_item_code(m.group(0)) and not DOCUMENT_NUMBER.fullmatch(m.group(0)) for m in SKU.finditer(text))
    for score, tool in (pair for pair in ranked[:FIT_CANDIDATES] if pair[0] >= top - margin):
        extraction = extract(tool, text, memory, today)
        # A change the person means to make asks for its details next: what it still lacks is no misfit.
        meant = tool.name in changed if changed else wants and tool.mutates
        # A record named by its title ("the late tracking updates alert") is found by listing them: no misfit.
        titled = [f for f in extraction.missing if title_words(f, text) and titled_lister(f, tool, everything)]
        # An amount asked for though the tool could run without it (that of "a little something back", which would
        # default to the whole) is no misfit either.
        asked_only = [f for f in extraction.missing if whole_by_default(f)]
        lacking = 0 if meant else min(2, len(extraction.missing) - len(titled) - len(asked_only)
                                      + len(extraction.problems))
        lacking += 2 * (coded and not any(kind_of(f) in ITEM_KINDS for f in tool.fields))
        fit = FIT_WEIGHT * min(FIT_SPANS, extraction.spans) - MISSING_WEIGHT * lacking
        # A question ("has it shipped?") asks to read, not to change: writing tools step back; a request that
        # means to act ("I need to write off some stock") asks to change: reading tools step back.
        # Of the writes, those doing what a statement names come first ("the DPD driver says #W7597876 is out for
        # delivery today" names a tracking event's status, not a new shipment); a question may still ask of another
        # ("..., can I still send it back?" names a return's reason, and may be about a warranty claim), and a command
        # by its verb is that write's ("open a case for ...: he says ... is late").
        penalty = (QUESTION_PENALTY if tool.mutates and question
                   else step_back if wants and not tool.mutates
                   else WANTS_PENALTY if tool.mutates and changed and tool.name not in changed and "?" not in text
                   and stem(lead) not in verbs_of(tool) else 0.0)
        scored.append((score + fit - penalty, tool.name, tool, extraction))
    best = min(scored, key=lambda s: (-s[0], s[1]))
    return best[2], best[3]


def named_listing_first(text: str, ranked: list[tuple[float, ToolView]]) -> list[tuple[float, ToolView]]:
    """"Which returns still need someone to approve them?" asks for a list of returns: the one listing named for the
    records the question asks about reads as well as the best tool, whatever other words it shares."""
    asked = WHICH_RECORDS.match(text)
    listings = [t for _, t in ranked if asked and t.records and not t.required and not t.mutates
                and stem(asked.group(1)) in {stem(w) for w in t.name.split("_")}]
    if len(listings) != 1:
        return ranked
    return [(ranked[0][0], listings[0]), *((s, t) for s, t in ranked if t is not listings[0])]


def verbs_of(tool: ToolView) -> set[str]:
    """The verbs a write goes by: its name's, its description's first word and their everyday words ("change" for
    an update)."""
    verb = tool.name.split("_")[0]
    return {stem(w) for w in (verb, next(iter(words(tool.description)), ""), *NAME_SYNONYMS.get(verb, ()))}


def filled_first(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest write (within FIT_MARGIN of the best reading), when the request gives it most of what it
    needs, worded unlike its examples ("a shelf came down in Paris and 3 of the small sea salt candles got smashed,
    take them off the books" gives a stock movement its product, warehouse, kind and quantity). It asks for what
    is missing, and a confirmed write for a yes."""
    ranked = rank(text, tools, embed)
    lead = ranked[0][0] if ranked else 0.0
    write = next((tool for score, tool in ranked if score >= lead - FIT_MARGIN and tool.mutates), None)
    if write is None:
        return None
    extraction = extract(write, text, memory, today)
    return (write, extraction) if extraction.spans >= FIT_SPANS and not extraction.problems else None


def ordered_first(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest tool, when the request tells us to act ("the self-watering planter is discontinued, take it off
    the shop") and that tool is a write leading every other reading by FIT_MARGIN: worded unlike its examples, but
    nothing else comes close. It asks for what is missing, and a confirmed write for a yes."""
    ranked = rank(text, tools, embed)
    if not ORDERED.search(text) or not ranked or not ranked[0][1].mutates:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < FIT_MARGIN:
        return None
    return ranked[0][1], extract(ranked[0][1], text, memory, today)


def onward_first(
    text: str, tools: list[ToolView], embed: Embed | None, memory: Memory, today: date
) -> tuple[ToolView, Extraction] | None:
    """The closest write, when the request gives a value for the time to come ("the white multi-pattern mic should
    sell for 134.90 from today"): a change, however unlike the write's examples it is worded. Reading tools lead
    it by as much as a question's writes step back from one."""
    if not ONWARD.search(text) or QUESTION.match(text):
        return None
    ranked = rank(text, tools, embed)
    lead = ranked[0][0] if ranked else 0.0
    write = next((tool for score, tool in ranked[:FIT_CANDIDATES]
                  if score >= lead - FIT_MARGIN - QUESTION_PENALTY and tool.mutates), None)
    return (write, extract(write, text, memory, today)) if write is not None else None


def title_words(field: FieldSpec, said: str) -> str | None:
    """The words a request names a record of the field's kind by, between "the" and its noun ("late tracking
    updates" of "the late tracking updates alert"), if any."""
    noun = record_noun(field)
    named = re.search(rf"\bthe\s+((?:[\w'-]+\s+){{1,5}}?){re.escape(noun)}s?\b", said, re.I) if noun else None
    return named.group(1).strip() if named else None
