"""Small text helpers shared by tool choice and argument extraction: words, stems, fuzzy matches."""

import re
from bisect import bisect_left
from functools import lru_cache

from graph.models.local.synonyms import SHORTHANDS

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Where one sentence ends and the next begins: the space after its closing mark ("... ever since. no email").
# A long dash between spaces ends one too, in a chat ("cosmetic only, nothing broken — log it as minor"); a hyphen
# between spaces may join a clause to its own sentence ("totally expected - can you write it off?").
DASH_BREAK = r"\s+[—–]\s+"
SENTENCE_BREAK = re.compile(rf"(?<=[.!?])\s+|{DASH_BREAK}")
# Shorthand written out (`spelled_out`), its longest forms first ("qc check" before "qc").
SHORTHAND = re.compile(rf"\b(?:{'|'.join(sorted(SHORTHANDS, key=len, reverse=True))})\b", re.I)
# Emoji and pictographs, with what joins them: in a chat one between words ends a sentence ("she's 'not a podcast
# person' 🙄 can one of them go back?").
EMOJI = re.compile(r"\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+\s*")
# A sentence of a request, to its closing marks.
SENTENCE = re.compile(r"[^.!?]+[.!?]*")
# A clause put as a request: "please ...", "can someone ...", "get me ...", "let's ...", "I'd like ...", "I need ...".
ASKS_FOR = re.compile(r"^\s*(?:please|pls|can (?:i|you|we|someone|somebody)|could (?:i|you|someone|somebody)|"
                      r"get me|let me|put me|let'?s(?! see\b)|let us|have someone|i'?d like|i would like|"
                      r"i (?:need|want)|you (?:can|may) (?:now |just )?(?:go ahead and )?(?=[a-z]+\b(?! i\b))"
                      r"|feel free to)\b", re.I)
# What may open a request before its words: a greeting, a "please", a "can you".
LEAD_IN = re.compile(r"^\s*(?:(?:hi|hello|hey)\b[,!.]?\s*)?(?:please|pls|plz|kindly|can you|could you)?\s*", re.I)

# Words that open a description, not a command, besides the stopwords ("he says...", "they never came").
PRONOUNS = frozenset({"he", "she", "they", "i'm", "im"})

# A clause opening with a person's name tells what they did ("Chloé Dubois phoned again about ...", "Ethan Wilson's
# order is sitting in the queue", "Jonas Weber just rang", "Colissimo are collecting at 3"): a name that owns what
# follows, or two capitalised words and a verb in the past, of saying or of being; a command may name a place or a
# person ("Keep Madrid as the main one").
NAMED_SUBJECT = re.compile(r"^\s*[A-Z][^\W\d_]+(?:\s+[A-Z][^\W\d_]+)?(?:'s\b|\s+(?:just\s+|also\s+)?"
                           r"(?:[a-z]+ed|rang|wrote|sent|told|said|says|wants|needs|came|got|is|was|has|had|are|were"
                           r"|have|will|[a-z]+n't)\b)")

# The verbs that follow a statement's subject ("work is paying me back").
STATING = frozenset({"is", "are", "was", "were", "has", "have", "had"})
# A verb in the past, opening a report whose subject is left out ("found 2 Halo lamps with chipped paint",
# "noticed the box was open"): regular ones end in -ed (not -eed: "proceed"), these do not.
TOLD_PAST = frozenset({"found", "got", "saw", "came", "took", "sent", "told", "said", "heard", "brought", "bought",
                       "gave", "went", "broke", "spoke", "wrote", "rang", "spotted", "had"})
PAST = re.compile(r"^[a-z]{3,}(?<!e)ed$")
# A verb in -ing, opening a report of what is under way ("still going through the Lumen batch", "checking the returns
# shelf now"); not the commands nor the greetings and things that end so ("Morning! a return box turned up ...").
UNDER_WAY = re.compile(r"^[a-z]{2,}ing$")
NOT_UNDER_WAY = frozenset({"bring", "string", "swing", "sling", "fling", "sting", "spring", "wring", "morning",
                           "evening", "thing", "nothing", "something", "anything", "everything"})
# Words that may come before such a verb: "still going through ...".
STILL = frozenset({"still", "now", "currently", "already"})
# Words that only introduce what is told: "turns out he already bought his own", "seems the box got wet".
TELLING = frozenset({"turns", "seems", "apparently"})


