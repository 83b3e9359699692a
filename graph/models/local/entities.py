"""Entity patterns (order numbers, emails, ids, SKUs, money...) and a text that remembers what was used."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from graph.confirm import ONE_NAMED
from graph.models.local.text import NUMBER_WORDS

ORDER_ID = re.compile(r"(?<![\w#])(?:#\s?[Ww]?|\b[Ww])(\d{5,9})\b")
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
PAYMENT_METHOD_ID = re.compile(r"\b(?:credit_card|paypal|gift_card|card|bank_transfer)_\d{4,10}\b", re.I)
# tau2-style customer ids: first_last_1234 (payment method ids share the shape and are matched first).
CUSTOMER_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)+_\d{3,6}\b")
TEN_DIGIT_ID = re.compile(r"(?<![\w#.,])\d{10}(?![\w.,]\d)")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
DOCUMENT_NUMBER = re.compile(r"\b(?:RMA|INV|CN|PS)-\d{4,8}(?:-[A-Z0-9]+)?\b", re.I)
# SKUs: upper-case words joined by dashes (KB-CLICKY-01); lower-case only when a digit shows it is a code.
# Letters and digits joined by dashes; a size range of digits alone ("43-46") is no code.
SKU = re.compile(
    r"\b(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+\b|\b(?=[a-z0-9-]*[a-z])(?=[a-z-]*\d)[a-z0-9]+(?:-[a-z0-9]+)+\b"
)
CURRENCY = r"(?:€|\$|£|eur|euros?|usd|dollars?|gbp|pounds?|bucks)"
MONEY = re.compile(
    rf"(?:(?P<pre>[€$£])\s?(?P<a>\d[\d,]*(?:\.\d{{1,2}})?))|(?:(?P<b>\d[\d,]*(?:\.\d{{1,2}})?)\s?(?P<post>{CURRENCY})\b)"
    rf"|(?:\b(?P<cur>eur|usd|gbp)\s?(?P<c>\d[\d,]*(?:\.\d{{1,2}})?))",
    re.I,
)
# A sign counts when it stands alone before the digits ("adjust by -2"), not inside a code (KB-01, 2026-11).
# A weight may be written against its unit ("3kg", "500g").
NUMBER = re.compile(
    r"(?<![\w.#@-])((?:(?<![\w-])[-+])?\d+(?:\.\d+)?)(?:(?![\w@-]|\.\d)|(?=(?:kg|kgs|g|gr|grams?|lbs?|kilos?)\b))"
)
# "the one about yesterday's orders", "that one" point at a thing; they count nothing.
NUMBER_WORD = re.compile(r"\b(?!(?<=\bthe )one\b|(?<=\bthis )one\b|(?<=\bthat )one\b|(?<=\bwhich )one\b)("
                         + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b", re.I)
STREET = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(?:[A-Za-z'.-]+\s+){0,4}?(?:street|st|rue|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|"
    r"blvd|way|place|pl|court|ct|square|sq|terrace|parkway|highway|hwy|allee|chemin|quai|strasse|platz)\b"
    r"[^.;!?\n]*",  # a street ends with its line: an answer is joined to the request it answers by a newline
    re.I,
)
PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")


def order_number(digits: str) -> str:
    """The canonical order number for its digits: #W plus the digits."""
    return f"#W{digits}"


@dataclass
class Found:
    """A match in the request: its text, its value and where it was."""

    text: str
    value: object
    start: int
    end: int


