"""Numbers for integer, decimal and money fields: each number goes to the field whose keyword is nearest."""

import re
from datetime import date
from typing import Any

from graph.models.local.dates import days_of_month, period_days
from graph.models.local.entities import CURRENCY, Found, Request, money, numbers
from graph.models.local.schema import FieldSpec
from graph.models.local.text import last_ask_start, stem
from graph.models.local.values import SET_TO_REACH, keyword_distance, keywords, tokens

# A number given as a percentage ("on time 91 % of the time").
PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per\s*cent\b)", re.I)
# Comparisons that say which end of a range a price is ("under 50" is a maximum).
UPPER = ("under", "below", "less", "cheaper", "most", "max", "maximum", "upto", "within")
LOWER = ("over", "above", "more", "least", "min", "minimum", "from", "expensive")
# A number written in another unit than the field's own ("500 g" for weight_kg): field unit -> unit -> factor.
UNITS = {"kg": {"g": 0.001, "gr": 0.001, "gram": 0.001, "grams": 0.001, "lb": 0.4536, "lbs": 0.4536}}
UNIT_AFTER = re.compile(r"\s*([a-z]+)\b", re.I)
# Words that make a signed count a decrease ("remove 2", "3 fewer than the system says", "2 went missing").
DECREASE = frozenset(stem(w) for w in (
    "remove", "removed", "minus", "fewer", "less", "missing", "lost", "short", "subtract", "deduct", "decrease",
    "down", "take", "took", "gone",
))
# Words that open a command without being its verb.
POLITE = frozenset({"please", "pls", "plz", "kindly"})
CENTS = re.compile(r"\d+\.\d\d")
# How many words from the number such a word may stand.
DECREASE_REACH = 3
# A number of things: "two more Halo lamps", "3 cracked mugs" (a plural at most three words on, no span of time).
COUNTED = re.compile(r"\s+(?:(?:more|extra|other|further)\s+)?(?:[\w-]+\s+){0,2}?([a-z]{3,}s)\b", re.I)
TIME_UNITS = frozenset({"seconds", "minutes", "hours", "days", "weeks", "months", "years", "percent"})
# A score on a scale: "4 out of 5", "8/10".
SCORE = re.compile(r"(?<![\w.])(\d{1,3})\s*(?:out\s+of|/)\s*(\d{1,3})(?![\w.])", re.I)
BETWEEN = re.compile(
    rf"\bbetween\s+[€$£]?\s?(\d+(?:\.\d+)?)\s*(?:{CURRENCY}\s+)?and\s+[€$£]?\s?(\d+(?:\.\d+)?)(?:\s*{CURRENCY}\b)?",
    re.I,
)


def _keywords(f: FieldSpec) -> set[str]:
    words = keywords(f) | {stem(u) for unit in f.words & UNITS.keys() for u in UNITS[unit]}
    if "max" in f.words:
        words |= {stem(w) for w in UPPER}
    if "min" in f.words:
        words |= {stem(w) for w in LOWER}
    return words


def _named(request: Request, words: set[str]) -> bool:
    """Whether an unused word of the request is one of these keywords."""
    return any(stem(t.group(0).lower()) in words and request.free(t.start(), t.end()) for t in tokens(request.text))


def _candidates(request: Request) -> list[Found]:
    """Unused amounts (with currency) and plain numbers, an amount's digits counted once."""
    amounts = money(request)
    days = [span for _, span in days_of_month(request.text)]
    plain = [n for n in numbers(request) if all(n.end <= a.start or n.start >= a.end for a in amounts)
             and (n.start, n.end) not in days]
    return sorted(amounts + plain, key=lambda f: f.start)


def _fits(f: FieldSpec, value: float, problems: dict[str, str]) -> Any:
    """The value as the field's type, or None (with the reason) when it breaks the field's bounds."""
    if f.type == "integer" and value != int(value):
        return None
    if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
        if f.required:
            problems[f.name] = f"must be between {f.minimum} and {f.maximum}, not {value:g}"
        return None
    return int(value) if f.type == "integer" else value


def as_share(f: FieldSpec, value: float, percent: bool) -> float | None:
    """A share from 0 to 1 given as a percentage: "91 %", or a bare 91 where only a share can be meant."""
    if f.minimum == 0 and f.maximum == 1 and (percent or 1 < value <= 100):
        return round(value / 100, 4)
    return None


