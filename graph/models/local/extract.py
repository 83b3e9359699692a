"""Argument filling: read each field of the chosen tool's schema and find its value in the request."""

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from typing import Any

from pydantic import ValidationError

from graph.confirm import ONE_POINTED, refers_back
from graph.models.local import entities as e
from graph.models.local import ids, tokens
from graph.models.local.addresses import find_address, find_zip
from graph.models.local.dates import near_days, periods
from graph.models.local.freetext import free_text
from graph.models.local.ids import Context
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.memory import Memory
from graph.models.local.numbers import assign_numbers
from graph.models.local.reading import story_then_ask
from graph.models.local.records import single_out
from graph.models.local.schema import FieldSpec
from graph.models.local.synonyms import COLOURS, ENUM_SYNONYMS, NUMBER_KEYWORDS, SIZES
from graph.models.local.text import (
    ASKS_FOR,
    PRONOUNS,
    SENTENCE,
    SENTENCE_BREAK,
    STOPWORDS,
    content_stems,
    stem,
    swapped_in,
    words,
)
from graph.models.local.toolview import ToolView
from graph.models.local.values import (
    enum_key,
    find_enum,
    find_flag,
    find_one_name,
    find_person_name,
    find_product_name,
    find_reference,
    short_place,
    takes_place,
)

# Specific shapes first, so a later, looser field (a number, a free text) cannot take an id's characters.
ORDER = (
    "email",
    "payment_method",
    "customer",
    "uuid",
    "pattern",
    "order",
    "order_list",
    "item_list",
    "item",
    "line_list",
    "address",
    "address_part",
    "phone",
    "date",
    "integer",
    "number",
    "money",
    "enum",
    "bool",
    "options",
    "person_name",
    "reference",
    "title",
    "list",
    "question",
    "free_text",
)

QUOTED = re.compile(r"[\"“]([^\"”]{2,100})[\"”]")
NAMED = re.compile(
    r"\b(?:named|called|titled|rename\w*\s+(?:\S+\s+){1,3}?to)\s+(.+?)(?=\s+(?:with|under|in|for|at|and)\b|[,.;:!?]|$)",
    re.I,
)
# Site and record codes: PAR, LYO1, PAR-1 (a SKU such as KB-CLICKY-01 has a word after its first dash).
# "raise a critical alert: the label printer in Lyon is down": what follows a colon is the thing itself.
AFTER_COLON = re.compile(r":\s*([^:\n]{3,}?)\s*$")
CODE = re.compile(r"[A-Z]{2,6}(?:-?\d{1,3})?")
CODE_TOKEN = re.compile(r"(?<![\w-])[A-Z]{2,6}(?:-?\d{1,3})?(?![\w-])")
# Slugs: lower-case words joined by dashes (returns-policy, old-shipping-rates).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
SLUG_TOKEN = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w-])")
# A login name in dotted parts ("wendy.warehouse"), not part of an email or a longer name.
HANDLE = re.compile(r"[a-z][a-z0-9]+(?:\.[a-z][a-z0-9]+)+")
HANDLE_TOKEN = re.compile(r"(?<![\w.@-])[a-z][a-z0-9]+(?:\.[a-z][a-z0-9]+)+(?![\w@-]|\.\w)")
# Values a field's examples show the look of, each with how to find one in a request.
SHAPED = ((SLUG, SLUG_TOKEN), (HANDLE, HANDLE_TOKEN))
# "the second one", "the last order": a row of the list the conversation last showed.
ORDINAL = re.compile(r"\bthe\s+(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b", re.I)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1,
            "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
NOT_CODES = frozenset({"SKU", "ID", "USA", "UK", "EU", "OK", "PO", "FAQ", "PDF", "PNG", "ZPL", "EUR", "USD", "GBP"})
# A size said in words after "in": "have you got the black tee in large?".
SIZE_IN_WORDS = re.compile(r"\bin (?:an? )?(extra[ -]small|extra[ -]large|x-large|small|medium|large)\b", re.I)


@dataclass
class Extraction:
    """Arguments found, required fields still missing, and values found but unusable (field -> why)."""

    args: dict[str, Any] = field(default_factory=dict)
    missing: list[FieldSpec] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    spans: int = 0  # how many pieces of the request the arguments took (free text aside)
    wanted: list[FieldSpec] = field(default_factory=list)  # optional fields the request still has to give
    from_row: list[str] = field(default_factory=list)  # fields filled from "the second one" of a list shown
    unseen: list[str] = field(default_factory=list)  # fields named in words ("my visa") the conversation never showed
    named_product: str = ""  # a product a write names in words ("the small sea salt candles"), to be read first