@dataclass
class Request:
    """The request text, with the spans already used by a filled field, so no value fills two fields."""

    text: str
    used: list[tuple[int, int]] = field(default_factory=list)
    # Spans of words (an enum's "phoned", a quantity) that still read well inside a note or summary.
    soft: set[tuple[int, int]] = field(default_factory=set)

    def free(self, start: int, end: int) -> bool:
        """True when no filled field has used any part of this span."""
        return all(end <= a or start >= b for a, b in self.used)

    def use(self, found: Found, soft: bool = False) -> None:
        """Mark the span of a value as used (soft: an ordinary word a note may keep)."""
        self.used.append((found.start, found.end))
        if soft:
            self.soft.add((found.start, found.end))

    def find(self, pattern: re.Pattern, group: int | str = 0) -> list[Found]:
        """Unused matches of the pattern, in order of appearance."""
        return [
            Found(m.group(0), m.group(group), m.start(), m.end())
            for m in pattern.finditer(self.text)
            if self.free(m.start(), m.end())
        ]

    def remainder(self, keep_soft: bool = False) -> str:
        """The text with the used spans cut out (ids only, with keep_soft)."""
        out, last = [], 0
        for start, end in sorted(s for s in self.used if not (keep_soft and s in self.soft)):
            if start >= last:
                out.append(self.text[last:start])
                last = end
        out.append(self.text[last:])
        # Lines are kept: an answer is joined to the request it answers by a newline, and what it says ends there.
        return re.sub(r"[^\S\n]*\n\s*", "\n", re.sub(r"[^\S\n]+", " ", " ".join(out))).strip()


# A time of day counts nothing: "back to normal since 8", "until 17", "8:30", "14h00".
CLOCK = re.compile(r"\b(?:since|until|till)\s+\d{1,2}\b(?!\s*(?:[-:h.]\d|days?|weeks?|months?|years?|hours?|mins?|"
                   r"minutes?|units?|pieces?|items?|orders?|%|euros?|eur)\b)|\b\d{1,2}[:h]\d{2}\b", re.I)


def numbers(request: Request) -> list[Found]:
    """Unused numbers (digits or number words), in order of appearance. The "one" of "the orders one", a record
    pointed at, and a time of day count nothing."""
    clock = [m.span() for m in CLOCK.finditer(request.text)]
    found = [Found(f.text, float(f.value), f.start, f.end) for f in request.find(NUMBER, 1)
             if not any(a <= f.start and f.end <= b for a, b in clock)]
    pointed = {m.end() for m in re.finditer(ONE_NAMED, request.text, re.I)}
    found += [Found(f.text, NUMBER_WORDS[f.text.lower()], f.start, f.end) for f in request.find(NUMBER_WORD)
              if f.end not in pointed]
    return sorted(found, key=lambda f: f.start)


def money(request: Request) -> list[Found]:
    """Unused amounts of money with a currency sign or word, as floats."""
    out = []
    for m in MONEY.finditer(request.text):
        if request.free(m.start(), m.end()):
            amount = m.group("a") or m.group("b") or m.group("c")
            # "7,50 EUR" is seven euros fifty (a decimal comma); "1,200 EUR" is twelve hundred.
            amount = re.sub(r",(\d{1,2})$", r".\1", amount).replace(",", "")
            out.append(Found(m.group(0), float(amount), m.start(), m.end()))
    return out


# Site codes (PAR-1, LYS-2): letters, a dash and one digit; a SKU has a word or two digits after its dash.
SITE_CODE = re.compile(r"\b[A-Z]{2,4}-\d\b(?!-)")
# A named product: "the Trail 2 Tent", "an Ergo Split 60", two or more capitalised words (or numbers) after a
# determiner. Its words say nothing about the request ("Trail", "Ergo") and would pull it anywhere.
PRODUCT_NAME = re.compile(
    r"\b(?P<lead>(?:[Tt]he|[Aa]n?|this|that|your|any) )[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|\d+[A-Za-z]*)){1,5}\b"
)
# A place named after "in" or "at" ("left in Lyon"), or as a site ("the Paris warehouse"). Masked as a site code is:
# where is not what is asked, and the city names in the warehouse specialist's examples ("the Lyon warehouse")
# would draw every request naming a city to it ("how many tents are left in Lyon?").
# Not a site's own city ("open a new warehouse in Marseille"): that is a value given for the site; nor where someone
# lives ("I live in Berlin").
PLACE = re.compile(r"(?<!warehouse )(?<!site )(?<!live )(?<!lives )(?<!living )(?<!based )(?<!staying )"
                   r"\b(?P<lead>(?:in|at) )(?:the )?[A-Z][a-zà-ÿ]+(?=\s*(?:[?.!,]|$))")
