"""Identifier arguments: order numbers, customer and payment method ids, item ids and SKUs, order lines."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.models.local import entities as e
from graph.models.local import tokens
from graph.models.local.freetext import search_terms
from graph.models.local.kinds import kind_of
from graph.models.local.memory import Memory
from graph.models.local.numbers import assign_numbers
from graph.models.local.records import ONESELF, whose
from graph.models.local.schema import FieldSpec
from graph.models.local.text import NUMBER_WORDS, STOPWORDS, stem
from graph.models.local.values import find_flag, find_person_name, find_product_name
from graph.models.local.variants import named_variant, replacement

PAIR = re.compile(r"(\d{10})\s*(?:->|→|to|for|with|into|by)\s+(?:(?:the|a|an|item|variant|one|id)\s+)*(\d{10})", re.I)
# The same with SKUs, a few words allowed between the first and the word that pairs them ("AP-TEE-01 t-shirt from
# #W6710201 for AP-TEE-03").
SKU_PAIR = re.compile(rf"({e.SKU.pattern})(?:\s+[\w#'-]+){{0,5}}?\s+(?:->|→|for|with|into)\s+"
                      rf"(?:(?:the|a|an|item|variant|one)\s+)*({e.SKU.pattern})")
# A paper's number: letters, then dashes and digits alone (a delivery note DN-58812, a purchase order PO-2026-0131),
# where a SKU has a word in it too.
PAPER_NUMBER = re.compile(r"[A-Za-z]{1,4}(?:-\d{3,})+")
# An email told as someone's own ("his email is louis.smith93@example.com if you need it") or in brackets beside them
# ("Camille Jansen on the phone (camille.jansen43@example.com)") says who they are; a new one is said to be new ("her
# new email is (...)", "his email is now ...").
THEIR_EMAIL = re.compile(r"\b(?:his|her|their|the customer'?s)\s+e-?mail(?:\s+address)?\s+is\s*:?\s*$", re.I)
BRACKETED = re.compile(r"\(\s*$")
SAID_NEW = re.compile(r"\bnew\b[^.!?]*$", re.I)

FIRST_PERSON = re.compile(r"\b(i|i'm|im|me|my|mine|myself)\b", re.I)
# A method named only to be set aside: "with my visa rather than PayPal", "not the gift card, my amex".
SET_ASIDE = re.compile(r"\b(?:rather than|instead of|not|except)\s+(?:(?:with|by|on|my|the|a|your)\s+)*"
                       r"[\w-]+(?:\s+(?:card|account))?", re.I)
PAYMENT_HINTS = {
    "gift": "gift",
    "paypal": "paypal",
    "card": "card",
    "visa": "visa",
    "mastercard": "mastercard",
    "amex": "amex",
    "american express": "amex",
    # The method the order was paid with, named by how it was used ("refund it the way I paid").
    "original": "original",
    "same card": "original",
    "same method": "original",
    "same way": "original",
    "way i paid": "original",
    "paid with": "original",
    "used to pay": "original",
    # Money given back, with no method named, goes back where it came from ("send it back and get my money back").
    "money back": "original",
}
CARD_BRANDS = frozenset({"visa", "mastercard", "amex"})
# Words that name an optional coded field without its own name ("the card ending in 4242").
PATTERN_CUES = {"last_four": ("ending", "ends", "ending in", "ends in", "digits")}


@dataclass
class Context:
    """What every field extractor may use: the request, the date, the tool's words and shared parses."""

    request: e.Request
    today: date
    memory: Memory
    noise: set[str]
    # Words naming the tool's other reference fields ("warehouse"): a code right after one belongs there.
    claims: set[str] = field(default_factory=set)
    cache: dict[str, Any] = field(default_factory=dict)
    # A reading tool may try a loose name ("gray hoody"): a wrong guess costs a not-found, never a write.
    reads: bool = False
    # The stems of the tool's description: free text made only of them says what the tool does, nothing more.
    echo: frozenset[str] = frozenset()
    # The tool also takes a place (a warehouse by its city): "in Paris" names that, not a product.
    places: bool = False
    # The tool also takes an order: an item it takes is a line of that order, which the order's own lines resolve.
    in_order: bool = False