# The parts of an address its postcode fixes.
SAME_AREA = frozenset({"city", "state", "country"})


def _address_parts(ctx: Context) -> dict[str, str]:
    if "address" not in ctx.cache:
        hit = find_address(ctx.request)
        ctx.cache["address"] = hit[0] if hit else {}
        if hit:
            ctx.request.use(hit[1])
    return ctx.cache["address"]


def _address(f: FieldSpec, ctx: Context) -> Any:
    parts = _address_parts(ctx)
    names = {p.name for p in f.properties}
    return {k: v for k, v in parts.items() if k in names} or None


def _address_part(f: FieldSpec, ctx: Context) -> Any:
    parts = _address_parts(ctx)
    if f.name == "zip" and "zip" not in parts and (found := find_zip(ctx.request)):
        ctx.request.use(found)
        return found.value
    if f.name not in parts and f.name in SAME_AREA and "zip" in parts \
            and parts["zip"] == ctx.memory.recall("zip", "zip"):
        # A move within the same postcode ("107 Boulevard Voltaire, same zip, 75011") stays in the city and
        # country of the address the conversation read.
        return ctx.memory.recall(f.name, f.name)
    return parts.get(f.name)


def _phone(f: FieldSpec, ctx: Context) -> Any:
    for found in ctx.request.find(e.PHONE):
        if sum(c.isdigit() for c in found.text) >= 8:
            ctx.request.use(found)
            return found.text.strip()
    return None


def _date(f: FieldSpec, ctx: Context) -> Any:
    found = ctx.cache.setdefault("periods", periods(ctx.request, ctx.today))
    if not found:
        return None
    end_like = f.words & {"end", "to", "until", "before"}
    _, start, end = found[-1] if end_like and len(found) > 1 else found[0]
    for match, *_ in found:
        ctx.request.use(match)
    day = end if end_like else start
    if f.format == "date-time":
        return f"{day.isoformat()}T{'23:59:59' if end_like else '00:00:00'}"
    return day.isoformat()


def _enum(f: FieldSpec, ctx: Context) -> Any:
    # "mastercard" is a synonym of kind=credit_card but the very value of brand: the exact value wins.
    # The value said where the request asks ("I asked to return a mug ... I would like to register a formal
    # complaint") is the one meant, not one of the story before it.
    asking = [m.span() for m in SENTENCE.finditer(ctx.request.text) if ASKS_FOR.match(m.group(0))]
    hits = find_enum(f, ctx.request, skip=ctx.cache.get("other_enum_values", {}).get(f.name, frozenset()),
                     prefer=asking)
    borrowed = not hits and f.required
    if borrowed:
        # Nothing else names a value the tool needs: the other field's value says it too ("save my new mastercard"
        # is a card), and stays that field's.
        hits = find_enum(f, ctx.request, prefer=asking)
    if not f.required:
        # "low stock report" names the tool, not a filter on severity=low.
        hits = [(v, x) for v, x in hits if not {stem(w) for w in words(x.text)} <= ctx.noise]
        # "who's delivering my chair?" asks of a delivery under way, not for the orders already delivered.
        hits = [(v, x) for v, x in hits if not (str(v).endswith("ed") and words(x.text)[-1].endswith("ing")
                                                and stem(words(x.text)[-1]) == stem(str(v)))]
    if f.type != "array" and len(hits) > 1:
        hits = sorted(hits, key=lambda hit: not any(a <= hit[1].start < b for a, b in asking))
    for _, found in [] if borrowed else hits[: None if f.type == "array" else 1]:
        ctx.request.use(found, soft=True)
    if not hits:
        return None
    return [v for v, _ in hits] if f.type == "array" else hits[0][0]


def _other_enum_values(fields: list[FieldSpec]) -> dict[str, frozenset[str]]:
    """For each enum field, the exact values of the tool's other enum fields."""
    values = {f.name: {enum_key(v) for v in f.enum or (f.item.enum if f.item else ())} for f in fields}
    return {name: frozenset().union(*(v for n, v in values.items() if n != name)) for name in values}