def _in_field_unit(f: FieldSpec, found: Found, request: Request) -> float:
    """The number in the field's unit ('500 g' is 0.5 for a field in kg, '91 %' or 91 is 0.91 for a share),
    with the sign its words give when the field takes negative values ("remove 2" is -2)."""
    if (share := as_share(f, float(found.value), bool(PERCENT_AFTER.match(request.text, found.end)))) is not None:
        return share
    m = UNIT_AFTER.match(request.text, found.end)
    factors = next((UNITS[u] for u in f.words & UNITS.keys()), {})
    value = round(float(found.value) * factors.get(m.group(1).lower(), 1.0), 3) if m else float(found.value)
    return -value if _decreased(f, found, request, value) else value


def _set_to(f: FieldSpec, request: Request) -> Found | None:
    """The number in "set the reorder point of KB-01 in PAR-1 to 15": after "to", a few words past the field's name."""
    names = {stem(w) for w in f.words if w not in ("id", "new")}
    toks = tokens(request.text)
    said = [i for i, t in enumerate(toks) if stem(t.group(0).lower()) in names]
    if not said or {stem(toks[i].group(0).lower()) for i in said} != names:
        return None
    last = said[-1]
    for j in range(last + 1, min(last + SET_TO_REACH, len(toks) - 1)):
        if toks[j].group(0).lower() == "to":
            after = toks[j + 1]
            return next((n for n in _candidates(request) if n.start == after.start()), None)
    return None


def _decreased(f: FieldSpec, found: Found, request: Request, value: float) -> bool:
    """Whether words of decrease stand near a positive number for a field that takes negative values."""
    if f.minimum is None or f.minimum >= 0 or value < 0:
        return False
    toks = tokens(request.text)
    at = next((i for i, t in enumerate(toks) if t.start() <= found.start < t.end()), None)
    near = [] if at is None else toks[max(0, at - DECREASE_REACH) : at + DECREASE_REACH + 1]
    return any(stem(t.group(0).lower()) in DECREASE for t in near)


def _is_money(f: FieldSpec) -> bool:
    return bool(f.words & {"amount", "price", "cost", "total", "value", "balance"})


# "one of your tents", "two of the mugs", "3 of them": a number counting some of the things named.
SOME_OF = re.compile(r"\s+of\s+(?:the|your|our|my|his|her|their|them|these|those|us|you)\b", re.I)


def _may_take(f: FieldSpec, found: Found, amounts: list[Found], request: Request) -> bool:
    """An amount of money ("under 30 euros") is never a count: an integer field takes it only if it holds money. Some
    of the things named ("one of your tents", "two of them") are a count: no measure takes it, nor money unless in
    digits ("refund 20 of the 76 euros")."""
    if f.type == "integer":
        # Nor is a measure with decimals ("the 0.8 l kettles") a count.
        return (found not in amounts or _is_money(f)) and float(found.value).is_integer()
    return not SOME_OF.match(request.text, found.end) or _is_money(f) and found.text[0].isdigit()


def _counts_units(f: FieldSpec, found: Found, request: Request) -> bool:
    """Whether the number counts the things a field of units counts ("two more Halo lamps" for defective units)."""
    counted = COUNTED.match(request.text, found.end)
    return f.type == "integer" and "units" in f.description.lower() and counted is not None and (
        counted.group(1).lower() not in TIME_UNITS)


def _object_of_command(found: Found, request: Request) -> bool:
    """Whether the number is what the request's opening verb acts on ("refund 15 on #W1", "please capture 30")."""
    before = [t.group(0).lower() for t in tokens(request.text) if t.end() <= found.start]
    return len([w for w in before if w not in POLITE]) == 1 and before[-1].isalpha()


def _between(fields: list[FieldSpec], request: Request) -> dict[str, float]:
    low = next((f for f in fields if "min" in f.words), None)
    high = next((f for f in fields if "max" in f.words), None)
    m = BETWEEN.search(request.text)
    if not (low and high and m and request.free(m.start(), m.end())):
        return {}
    request.use(Found(m.group(0), None, m.start(), m.end()))
    return {low.name: float(m.group(1)), high.name: float(m.group(2))}