def first(ctx: Context, pattern: re.Pattern, group: int | str = 0) -> Any:
    """The first unused match of the pattern (marked used), or None."""
    found = ctx.request.find(pattern, group)
    if not found:
        return None
    ctx.request.use(found[0])
    return found[0].value


def order(f: FieldSpec, ctx: Context) -> Any:
    """An order number (#W1234567, W1234567, #1234567 or 'order 1234567'), canonical."""
    if (digits := first(ctx, e.ORDER_ID, 1)) is not None:
        return e.order_number(digits)
    bare = first(ctx, re.compile(r"\border\s+(?:number\s+|no\.?\s*)?(\d{5,9})\b", re.I), 1)
    return e.order_number(bare) if bare else None


def told_as_theirs(found: e.Found, ctx: Context) -> bool:
    """Whether an email is told as someone's own, saying who they are (THEIR_EMAIL, BRACKETED)."""
    before = ctx.request.text[: found.start]
    return bool(THEIR_EMAIL.search(before) or BRACKETED.search(before) and not SAID_NEW.search(before))


def email(f: FieldSpec, ctx: Context) -> Any:
    """The first unused email; a field that is only a value to set (optional) leaves one that says who someone is."""
    for found in ctx.request.find(e.EMAIL):
        if f.required or not told_as_theirs(found, ctx):
            ctx.request.use(found)
            return found.value
    return None


def customer(f: FieldSpec, ctx: Context) -> Any:
    """A customer id (first_last_1234), an email where the field takes one, or 'me' where allowed."""
    for found in ctx.request.find(e.CUSTOMER_ID):
        if not e.PAYMENT_METHOD_ID.fullmatch(found.text):
            ctx.request.use(found)
            return found.value
    if "email" in f.description.lower() and (email := first(ctx, e.EMAIL)):
        return email
    for found in ctx.request.find(e.EMAIL):
        if told_as_theirs(found, ctx):
            ctx.request.use(found)
            return found.value
    if (person := whose(f, ctx.request.text)) != ONESELF:
        return person
    # Tools that let customers name themselves ("customers may say 'me'") get "me" for "my ..." requests, and
    # for requests that name nobody at all ("gift card balance?"): staff are then told to say which customer.
    if f.required and "me" in f.examples:
        nobody = not ctx.request.find(e.EMAIL) and find_person_name(ctx.request) is None
        if FIRST_PERSON.search(ctx.request.text) or nobody:
            return "me"
    return None


def payment_method(f: FieldSpec, ctx: Context) -> Any:
    """A payment method id, or the saved method a word names ('my gift card') from memory."""
    if (value := first(ctx, e.PAYMENT_METHOD_ID)) is not None:
        return value
    text = SET_ASIDE.sub(" ", ctx.request.text.lower())
    hints = {v for k, v in PAYMENT_HINTS.items() if k in text}
    if re.search(r"\b(?:ending|ends)\b", text):
        hints |= set(re.findall(r"\b\d{4}\b", text))  # "the visa ending 6832"
    if hints - {"card"}:
        hints.discard("card")  # "my gift card", "my visa card": the other word says which card
    if not hints:
        return None
    found = ctx.memory.payment_method(hints)
    if found is None and hints & CARD_BRANDS:
        # "my visa" is a credit card, even where the brand is not shown (a gift card is no visa).
        found = ctx.memory.payment_method({"credit_card"})
    if found is None:
        # The person named a method this conversation has not shown: ask, never fall back to another one.
        ctx.cache.setdefault("no_recall", set()).add(f.name)
        ctx.cache.setdefault("unseen", set()).add(f.name)
    return found