def _free_text(f: FieldSpec, ctx: Context) -> Any:
    """The text in the person's words, without a choice another field took leading a line of it: "major - the base
    splits" answers our question for the severity first, then says what is wrong."""
    value = free_text(f, ctx.request, ctx.noise, echo=ctx.echo)
    choices = ctx.cache.get("other_enum_values", {}).get(f.name, frozenset())
    if not value or not choices:
        return value
    lines = []
    for line in value.split("\n"):
        lead = re.match(r"\s*([\w -]+?)\s*[-–:,.]+\s+(?=\S)", line)
        lines.append(line[lead.end():] if lead and enum_key(lead.group(1)) in choices else line)
    return "\n".join(lines)


def _flag(f: FieldSpec, ctx: Context) -> Any:
    hit = find_flag(f, ctx.request)
    if hit is None:
        return None
    ctx.request.use(hit[1], soft=True)
    return hit[0]


def _options(f: FieldSpec, ctx: Context) -> Any:
    """Variant options: colours, sizes and '<option> <value>' for the option names the examples use."""
    options = {}
    names = {k for ex in f.examples if isinstance(ex, dict) for k in ex} | {"size", "color", "colour"}
    text = ctx.request.text
    for name in sorted(names):
        # A whole word: "sizes do the tshirts come in" names no size.
        m = re.search(rf"\b{name}\b\s*(?:is|:|=)?\s*([\w-]+)", text, re.I)
        if m:
            options["color" if name == "colour" else name] = m.group(1)
    colour = next((c for c in COLOURS if re.search(rf"\b{c}\b", text, re.I)), None)
    if colour and "color" not in options:
        options["color"] = colour
    size = next((s for s in SIZES if re.search(rf"(?<![\w-]){s}(?![\w-])", text)), None)
    if size and "size" not in options:
        options["size"] = size
    if "size" not in options and (worded := SIZE_IN_WORDS.search(text)):
        options["size"] = worded.group(1).lower()  # "the black logo t-shirt in large"
    return options or None


def _person(f: FieldSpec, ctx: Context) -> Any:
    which = "first" if "first" in f.words else "last"
    if one := find_one_name(ctx.request, which):
        ctx.request.use(one)
        return one.value
    if find_one_name(ctx.request, "last" if which == "first" else "first"):
        return None  # "her last name is now Weber" changes no first name
    if "person" not in ctx.cache:
        hit = find_person_name(ctx.request)
        ctx.cache["person"] = hit
        if hit:
            ctx.request.use(hit[2])
    hit = ctx.cache["person"]
    return None if hit is None else hit[0] if "first" in f.words else hit[1]


def _title(f: FieldSpec, ctx: Context) -> Any:
    """A name for something new: quoted, after 'named'/'called'/'rename ... to', or a capitalised phrase."""
    for pattern in (QUOTED, NAMED, AFTER_COLON):
        if found := ctx.request.find(pattern, 1):
            ctx.request.use(found[0])
            return found[0].value.strip()
    # An optional new name needs those cues or capitals: "take it off the shop" renames nothing.
    if (found := find_product_name(ctx.request)) and (f.required or found.text[:1].isupper()):
        ctx.request.use(found)
        return found.value
    return free_text(f, ctx.request, ctx.noise, echo=ctx.echo) if f.required else None


def _reference(f: FieldSpec, ctx: Context) -> Any:
    """A code or name of a record (warehouse, category, brand...), next to the field's word if possible; a value
    shaped as the field's examples where they are slugs ("old-shipping-rates") or login names ("wendy.warehouse")."""
    for whole, token in SHAPED:
        if any(isinstance(x, str) and whole.fullmatch(x) for x in f.examples) and (shaped := ctx.request.find(token)):
            ctx.request.use(shaped[0])
            return shaped[0].value
    found = find_reference(f, ctx.request)
    if found is None and (f.required or any(isinstance(x, str) and CODE.fullmatch(x) for x in f.examples)):
        # Code-like examples (PAR, LYO1), or a value the tool cannot do without: a lone code or name will do.
        found = next((x for x in ctx.request.find(CODE_TOKEN) if x.text not in NOT_CODES), None)
        # A name anywhere will do, unless the request asks which one: "which carrier has the parcel with the two
        # DACs?" names no carrier.
        nouns = "|".join(re.escape(w) for w in sorted(f.words - {"id", "code", "ref"}))
        asks_which = bool(nouns) and re.search(rf"\b(?:which|what)\s+(?:[a-z]+\s+)?(?:{nouns})s?\b",
                                               ctx.request.text, re.I) is not None
        found = found or (find_product_name(_without_goal(f, ctx.request)) if f.required and not asks_which
                          else None)
    if found is not None and e.an_item_code(found.text) and not any(
        isinstance(x, str) and e.an_item_code(x) for x in f.examples
    ):
        return None  # "any HM-CANDLE-04 left in Paris?": an item's SKU names no warehouse, brand or category
    if found is None:
        return None
    ctx.request.use(found)
    return found.value