NAMED_SITE = re.compile(r"\b(?P<lead>the )[A-Z][a-zà-ÿ]+ (?:warehouse|site|depot)\b")

MASKS = (
    (EMAIL, "email"),
    (PAYMENT_METHOD_ID, "payment method"),
    (CUSTOMER_ID, "customer"),
    (UUID, "id"),
    (STREET, "address"),
    (ORDER_ID, "order"),
    (TEN_DIGIT_ID, "id"),
    (DOCUMENT_NUMBER, "number"),
    (SITE_CODE, "warehouse"),
    (PLACE, "warehouse"),
    (NAMED_SITE, "warehouse"),
    (SKU, "item"),
    (PRODUCT_NAME, "product"),
)


def names_a_record(text: str) -> bool:
    """Whether the text names a record by an id of its own (an order, a customer, an email, a SKU...)."""
    return any(pattern.search(text) for pattern, _ in MASKS if pattern not in (STREET, PRODUCT_NAME, PLACE, NAMED_SITE))


# Greetings and thanks around a request carry no intent ("Good morning, I am looking for a lamp. Thanks!").
PLEASANTRIES = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|bonjour|dear \w+)(?: there)?\s*[,!.:-]+\s*)+"
    r"|\s*[,.!]?\s*(?:thanks|thank you|cheers|many thanks)(?: (?:a lot|so much|in advance))?\s*[.!]*\s*$",
    re.I,
)
# Everyday wordings of what the tools' texts say otherwise: "call off the return" cancels it, "the mug I sent back"
# and "I posted the mugs back" are returned (the stemmer does not know "sent" for "send"), and "we won't be selling
# the cap any more" stops selling it.
PHRASAL = (
    (re.compile(r"\bcall(?:s|ed|ing)? off\b", re.I), "cancel"),
    (re.compile(r"\b(?:sent|posted|mailed)\s+((?:[\w'-]+\s+){0,4}?)back\b", re.I), r"returned \1"),
    # No longer wanting to send something back withdraws the return ("I don't want to send the stuff back anymore").
    (re.compile(r"\b(?:don't|do not|no longer)\s+(?:want|wish|need)\s+to\s+"
                r"(?:return|send\s+(?:[\w'-]+\s+){0,3}?back)\b", re.I), "cancel the return"),
    (re.compile(r"\b(?:won't|will not|(?:are|'re) not going to|(?:are|'re)n't going to|no longer)\s+(?:be\s+)?"
                r"sell(?:ing)?\b", re.I), "stop selling"),
    # Getting going on something is starting it ("I'd like to get going on QI-DEMO0001 now").
    (re.compile(r"\b(?:get|getting|got)\s+(?:going|started)\s+(?:on|with)\b", re.I), "start"),
    # Letting something held go on is releasing it ("can we let it go through?", "let the order through").
    (re.compile(r"\blet(?:ting)?\s+((?:[\w'-]+\s+){1,3}?)(?:go\s+)?through\b", re.I), r"release \1"),
    # Keeping someone out is blocking them ("keep them out for two weeks"), not keeping something out of somewhere.
    (re.compile(r"\bkeep(?:ing)?\s+((?:[\w'.-]+\s+){1,3}?)out\b(?!\s+of\b)", re.I), r"block \1"),
    # Closing something out (or off) is resolving it ("can you close that one out so she gets her money?", "close it
    # off please").
    (re.compile(r"\bclos(?:e|es|ed|ing)\s+((?:[\w'-]+\s+){0,3}?)(?:out|off)\b", re.I), r"resolve \1"),
    # Marking something as picked up (or as being handled) is acknowledging it ("mark it as picked up so Ada doesn't
    # chase it").
    (re.compile(r"\bmark(?:s|ed|ing)?\s+((?:[\w'-]+\s+){0,3}?)as\s+(?:picked up|taken|being handled|in hand)\b",
                re.I), r"acknowledge \1"),
    # Giving or paying someone money back (or out) is refunding them ("give her 20 euros back on her card").
    (re.compile(r"\b(?:give|giving|pay|paying)\s+((?:her|him|them|me|us|the\s+customer)\s+(?:[\w€$£.,'-]+\s+){0,3}?)"
                r"back\b", re.I), r"refund \1"),
    (re.compile(r"\bpay(?:ing)?\s+((?:her|him|them|me|us|the\s+customer)\s+)out\b", re.I), r"refund \1"),
    # Sending something back oneself, as a wish or a request, is returning it ("can I send them back?", "I'd like to
    # send back the t-shirt"); a rule asked about keeps its words ("how long do I have to send an item back", "until
    # when can I send back items?", "can I still send back a jacket I bought three weeks ago?").
    (re.compile(r"(?<!\bwhen )(?<!\bhow )\b((?:can|could|may)\s+(?:I|we)|(?:I|we)(?:'d\s+like\s+to|\s+would\s+like\s+to"
                r"|\s+want\s+to|\s+wanna|\s+need\s+to|\s+will|'ll|\s+am\s+going\s+to|'m\s+going\s+to))(\s+just)?\s+send\s+"
                r"(?:((?:[\w'-]+\s+){0,4}?)back|back)\b", re.I), r"\1\2 return \3"),
    # Money back is a refund ("can I get my money back?"), and so is an amount back ("I promised her 15 euros back").
    (re.compile(r"\bmoney\s+back\b", re.I), "refund"),
    (re.compile(r"((?:[€$£]\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\s*(?:euros?|eur|dollars?|pounds?|quid|€))\s+)back\b",
                re.I), r"refund of \1"),
    # Setting someone up with an account is creating one for them ("could you set him up with an account?").
    (re.compile(r"\bset(?:ting)?\s+(him|her|them|me|us)\s+up\s+with\s+((?:an?\s+)?(?:[\w'-]+\s+){0,2}?"
                r"(?:account|login|user))\b", re.I), r"create \2 for \1"),
    # Killing an order is cancelling it ("I don't want it going out, kill it").
    (re.compile(r"\bkill(?:s|ed|ing)?\b(?=\s+(?:it|that|this|them|the\s+order|order)\b)", re.I), "cancel"),
    # Ordering some other time is buying, no order of the speaker's ("save it so it's there next time I order").
    (re.compile(r"\b((?:when|whenever|next time|every time|before|after|if|once|until)\s+(?:i|we|you)"
                r"(?:'ll|\s+will)?\s+)order\b", re.I), r"\1buy"),
)


def rephrased(text: str) -> str:
    """The text with everyday wordings put as the tools' texts say them (PHRASAL)."""
    for pattern, word in PHRASAL:
        text = pattern.sub(word, text)
    return text


@lru_cache(maxsize=16384)
def mask(text: str) -> str:
    """The text with ids replaced by the word for what they are, so similarity looks at the intent, not ids."""
    text = rephrased(PLEASANTRIES.sub(" ", text).strip() or text)
    for pattern, word in MASKS:
        # A pattern with a `lead` group keeps it (the determiner before a product's name).
        lead = "lead" in pattern.groupindex
        text = pattern.sub((lambda m, w=word: f" {m.group('lead')}{w} ") if lead else f" {word} ", text)
    # "order #W123" became "order order": say it once.
    return re.sub(r"\b(\w+)(?:\s+\1\b)+", r"\1", re.sub(r"\s+", " ", text)).strip()


def an_item_code(text: str) -> bool:
    """Whether a value is shaped like an item's SKU (KB-CLICKY-01) rather than a site code (PAR-1)."""
    return bool(SKU.fullmatch(text.strip(".,"))) and not SITE_CODE.fullmatch(text.strip(".,"))