# Words, codes and numbers of other kinds: a pattern matching any of them could be naming something else.
OTHER_TOKENS = ("create", "Paris", "PAR-1", "KB-CLICKY-01", "12345", "#W2611340", "W2611340", "ava_martin_7243",
                "2026-12-04", "ABC123", "abc123")


def _loose(pattern: re.Pattern) -> bool:
    return any(pattern.fullmatch(token) for token in OTHER_TOKENS)


def pattern(f: FieldSpec, ctx: Context) -> Any:
    """The first word of the request that matches the field's own pattern, code-like words first."""
    try:
        pattern = re.compile(f.pattern)
    except re.error:
        return None
    example = next((str(x) for x in f.examples), "")
    # A loose pattern (codes of letters and digits) also matches ordinary words such as "create": unless the
    # examples are lower-case words themselves, only a token that looks like a code counts.
    words_allowed = example.isalpha() and example.islower()
    loose = _loose(pattern)
    skus_foreign = not any(e.an_item_code(str(x)) for x in f.examples)
    candidates = []
    cue = "|".join(map(re.escape, [f.name.split("_")[-1], *PATTERN_CUES.get(f.name, ())]))
    for m in re.finditer(r"[^\s,;!?()]+", ctx.request.text):
        token = m.group(0).rstrip(".:")
        if token.isalpha() and token.islower() and not words_allowed:
            continue
        # An optional field (a new code in an update) takes a value only when the request names the field, unless
        # its pattern takes nothing else people write ("from 198.51.100.23" is an IP address).
        if not f.required and loose and not re.search(rf"\b(?:{cue})\W+\S*$", ctx.request.text[: m.start()], re.I):
            continue
        # An item's SKU (KB-CLICKY-01) is no tracking number or other code whose examples look otherwise.
        if skus_foreign and e.an_item_code(token):
            continue
        if pattern.fullmatch(token) and ctx.request.free(m.start(), m.start() + len(token)):
            candidates.append((token, m.start()))
    # "Please create warehouse MRS-1": a word with digits, a dash or only capitals is the code, not "Please";
    # failing that, any match that is not an ordinary English word.
    coded = [c for c in candidates if not words_allowed and _code_like(c[0])]
    plain = [c for c in candidates if words_allowed or c[0].lower() not in tokens.vocabulary()]
    # "code mondial_relay", "its code is gls": the value right after the field's own word comes first.
    cued = [c for c in candidates if c[0].lower() not in STOPWORDS
            and re.search(rf"\b(?:{cue})(?:\s+is|\s*[:=])?\s+$", ctx.request.text[: c[1]], re.I)]
    for token, start in cued or coded or plain:
        ctx.request.use(e.Found(token, token, start, start + len(token)))
        return token
    return None


def _code_like(token: str) -> bool:
    return any(c.isdigit() for c in token) or "-" in token or (token.isupper() and len(token) >= 2)


def swaps(ctx: Context) -> list[tuple[str, str]]:
    """'X for Y' pairs of item ids: X goes to item_ids, Y to new_item_ids. Pairs of SKUs count where the
    conversation showed both: X among the order's lines, Y among the product's variants."""
    if "pairs" not in ctx.cache:
        ctx.cache["pairs"] = [(m.group(1), m.group(2)) for m in PAIR.finditer(ctx.request.text)] or sku_swaps(ctx)
    return ctx.cache["pairs"]


def sku_swaps(ctx: Context) -> list[tuple[str, str]]:
    """'AP-TEE-01 t-shirt from #W6710201 for AP-TEE-03': the pair's item ids, each found by its SKU."""
    lines = {str(line.get("sku", "")).upper(): str(line["item_id"]) for line in ctx.memory.items}
    variants = {str(v.get("sku", "")).upper(): str(v["item_id"]) for v in ctx.memory.variants}
    pairs = [(lines.get(m.group(1).upper()), variants.get(m.group(2).upper())) for m in SKU_PAIR.finditer(
        ctx.request.text)]
    return [(old, new) for old, new in pairs if old and new and old != new]