def _without_goal(f: FieldSpec, request: e.Request) -> e.Request:
    """The request as a source's name is looked for in it: without the place it says is short of the thing, where
    the units go ("Berlin is nearly out of the mugs and Paris has loads": from Paris, however the lines run)."""
    if not (f.words & {"from", "source"} and takes_place(f) and (short := short_place(request))):
        return request
    return e.Request(request.text, [*request.used, (short.start, short.end)], set(request.soft))


def _question(f: FieldSpec, ctx: Context) -> Any:
    # The one question after sentences that only tell is what is asked ("Thinking of getting my dad a DAC amp ... If
    # it turns out faulty after six weeks, can it still go back?"): the story would draw passages about itself.
    ask = story_then_ask(ctx.request.text)
    if ask and ask.rstrip().endswith("?"):
        if LEANS_ON_STORY.match(ask) or (STANDS_FOR.search(ask) and len(
                [s for s in content_stems(ask) if s not in PRONOUNS]) <= FEW_WORDS):
            # "... I got some money on a gift card after a return. does it run out at some point?", "thinking of
            # getting one of your gift cards for my brother. how long would he have to use it?": what "it" is, the
            # sentence before says.
            before = SENTENCE_BREAK.split(ctx.request.text[: ctx.request.text.rfind(ask)].strip())[-1]
            ask = f"{before} {ask}"
        return free_text(f, e.Request(ask), ctx.noise, question=True)
    return free_text(f, ctx.request, ctx.noise, question=True)


# A question whose subject is a word standing for what the story named: "does it run out?", "are they washable?".
LEANS_ON_STORY = re.compile(r"^\s*(?:does|do|did|is|are|was|were|will|would|can|could|has|have)\s+"
                            r"(?:it|they|this|that|these|those)\b(?!\s*[-'])", re.I)
# Or one of few words of its own that speaks of it ("how long would he have to use it?").
STANDS_FOR = re.compile(r"\b(?:it|them|they|these|those)\b(?!\s*[-'])", re.I)
FEW_WORDS = 2


EXTRACTORS = {
    "email": ids.email,
    "payment_method": ids.payment_method,
    "customer": ids.customer,
    "uuid": lambda f, ctx: ids.first(ctx, e.UUID),
    "pattern": ids.pattern,
    "order": ids.order,
    "order_list": lambda f, ctx: [e.order_number(x.value) for x in ctx.request.find(e.ORDER_ID, 1)] or None,
    "item_list": ids.item_list,
    "line_list": ids.line_list,
    "item": ids.item,
    "address": _address,
    "address_part": _address_part,
    "phone": _phone,
    "date": _date,
    "enum": _enum,
    "bool": _flag,
    "options": _options,
    "person_name": _person,
    "reference": _reference,
    "title": _title,
    "question": _question,
    "free_text": _free_text,
}


def _to_named_field(tool: ToolView, said: set[str], result: Extraction) -> None:
    """A new value goes to the one optional field the request names by its word: in "I need to fix a product's brand
    ... it should be Armforge" the capitalised name is the brand, not the product's new name."""
    optional = [(f, {stem(w) for w in f.words}) for f in tool.fields
                if not f.required and kind_of(f) in ("title", "reference", "free_text")]
    named = [f for f, own in optional if f.name not in result.args and own <= said]
    given = [f for f, own in optional if isinstance(result.args.get(f.name), str) and not own & said]
    if len(named) == 1 and len(given) == 1:
        result.args[named[0].name] = result.args.pop(given[0].name)


