"""Argument filling: read each field of the chosen tool's schema and find its value in the request."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from graph.models.local import entities as e
from graph.models.local.addresses import find_address, find_zip
from graph.models.local.dates import periods
from graph.models.local.freetext import free_text
from graph.models.local.kinds import REFERENCE_KINDS, kind_of
from graph.models.local.memory import Memory
from graph.models.local.numbers import assign_numbers
from graph.models.local.schema import FieldSpec
from graph.models.local.synonyms import COLOURS, SIZES
from graph.models.local.text import stem, words
from graph.models.local.toolview import ToolView
from graph.models.local.values import find_enum, find_flag, find_person_name, find_product_name, find_reference

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
    "list",
    "question",
    "free_text",
)
PAIR = re.compile(r"(\d{10})\s*(?:->|→|to|for|with|into|by)\s+(?:(?:the|a|an|item|variant|one|id)\s+)*(\d{10})", re.I)
CODE = re.compile(r"[A-Z]{2,6}\d{0,3}")
CODE_TOKEN = re.compile(r"(?<![\w-])[A-Z]{2,6}\d{0,3}(?![\w-])")
NOT_CODES = frozenset({"SKU", "ID", "USA", "UK", "EU", "OK", "PO", "FAQ", "PDF", "PNG", "ZPL", "EUR", "USD", "GBP"})
FIRST_PERSON = re.compile(r"\b(i|i'm|im|me|my|mine|myself)\b", re.I)
PAYMENT_HINTS = {"gift": "gift", "paypal": "paypal", "card": "card", "visa": "visa", "mastercard": "mastercard"}


@dataclass
class Extraction:
    """Arguments found, required fields still missing, and values found but unusable (field -> why)."""

    args: dict[str, Any] = field(default_factory=dict)
    missing: list[FieldSpec] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    spans: int = 0  # how many pieces of the request the arguments took (free text aside)


@dataclass
class Context:
    """What every field extractor may use: the request, the date, the tool's words and shared parses."""

    request: e.Request
    today: date
    memory: Memory
    noise: set[str]
    cache: dict[str, Any] = field(default_factory=dict)


def _first(ctx: Context, pattern: re.Pattern, group: int | str = 0) -> Any:
    found = ctx.request.find(pattern, group)
    if not found:
        return None
    ctx.request.use(found[0])
    return found[0].value


def _order(f: FieldSpec, ctx: Context) -> Any:
    if (digits := _first(ctx, e.ORDER_ID, 1)) is not None:
        return e.order_number(digits)
    bare = _first(ctx, re.compile(r"\border\s+(?:number\s+|no\.?\s*)?(\d{5,9})\b", re.I), 1)
    return e.order_number(bare) if bare else None


def _customer(f: FieldSpec, ctx: Context) -> Any:
    for found in ctx.request.find(e.CUSTOMER_ID):
        if not e.PAYMENT_METHOD_ID.fullmatch(found.text):
            ctx.request.use(found)
            return found.value
    if "email" in f.description.lower() and (email := _first(ctx, e.EMAIL)):
        return email
    # Tools that let customers name themselves ("customers may say 'me'") get "me" for "my ..." requests.
    if f.required and "me" in f.examples and FIRST_PERSON.search(ctx.request.text):
        return "me"
    return None


def _payment_method(f: FieldSpec, ctx: Context) -> Any:
    if (value := _first(ctx, e.PAYMENT_METHOD_ID)) is not None:
        return value
    hints = {v for k, v in PAYMENT_HINTS.items() if k in ctx.request.text.lower()}
    return ctx.memory.payment_method(hints) if hints else None


def _pattern(f: FieldSpec, ctx: Context) -> Any:
    try:
        pattern = re.compile(f.pattern)
    except re.error:
        return None
    for m in re.finditer(r"[^\s,;!?()]+", ctx.request.text):
        token = m.group(0).rstrip(".:")
        if pattern.fullmatch(token) and ctx.request.free(m.start(), m.start() + len(token)):
            ctx.request.use(e.Found(token, token, m.start(), m.start() + len(token)))
            return token
    return None


def _pairs(ctx: Context) -> list[tuple[str, str]]:
    if "pairs" not in ctx.cache:
        ctx.cache["pairs"] = [(m.group(1), m.group(2)) for m in PAIR.finditer(ctx.request.text)]
    return ctx.cache["pairs"]


def _item_list(f: FieldSpec, ctx: Context) -> Any:
    pairs = _pairs(ctx)
    if f.name.startswith("new_"):
        return [new for _, new in pairs] or None
    ids = [x.value for x in ctx.request.find(e.TEN_DIGIT_ID)] or [x.value.upper() for x in ctx.request.find(e.SKU)]
    news = {new for _, new in pairs}
    ids = [i for i in dict.fromkeys(ids) if i not in news]
    for found in ctx.request.find(e.TEN_DIGIT_ID) + ctx.request.find(e.SKU):
        if found.value in ids or found.value.upper() in ids:
            ctx.request.use(found)
    return ids or None


def _item(f: FieldSpec, ctx: Context) -> Any:
    if (value := _first(ctx, e.TEN_DIGIT_ID)) is not None:
        return value
    skus = [x for x in ctx.request.find(e.SKU) if not e.DOCUMENT_NUMBER.fullmatch(x.text)]
    if skus:
        ctx.request.use(skus[0])
        return skus[0].value.upper()
    if "name" in f.description.lower() and (found := find_product_name(ctx.request)):
        ctx.request.use(found)
        return found.value
    return None