def item_list(f: FieldSpec, ctx: Context) -> Any:
    """Item ids (or SKUs) in order of mention; new_* fields get the replacements of 'X for Y' pairs.

    With an order's lines in memory, a SKU or a product named in the request ("the tent") stands for its line.
    """
    pairs = swaps(ctx)
    if f.name.startswith("new_"):
        return [new for _, new in pairs] or replacements(ctx) or None
    if pairs and not PAIR.search(ctx.request.text):
        return list(dict.fromkeys(old for old, _ in pairs))  # pairs of SKUs, already read as item ids
    ids = [x.value for x in ctx.request.find(e.TEN_DIGIT_ID)] or [x.value.upper() for x in ctx.request.find(e.SKU)]
    news = {new for _, new in pairs}
    ids = [i for i in dict.fromkeys(ids) if i not in news]
    for found in ctx.request.find(e.TEN_DIGIT_ID) + ctx.request.find(e.SKU):
        if found.value in ids or found.value.upper() in ids:
            ctx.request.use(found)
    if ctx.memory.items and not pairs:
        by_sku = {str(line.get("sku", "")).upper(): line["item_id"] for line in ctx.memory.items}
        ids = [by_sku.get(i, i) for i in ids] or order_lines(ctx.request.text, ctx.memory.items)
    return ids or None


def replacements(ctx: Context) -> list[str] | None:
    """The replacements of the order lines a request names, each by the options it names ("the socks in W1 will
    be too small, I need the 43-46 size"), from the variants listed in this conversation."""
    if not ctx.memory.items or not ctx.memory.variants:
        return None
    named = set(order_lines(ctx.request.text, ctx.memory.items))
    lines = [line for line in ctx.memory.items if line["item_id"] in named]
    found = [replacement(line, ctx.memory.variants, ctx.request.text) for line in lines]
    return found if found and all(found) else None


# The clauses of a reply naming order lines, and what says a clause names the lines kept, not the ones meant.
ITEM_CLAUSES = re.compile(r"[.;!?,]\s*|\s+but\s+", re.I)
KEEPING = re.compile(r"\b(?:(?:is|are)\s+(?:fine|ok|okay|good|perfect|staying)|(?:i'?ll|i\s+will|i'?m|i\s+am)\s+"
                     r"keep(?:ing)?|can\s+stay)\b|^\s*(?:and\s+)?keeping\b", re.I)

# "my chair order" names the order by a thing in it, and "the t-shirt that came with my DAC amp" by what came with
# it: neither is a thing meant.
ORDER_BY_ITEM = re.compile(r"\b[\w-]+\s+order\b", re.I)
CAME_WITH = re.compile(r"\b(?:came|arrived|ordered|bought|got)\s+(?:together\s+)?(?:with|alongside)\s+"
                       r"(?:my|the|a|an)\s+[\w-]+(?:\s+[\w-]+)?", re.I)

# Some of a line's units: "the other two", "two of them", "3 of those".
SOME_OF_THEM = re.compile(rf"\b(?:the\s+other|the\s+remaining|another)\s+(\d+|{'|'.join(NUMBER_WORDS)})\b"
                          rf"|\b(\d+|{'|'.join(NUMBER_WORDS)})\s+of\s+(?:them|those|these)\b", re.I)
# Everything, or the order itself sent back ("I want to return the order for a refund").
ALL_ITEMS = re.compile(
    r"\b(everything|all (?:of )?(?:the |my )?(?:items|of it|things|products)|whole order|all of them|"
    r"(?:return|send back)\s+(?:the|my|this|that)\s+(?:entire\s+)?order)\b", re.I
)