def _validate(tool: ToolView, result: Extraction) -> None:
    """Drop values the tool's own model rejects: optional ones silently, required ones as problems.

    A rule over several fields ("give either payment_id or order_id") names the fields still to ask for;
    when it names none that is empty, its message itself is the problem to explain.
    """
    if tool.model is None:
        return
    required = {f.name for f in tool.required}
    for _ in range(len(result.args) + 1):
        try:
            tool.model.model_validate(result.args)
            return
        except ValidationError as exc:
            errors = exc.errors()
        bad = {str(err["loc"][0]): err["msg"] for err in errors if err["loc"] and err["type"] != "missing"}
        if not bad:
            if _unsigned(tool, result) or _without_stray(tool, result):
                return
            rules = [err["msg"] for err in errors if not err["loc"]]
            if rules and not any(err["type"] == "missing" for err in errors):
                _rule_problem(tool, result, rules[0])
            return
        for name, problem in bad.items():
            if result.args.pop(name, None) is not None and name in required:
                result.problems[name] = problem


def _picked_for_rule(tool: ToolView, text: str, memory: Memory, result: Extraction, known: set[str]) -> None:
    """A rule asking for one of several fields ("give reply_to or about_order") takes the value a listed record gives
    one of them, when the request's own words pick that record ("tell him it will be there before Friday", of the
    buyer who asked whether it comes before Friday)."""
    for f in tool.fields:
        if f.name in result.args or not re.search(rf"\b{f.name}\b", result.problems[""]):
            continue
        rows = memory.rows_with(f.name, kind_of(f)) or memory.own_ids(f.name, f.description)
        if rows and (value := single_out(rows, f, text, known)) is not None:
            result.args[f.name] = value
            result.from_row.append(f.name)
            result.problems.pop("")
            _validate(tool, result)
            return


def _unsigned(tool: ToolView, result: Extraction) -> bool:
    """Whether the values pass once a sign read from words is dropped: "write off 2, they were lost" counts units
    for a kind of change that takes only positive ones, where an adjustment would take -2."""
    negative = {k: -v for k, v in result.args.items()
                if isinstance(v, int | float) and not isinstance(v, bool) and v < 0}
    if not negative:
        return False
    try:
        tool.model.model_validate({**result.args, **negative})
    except ValidationError:
        return False
    result.args.update(negative)
    return True


def _without_stray(tool: ToolView, result: Extraction) -> bool:
    """Whether the values pass once one optional value is dropped: a rule over several fields refusing a value
    that belongs to something else the person spoke of ("I'd rather not put everything on my amex, add my paypal":
    a PayPal takes no card brand)."""
    required = {f.name for f in tool.required}
    for name in [n for n in result.args if n not in required]:
        rest = {k: v for k, v in result.args.items() if k != name}
        try:
            tool.model.model_validate(rest)
        except ValidationError:
            continue
        result.args.pop(name)
        return True
    return False


def _rule_problem(tool: ToolView, result: Extraction, message: str) -> None:
    """What a rule over several fields still needs: the empty fields it names, else its message."""
    message = re.sub(r"^(value|assertion) error,\s*", "", message, flags=re.I)
    named = [f for f in tool.fields if f.name not in result.args and re.search(rf"\b{f.name}\b", message)]
    if named and not re.search(r"\b(either|or)\b", message):
        result.wanted += named
    else:
        # "give either payment_id or order_id": a choice, which the rule's own words say best.
        result.problems[""] = message


# Asking for part of something: "a partial refund", "refund part of it", "some of the money back", "a bit of money
# back", "a little something back".
PART = re.compile(r"\b(?:partial(?:ly)?|part of|(?:some|a (?:bit|little)) of (?:the |my |his |her |their )?money"
                  r"|some money|(?:a (?:little|small) )?something back)\b", re.I)
# A field whose description says that, left out, it takes all there is ("defaults to all that can still be refunded").
WHOLE_BY_DEFAULT = re.compile(r"\bdefaults? to (?:all|everything|the (?:full|whole|entire))\b", re.I)


def whole_by_default(field: FieldSpec) -> bool:
    """Whether an amount, left out, takes all there is: asked for when part is wanted, no misfit when missing."""
    return kind_of(field) in ("money", "number") and not field.required and bool(
        WHOLE_BY_DEFAULT.search(field.description))