def reports(clause: str) -> bool:
    """Whether a clause opens with a verb whose subject is left out, in the past or under way: it reports what was
    found or is being done, it commands nothing."""
    said = words(clause)
    first = said[1] if len(said) > 1 and said[0] in STILL else next(iter(said), "")
    return first in TOLD_PAST | TELLING or bool(PAST.match(first)) or (bool(UNDER_WAY.match(first))
                                                               and first not in NOT_UNDER_WAY)


# Words that carry no intent: dropped before lexical comparisons and from free-text arguments.
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from into about as is are was were be been am do does "
    "did i me my mine we our us you your it its this that these those there here please can could would will "
    "shall should may might must just so some any all also too very what which who whom whose how when where "
    "why than then up out over under again once have has had hi hello hey thanks thank ok okay want wanted much many "
    "need needs like know let get got tell show give see im u ur pls plz wanna gonna gimme yo abt".split()
)
NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "a couple": 2,
    "a dozen": 12,
    "single": 1,
    "a pair": 2,
}


def words(text: str) -> list[str]:
    """Lower-case words of the text, in order."""
    return WORD.findall(text.lower())


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude suffix-stripping stem: enough to match order/orders/ordered, cancel/cancelled."""
    word = word.lower().replace("'", "")
    for suffix in (
        "ations",
        "ation",
        "ances",
        "ance",
        "ences",
        "ence",
        "ments",
        "ment",
        "ings",
        "ing",
        "ies",
        "ied",
        "led",
        "ed",
        "es",
        "s",
        "ly",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def swapped_in(word: str, vocabulary: list[str]) -> str | None:
    """The word of a sorted vocabulary that `word` is with two neighbouring letters swapped ("pakc" for "pack"):
    one slip of the fingers, which a ratio of common letters scores too low in a short word."""
    for i in range(len(word) - 1):
        candidate = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        at = bisect_left(vocabulary, candidate)
        if candidate != word and at < len(vocabulary) and vocabulary[at] == candidate:
            return candidate
    return None


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stopwords and bare numbers dropped), in order."""
    return [stem(w) for w in words(text) if w.split("'")[0] not in STOPWORDS and not w.isdigit()]


def humanize(name: str) -> str:
    """'order_id' -> 'order ID', 'payment_method_id' -> 'payment method ID'."""
    parts = [("ID" if p == "id" else "IDs" if p == "ids" else p) for p in name.split("_") if p]
    return " ".join(parts)


def join_words(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def sentence(text: str) -> str:
    """Capitalised, ending with a full stop (or the ! or ? it already has)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def a_command(clause: str) -> bool:
    """Whether a clause asks for something ("refund 20 on W1", "I'd like to ...") rather than describes ("the chair
    I got is broken")."""
    first, second = (words(LEAD_IN.sub("", clause)) + ["", ""])[:2]
    # A command opens with a word ("refund 20 on W1"), not a record's number ("W3517254 is fine, ...") nor a subject
    # that its verb follows ("work is paying me back for the two keyboards").
    return bool(ASKS_FOR.match(clause)) or (first.isalpha() and first not in STOPWORDS and first not in PRONOUNS
                                            and second not in STATING and not NAMED_SUBJECT.match(clause)
                                            and not reports(LEAD_IN.sub("", clause)))


def last_ask_start(text: str) -> int | None:
    """Where the last sentence starts when it asks, a question or a command, after sentences before it ("Berlin is
    sitting on 90 of them. move 25 over from BER-1 to PAR-1"); None for a request of one sentence or one ending in a
    statement."""
    breaks = list(SENTENCE_BREAK.finditer(text.rstrip()))
    if not breaks:
        return None
    last = text[breaks[-1].end():].rstrip()
    return breaks[-1].end() if last.endswith("?") or a_command(last) else None


def without_emoji(text: str) -> str:
    """The text with each run of emoji read as the end of a sentence where words go on after it, else left out."""

    def mark(found: re.Match) -> str:
        before, after = text[: found.start()], text[found.end() :]
        if not before or not after or after[0] in ".!?,;:)":
            return ""
        return ". " if before[-1] not in ".!?,;:" and after[0].isalnum() else " "

    return EMOJI.sub(mark, text)


def spelled_out(text: str) -> str:
    """The text with the shorthand of `synonyms.SHORTHANDS` written out ("a proper QC check": a quality check)."""
    return SHORTHAND.sub(lambda found: SHORTHANDS[found.group(0).lower()], text)