def order_lines(text: str, lines: list[dict[str, Any]]) -> list[str]:
    """Item ids of the order lines a request names by product ("the speaker"), one per unit ('both', 'all')."""
    if ALL_ITEMS.search(text):
        return [line["item_id"] for line in lines for _ in range(int(line.get("quantity") or 1))]
    # "just the navy t-shirt. the chair and the bottles are fine": the things kept are not the ones meant.
    text = SET_ASIDE.sub(" ", " ".join(c for c in ITEM_CLAUSES.split(text) if not KEEPING.search(c)))
    text = CAME_WITH.sub(" ", ORDER_BY_ITEM.sub(" order", text))
    said = {stem(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower())}
    picked = []
    names = {line["item_id"]: [w for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", str(line.get("name", "")).lower())
                               if len(w) > 2] for line in lines}
    both = re.search(r"\b(both|all|every)\b", text, re.I)
    for line in lines:
        name = names[line["item_id"]]
        # The product's head noun ("Boom Cube Bluetooth Speaker" -> speaker) or its whole name.
        if name and (stem(name[-1]) in said or all(stem(w) in said for w in name)):
            picked += [line["item_id"]] * (int(line.get("quantity") or 1) if both else 1)
    if not picked:
        # Or another word of its name, when that word is one line's alone ("the DAC" of the Bitstream DAC Amp).
        named = [line for line in lines if any(stem(w) in said and w.isalpha() for w in names[line["item_id"]])]
        if len({line["item_id"] for line in named}) == 1:
            picked = [named[0]["item_id"]] * (int(named[0].get("quantity") or 1) if both else 1)
    if len(set(picked)) == 1 and not both and (some := SOME_OF_THEM.search(text)):
        # "can the other two go back?" of three speakers: that many units of the one line named.
        said_count = some.group(1) or some.group(2)
        count = int(said_count) if said_count.isdigit() else NUMBER_WORDS[said_count.lower()]
        line = next(line for line in lines if line["item_id"] == picked[0])
        picked = picked[:1] * min(count, int(line.get("quantity") or count))  # the tool checks what may come back
    return picked


def item(f: FieldSpec, ctx: Context) -> Any:
    """A 10-digit item or product id, else a SKU, else a product name where the field takes names."""
    if (value := first(ctx, e.TEN_DIGIT_ID)) is not None:
        return value
    # A site's code ("only 2 left in LYS-1") is no SKU where the tool also takes a place.
    skus = [x for x in ctx.request.find(e.SKU) if not e.DOCUMENT_NUMBER.fullmatch(x.text) and not claimed(ctx, x)
            and not (ctx.places and e.SITE_CODE.fullmatch(x.text))]
    # Letters and a number alone ("delivery note DN-58812: 40 x KB-CLICKY-01") are a paper's number beside a SKU.
    skus.sort(key=lambda x: bool(PAPER_NUMBER.fullmatch(x.text)))
    if skus:
        ctx.request.use(skus[0])
        return skus[0].value.upper()
    takes_names = "name" in f.description.lower()
    found = find_product_name(ctx.request, ctx.places, options=True) if takes_names else None
    if found and not claimed(ctx, found):
        ctx.request.use(found)
        if ctx.reads or found.text[:1].isupper():
            return found.value
        # A line of the order the conversation showed, named by its product ("the monitor arm"), is that line.
        if len(lines := set(order_lines(found.value, ctx.memory.items))) == 1:
            return lines.pop()
        if ctx.in_order and not ctx.memory.items:
            # Its order's lines are not at hand ("the clacky keyboard I bought in august" named the order by its
            # product): the tool finds the line by its product's name within that one order, or says it cannot.
            return found.value
        # Otherwise a write never guesses from loose words ("the small sea salt candles"): the product is read
        # first, and the variant the request's options narrow its listing to is the one written.
        if (listed := _listed_item(f, ctx)) is not None:
            return listed
        ctx.cache["named_product"] = found.value
        return None
    if takes_names and f.required and ctx.reads and ctx.memory.recall(f.name, "item") is None:
        # Named in lower case, misspelt or in part ("price of the gray hoody size L"): the words left over,
        # which the tool matches loosely against its catalogue.
        return loose_name(ctx) or None
    return None