def _named_but_empty(tool: ToolView, text: str, result: Extraction) -> list[FieldSpec]:
    """Fields a change names ("change my phone number", "update the on-time rate of UPS") that took no value,
    when no field to change did.

    A writing tool whose fields are all optional, or whose required fields only say which record to change,
    would otherwise run with nothing to change.
    """
    identifies = REFERENCE_KINDS | {"customer", "reference"}
    if not tool.mutates or not all(kind_of(f) in identifies and f.name in result.args for f in tool.required):
        return []
    # An optional email is a value to set ("update my email"), never how the record is found.
    changes = [f for f in tool.fields if not f.required and kind_of(f) not in (identifies - {"email"}) | {"bool"}]
    if any(f.name in result.args for f in changes):
        return []
    said = {stem(w) for w in words(text)}
    spaced = " ".join(words(text.replace("-", " ")))
    return [f for f in changes if {stem(w) for w in f.words - {"id", "new"}} <= said or _named_but_unit(f, spaced)]


def _named_but_unit(field: FieldSpec, spaced: str) -> bool:
    """Whether the text names a field of three words or more by all but its last, the unit it is kept in, said
    together as in its name ("update their on-time figure": the on_time_rate)."""
    parts = field.name.split("_")
    return len(parts) >= 3 and re.search(rf"\b{' '.join(parts[:-1])}\b", spaced) is not None


def _part_asked(tool: ToolView, text: str, result: Extraction) -> list[FieldSpec]:
    """An amount left out that would default to the whole, when the request asks for part of it ("a partial refund
    on his card"): asked, not run for everything."""
    if not tool.mutates or not PART.search(text):
        return []
    return [f for f in tool.fields if whole_by_default(f) and f.name not in result.args]


_WORDS: dict[tuple, list[str]] = {}


def _words_of(tool: ToolView) -> list[str]:
    """The words a tool's values are found by: its texts, its enum values and their synonyms, number keywords."""
    key = (tool.name, tool.description, tool.examples)
    if key not in _WORDS:
        texts = [tool.description, *tool.examples, *(f.name.replace("_", " ") for f in tool.fields)]
        for f in tool.fields:
            for value in f.enum or (f.item.enum if f.item else ()):
                texts += [str(value).replace("_", " "), *ENUM_SYNONYMS.get(str(value), ())]
            texts += [w for k, found in NUMBER_KEYWORDS.items() if k in f.words for w in found]
        if len(_WORDS) > 4096:  # tools rebuilt with changing texts must not grow the cache forever
            _WORDS.clear()
        # A contraction typed without its apostrophe ("couldnt") is one of the tool's words, no typo of "could".
        _WORDS[key] = sorted({w.replace("'", "") for t in texts for w in words(t)
                              if len(w) >= 3 and w.replace("'", "").isalpha()})
    return _WORDS[key]


def _inflected(word: str, other: str) -> bool:
    """Whether `other` is `word` with an ending: delete/deleted, order/ordered/orders (not refun/refund)."""
    ending = other.removeprefix(word)
    return other != word and other.startswith(word) and (ending in ("s", "es", "ed", "ing") or
                                                          (ending == "d" and word.endswith("e")))


def spelled(text: str, tool: ToolView) -> str:
    """The request with misspelled ordinary words put right against the tool's own words ('recieved').

    Only lower-case words that are neither English nor the tool's are touched: ids, codes and names stay.
    """
    vocabulary = _words_of(tool)

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if len(word) < 4 or tokens.english(word) or word in STOPWORDS:
            return word
        match = swapped_in(word, vocabulary) or next(iter(get_close_matches(word, vocabulary, n=1, cutoff=0.8)), word)
        # Another form of the same word is no typo ("delete" is not the tool's "deleted"): keep the person's own.
        return word if _inflected(word, match) else match

    return re.sub(r"(?<![\w@#.-])[a-z]+(?![\w@-])", fix, text)