def _line_list(f: FieldSpec, ctx: Context) -> Any:
    """Order lines: each id or SKU with the quantity written before it ('2 of KB-RED-01')."""
    item_field = next((p for p in f.item.properties if kind_of(p) == "item"), None)
    qty_field = next((p for p in f.item.properties if p.type == "integer"), None)
    if item_field is None:
        return None
    lines = []
    for found in ctx.request.find(e.TEN_DIGIT_ID) + [x for x in ctx.request.find(e.SKU)]:
        line = {item_field.name: str(found.value).upper()}
        before = re.search(
            r"(\d+)\s*(?:x|units?|pieces?|of|pcs)?\s*(?:of\s+)?(?:sku\s+|item\s+)?$",
            ctx.request.text[: found.start],
            re.I,
        )
        if qty_field is not None:
            line[qty_field.name] = int(before.group(1)) if before else 1
        ctx.request.use(found)
        lines.append(line)
    return lines or None


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
    hits = find_enum(f, ctx.request)
    if not f.required:
        # "low stock report" names the tool, not a filter on severity=low.
        hits = [(v, x) for v, x in hits if not {stem(w) for w in words(x.text)} <= ctx.noise]
    for _, found in hits[: None if f.type == "array" else 1]:
        ctx.request.use(found, soft=True)
    if not hits:
        return None
    return [v for v, _ in hits] if f.type == "array" else hits[0][0]


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
        m = re.search(rf"\b{name}\s*(?:is|:|=)?\s*([\w-]+)", text, re.I)
        if m:
            options["color" if name == "colour" else name] = m.group(1)
    colour = next((c for c in COLOURS if re.search(rf"\b{c}\b", text, re.I)), None)
    if colour and "color" not in options:
        options["color"] = colour
    size = next((s for s in SIZES if re.search(rf"(?<![\w-]){s}(?![\w-])", text)), None)
    if size and "size" not in options:
        options["size"] = size
    return options or None


def _person(f: FieldSpec, ctx: Context) -> Any:
    if "person" not in ctx.cache:
        hit = find_person_name(ctx.request)
        ctx.cache["person"] = hit
        if hit:
            ctx.request.use(hit[2])
    hit = ctx.cache["person"]
    return None if hit is None else hit[0] if "first" in f.words else hit[1]


def _reference(f: FieldSpec, ctx: Context) -> Any:
    found = find_reference(f, ctx.request)
    if found is None and any(isinstance(x, str) and CODE.fullmatch(x) for x in f.examples):
        # Code-like examples (PAR, LYO1): a lone upper-case code in the request is this field's value.
        found = next((x for x in ctx.request.find(CODE_TOKEN) if x.text not in NOT_CODES), None)
    if found is None:
        return None
    ctx.request.use(found)
    return found.value


EXTRACTORS = {
    "email": lambda f, ctx: _first(ctx, e.EMAIL),
    "payment_method": _payment_method,
    "customer": _customer,
    "uuid": lambda f, ctx: _first(ctx, e.UUID),
    "pattern": _pattern,
    "order": _order,
    "order_list": lambda f, ctx: [e.order_number(x.value) for x in ctx.request.find(e.ORDER_ID, 1)] or None,
    "item_list": _item_list,
    "line_list": _line_list,
    "item": _item,
    "address": _address,
    "address_part": _address_part,
    "phone": _phone,
    "date": _date,
    "enum": _enum,
    "bool": _flag,
    "options": _options,
    "person_name": _person,
    "reference": _reference,
    "question": lambda f, ctx: free_text(f, ctx.request, ctx.noise, question=True),
    "free_text": lambda f, ctx: free_text(f, ctx.request, ctx.noise),
}


def _validate(tool: ToolView, result: Extraction) -> None:
    """Drop values the tool's own model rejects: optional ones silently, required ones as problems."""
    if tool.model is None:
        return
    required = {f.name for f in tool.required}
    for _ in range(len(result.args) + 1):
        try:
            tool.model.model_validate(result.args)
            return
        except ValidationError as exc:
            bad = {str(err["loc"][0]): err["msg"] for err in exc.errors() if err["loc"] and err["type"] != "missing"}
        if not bad:
            return
        for name, problem in bad.items():
            if result.args.pop(name, None) is not None and name in required:
                result.problems[name] = problem


def extract(tool: ToolView, text: str, memory: Memory, today: date) -> Extraction:
    """Fill the tool's arguments from the request, then from memory; list what is still missing."""
    # The tool's own name and field words are never what a search is about ("list products in category X").
    noise = {stem(w) for w in words(" ".join([tool.name, *(f.name for f in tool.fields)]).replace("_", " "))}
    ctx = Context(e.Request(text), today, memory, noise)
    result = Extraction()
    fields = sorted(tool.fields, key=lambda f: ORDER.index(kind_of(f)) if kind_of(f) in ORDER else len(ORDER))
    numeric = [f for f in fields if kind_of(f) in ("integer", "number", "money")]
    for f in fields:
        kind = kind_of(f)
        if numeric and f is numeric[0]:
            result.args.update(assign_numbers(numeric, ctx.request, ctx.today, result.problems))
        if kind in EXTRACTORS and (value := EXTRACTORS[kind](f, ctx)) is not None:
            result.args[f.name] = value
    for f in fields:
        kind = kind_of(f)
        if f.name not in result.args and (f.required and kind in REFERENCE_KINDS or kind == "customer"):
            if (value := memory.recall(f.name, kind)) is not None:
                result.args[f.name] = value
    _validate(tool, result)
    result.spans = len(set(ctx.request.used))
    result.missing = [f for f in tool.required if f.name not in result.args and f.name not in result.problems]
    return result