def _listed_item(f: FieldSpec, ctx: Context) -> str | None:
    """The product (for a product field) or the variant the request names, from the product's variants the
    conversation listed last."""
    rows = [r for r in ctx.memory.rows if r.get("item_id") and isinstance(r.get("options"), dict)]
    products = {str(r.get("product_id")) for r in rows}
    if "product" in f.words:
        return products.pop() if len(products) == 1 else None
    chosen = named_variant(rows, ctx.request.text)
    return None if chosen is None else str(chosen["item_id"])


def loose_name(ctx: Context) -> str:
    """The request's remaining words that could name a product: no filler, codes, numbers or the tool's words."""
    terms = search_terms(ctx.request, ctx.noise).split()
    return " ".join(w for w in terms if not e.SKU.fullmatch(w) and not re.fullmatch(r"[A-Z]{2,6}-?\d*|\d+", w))


def claimed(ctx: Context, found: e.Found) -> bool:
    """True when the word before a code names another field ('warehouse PAR-1' is not a SKU)."""
    before = re.findall(r"[a-z]+", ctx.request.text[: found.start].lower())[-1:]
    return bool(before) and stem(before[0]) in ctx.claims


def _change_line(f: FieldSpec, item_field: FieldSpec, ctx: Context) -> list[dict] | None:
    """The one item a request changes and the values it gives it: its price, cost or weight by their words, and
    whether it is sold ("mark AP-CAP-01 as unavailable"). The item may also be the record the request names, or the
    variant its words name among the product's variants the conversation read."""
    items = [m.group(0) for m in e.SKU.finditer(ctx.request.text)] + [m.group(0) for m in
                                                                       e.TEN_DIGIT_ID.finditer(ctx.request.text)]
    if not items and (listed := _listed_item(item_field, ctx)) is not None:
        items = [listed]  # named in words ("the white multi-pattern microphone"), from its variants read for it
    if len(set(items)) != 1:
        return None
    for found in ctx.request.find(e.SKU) + ctx.request.find(e.TEN_DIGIT_ID):
        ctx.request.use(found)  # the digits of "HM-APRON-1" are no price or weight
    values: dict[str, Any] = {}
    numeric = [p for p in f.item.properties if p.type in ("number", "integer") or kind_of(p) == "money"]
    if numeric:
        values.update(assign_numbers(numeric, ctx.request, ctx.today, {}))
    for prop in f.item.properties:
        if prop.type == "boolean" and (hit := find_flag(prop, ctx.request)) is not None:
            ctx.request.use(hit[1], soft=True)
            values[prop.name] = hit[0]
    return [{item_field.name: items[0].upper(), **values}] if values else None


def line_list(f: FieldSpec, ctx: Context) -> Any:
    """Order lines: each id or SKU with the quantity written before it ('2 of KB-RED-01'). Lines without a
    quantity are changes to one item ("set the price of AP-CAP-02 to 23.50")."""
    item_field = next((p for p in f.item.properties if kind_of(p) == "item"), None)
    qty_field = next((p for p in f.item.properties if p.type == "integer"), None)
    if item_field is None:
        return None
    if qty_field is None:
        return _change_line(f, item_field, ctx)
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
    if not lines and ctx.memory.items and not ALL_ITEMS.search(ctx.request.text):
        # Named by its product ("just the stand, the chair is staying"): that line of the order the conversation
        # showed, once for each unit named. (Everything is no line at all: all that can still come back.)
        picked = order_lines(ctx.request.text, ctx.memory.items)
        lines = [{item_field.name: item_id, qty_field.name: picked.count(item_id)} for item_id in dict.fromkeys(picked)]
    return lines or None