def extract(tool: ToolView, text: str, memory: Memory, today: date) -> Extraction:
    """Fill the tool's arguments from the request, then from memory; list what is still missing."""
    # The tool's own name and field words are never what a search is about ("list products in category X").
    noise = {stem(w) for w in words(" ".join([tool.name, *(f.name for f in tool.fields)]).replace("_", " "))}
    claims = {stem(w) for f in tool.fields if kind_of(f) == "reference" for w in f.words} - {"id", "code", "ref"}
    ctx = Context(e.Request(spelled(text, tool)), today, memory, noise, claims, reads=not tool.mutates,
                  echo=frozenset(stem(w) for w in words(tool.description)),
                  places=any(kind_of(f) == "reference" and takes_place(f) for f in tool.fields),
                  in_order=any(kind_of(f) == "order" for f in tool.fields))
    ctx.cache["other_enum_values"] = _other_enum_values(tool.fields)
    result = Extraction()
    fields = sorted(tool.fields, key=lambda f: ORDER.index(kind_of(f)) if kind_of(f) in ORDER else len(ORDER))
    numeric = [f for f in fields if kind_of(f) in ("integer", "number", "money")]
    # A tool answering the message as a question reads its words as the question, not as filters: "what time do
    # I need to order by?" asks about dispatch times, it does not ask for the orders category. A filter is taken
    # only when the request names it ("in the shipping category").
    asks = any(f.required and kind_of(f) == "question" for f in fields)
    said = {stem(w) for w in words(text)}
    for f in fields:
        kind = kind_of(f)
        if asks and not f.required and kind == "enum" and not {stem(w) for w in f.words} & said:
            continue
        if numeric and f is numeric[0]:
            result.args.update(assign_numbers(numeric, ctx.request, ctx.today, result.problems))
        if kind in EXTRACTORS and (value := EXTRACTORS[kind](f, ctx)) is not None:
            result.args[f.name] = value
    ordinal = ORDINAL.search(text)
    for f in fields:
        kind = kind_of(f)
        if ordinal and f.name not in result.args and kind in REFERENCE_KINDS:
            found = memory.row_value(ORDINALS[ordinal.group(1).lower()], f.name, kind)
            if found is not None:
                result.args[f.name] = found
                result.from_row.append(f.name)
    # "approve it", "cancel that one": a record the conversation named or showed, under the field's own name. Never
    # an address: "so it goes to my other address" points at the order, whose own address is the one to replace.
    back = refers_back(text)
    # "that one", or "it" of a day named beside it ("yesterday's bump ... close it off"): one of the records listed.
    pointed = back and (ONE_POINTED.search(text) is not None or bool(near_days(text, ctx.today)))
    for f in fields:
        kind = kind_of(f)
        # A write about "it" ("I want someone from your team to look at it") takes the record in focus even where
        # naming one is optional (the order a support case is about).
        recallable = (f.required and (kind in REFERENCE_KINDS or back and kind != "address_part") or kind == "customer"
                      or bool(back) and tool.mutates and kind in REFERENCE_KINDS)
        if f.name in ctx.cache.get("no_recall", ()) or f.name in result.args or not recallable:
            continue
        value = memory.recall(f.name, kind if kind in REFERENCE_KINDS or kind == "customer" else "")
        if value is None and kind == "item_list" and len({str(i["item_id"]) for i in memory.items}) == 1 and (
                not f.name.startswith("new_")):
            # "return an item please" about an order of one item: that item (a write shows it before it runs). Never
            # its replacement, which is another item.
            value = [str(memory.items[0]["item_id"])]
        if value is None and back and kind != "payment_method":
            # "it arrived broken" points at the order, never at the one payment its history shows: a method
            # is only ever the one the person names.
            value = memory.only_row(f.name, kind)
        if value is None and pointed and f.name.endswith(("_id", "_ref")) and len(memory.rows) > 1:
            # "the order spike on 4 December is our promo, acknowledge that one": of the records listed, the one the
            # request's own words pick (the tool's words, "acknowledge", pick none). "it" alone points at the record
            # in focus, not at one of a list.
            value = single_out(memory.rows_with(f.name, kind), f, text, ctx.echo | noise, today=ctx.today)
            if value is not None:
                result.from_row.append(f.name)
        if value is not None:
            result.args[f.name] = value
    _to_named_field(tool, said, result)
    _validate(tool, result)
    if "" in result.problems and memory.rows:
        _picked_for_rule(tool, text, memory, result, ctx.echo | noise)
    result.wanted += [f for f in _named_but_empty(tool, text, result) if f not in result.wanted]
    result.wanted += [f for f in _part_asked(tool, text, result) if f not in result.wanted]
    if result.wanted:
        # "update my email": asking for the email answers the rule "give at least one field to change" too.
        result.problems.pop("", None)
    result.unseen = sorted(ctx.cache.get("unseen", set()) - set(result.args))
    result.named_product = ctx.cache.get("named_product", "")
    result.spans = len(set(ctx.request.used)) + len(result.from_row)
    result.missing = [f for f in tool.required if f.name not in result.args and f.name not in result.problems]
    result.missing += [f for f in result.wanted if f not in result.missing]
    return result