def _scores(fields: list[FieldSpec], request: Request) -> dict[str, float]:
    """Scores on a scale ("4 out of 5", "an 8 out of 10 for recommending you"), each to the one integer field whose
    range ends at that scale's top."""
    out = {}
    for m in SCORE.finditer(request.text):
        top = float(m.group(2))
        scaled = [f for f in fields if f.type == "integer" and f.maximum == top and f.name not in out]
        if len(scaled) == 1 and request.free(m.start(), m.end()):
            request.use(Found(m.group(0), None, m.start(), m.end()))
            out[scaled[0].name] = float(m.group(1))
    return out


def assign_numbers(fields: list[FieldSpec], request: Request, today: date, problems: dict[str, str]) -> dict:
    """Values for the numeric fields: periods for day counts, ranges, scores, then nearest keyword, one number
    each."""
    out: dict[str, Any] = dict(_scores(fields, request))
    for f in fields:
        if "days" in f.words and (hit := period_days(request, today)):
            request.use(hit[0])
            out[f.name] = hit[1]
    out.update(_between([f for f in fields if f.name not in out], request))
    for f in fields:
        if f.name not in out and (hit := _set_to(f, request)) is not None:
            request.use(hit, soft=True)
            out[f.name] = hit.value
    pairs = []
    amounts = money(request)
    # A comparison word ("below", "over") names a maximum or a minimum only when the request names no other field
    # by its own word: "reorder it whenever it gets below 12" sets the reorder point, not the maximum stock.
    own = {f.name for f in fields if f.name not in out and _named(request, keywords(f))}
    for f in fields:
        if f.name in out:
            continue
        words = _keywords(f) if not own - {f.name} else keywords(f)
        for n in _candidates(request):
            if not _may_take(f, n, amounts, request):
                continue
            if (distance := keyword_distance(request, n, words)) is not None:
                pairs.append((distance, n.start, f.name, n))
    taken: set[int] = set()
    by_name = {f.name: f for f in fields}
    # A number in the story before the sentence that asks is what there is, the one in the ask what is wanted
    # ("Berlin is sitting on 90 of them. move 25 over from BER-1 to PAR-1"): the ask's numbers go first.
    asked = last_ask_start(request.text) or 0
    for _, start, name, found in sorted(pairs, key=lambda p: (p[1] < asked, p[0], p[1], p[2])):
        if name in out or start in taken:
            continue
        taken.add(start)
        request.use(found, soft=True)
        out[name] = _in_field_unit(by_name[name], found, request)
    # A lone amount with a currency, or a lone number for a lone required field, needs no keyword. A number with
    # cents ("refund 8.50") is an amount as surely as one with a currency.
    left = _candidates(request)
    amounts = money(request) + [n for n in left if CENTS.fullmatch(n.text)]
    open_fields = [f for f in fields if f.name not in out]
    # The one field still open, or the one required among several ("reserve 4 AU-MIC-01": the quantity, not the
    # optional hold time).
    needed = [f for f in open_fields if f.required]
    # Or the one whose word the request holds, however far from the number ("start reordering once it gets down to
    # 12": the reorder point, not the maximum).
    named = [f for f in open_fields if _named(request, keywords(f))] or [
        f for f in open_fields if _named(request, _keywords(f))]
    only = (open_fields[0] if len(open_fields) == 1 else needed[0] if len(needed) == 1
            else named[0] if len(named) == 1 and not needed else None)
    if len(left) > 1 and asked and len(in_ask := [n for n in left if n.start >= asked]) == 1:
        # The story's numbers say what there is ("only 2 left in LYS-1 ... send 5 over from Paris please").
        left = in_ask
    if only is not None and len(left) == 1 and _may_take(only, left[0], amounts, request):
        if only.required or left[0] in amounts or _object_of_command(left[0], request) or only in named or (
                _counts_units(only, left[0], request)):
            request.use(left[0], soft=True)
            out[only.name] = _in_field_unit(only, left[0], request)
    elif len(amounts) == 1 and (money_fields := [f for f in open_fields if _is_money(f)]) and (
            len(money_fields) == 1 or left == amounts or len([f for f in money_fields if f.required]) == 1):
        # "20 euros, one of the mugs arrived chipped": the amount with a currency is the money field's; when the
        # amount is the request's only number and several fields take money ("put HM-CANDLE-01 at 19.99": price
        # or cost), the first the schema lists, its main amount; so it is when one of them is required ("one
        # size, at 24 euros": the price).
        request.use(amounts[0], soft=True)
        out[money_fields[0].name] = amounts[0].value
    result = {}
    for name, value in out.items():
        if (fitted := _fits(by_name[name], float(value), problems)) is not None:
            result[name] = fitted
    return result
