"""Free-text arguments: a search query, a note or summary, a reason, a question, from what the request left."""

import re

from graph.models.local.dates import MONTHS
from graph.models.local.entities import MONEY, Request
from graph.models.local.schema import FieldSpec
from graph.models.local.synonyms import QUERY_FILLER
from graph.models.local.text import ASKS_FOR, SENTENCE_BREAK, STOPWORDS, stem, words

# Filler in any inflection ("prices", "looked").
FILLER_STEMS = frozenset(stem(w) for w in QUERY_FILLER)
QUERY_NAMES = frozenset({"query", "q", "search", "term", "keywords"})
# Where the content of a note starts: "add a note to #W1: the customer called" -> "the customer called".
# "re" as in "re: the parcel", never the end of "we're".
# "that" opens what was said ("she said that ..."), never after a verb it is the subject of ("can that go under
# the warranty?"), nor as the thing a verb acts on ("can you set that up?", "please sort that out"), nor pointing at a
# record ("acknowledge that one").
NOTE_START = re.compile(
    r":\s*|\b(?:(?<!\bcan )(?<!\bwill )(?<!\bdoes )(?<!\bdid )(?<!\bis )(?<!\bwas )(?<!\bcould )(?<!\bwould )"
    r"(?<!\bshould )that(?!\s+ones?\b)"
    r"(?!\s+(?:up|out|off|through|over|in|on)\b\s*(?:for \w+\s*)?(?:please\s*)?(?:[?.!,;]|$))"
    r"|saying|says|stating|about|regarding|(?<!['’])re)\b\s+", re.I)
# ("since" of time says when, not why: "sitting there since mid-November", "since last week".)
REASON_START = re.compile(r"\b(?:because|since(?!\s+(?:(?:mid|early|late)-?\s*)?(?:the\s+)?(?:last|yesterday|then|\d"
                          rf"|(?:{'|'.join(MONTHS)})\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day))|as|due to"
                          r"|reason(?: is)?:?)\s+", re.I)
# A clause of its own after the request says why: "reject the return on #W1, the customer changed their mind".
EXPLANATION = re.compile(r"[,;]\s+(?=(?:the|it|they|he|she|we|his|her|their|its|our|my)\b)", re.I)
# A statement, then a short sentence asking for the action: "it turns out to be water damage, which isn't covered.
# decline it please" says why in its first sentence; so does one the action follows from ("the set shows clear signs
# of use, so we're turning it down").
STATED_FIRST = re.compile(r"^\s*(\S.{10,}?)(?:[.!;]|,?\s+so\b)\s+\S[^.!?;]{0,40}[.!?]?\s*$", re.S)
# Fields that hold why something was done or how it ended, by their description ("Why, for the record", "What was
# decided", "How the case was settled").
WHY = re.compile(r"^(?:why|what was decided|how (?:\w+ ){0,3}was (?:settled|resolved|decided))\b", re.I)
# "tell him it leaves tomorrow": whom to tell is no part of what is told.
LEADING_VERBS = re.compile(
    r"^(?:please\s+)?(?:log|add|record|note|write|leave|open|create|save|put|send"
    r"|tell(?:\s+(?:him|her|them|the\s+(?:buyer|customer|client))\b)?(?:\s+that\b)?)\b\s*", re.I
)


# A note's opening word followed only by a word pointing back ("about it", "regarding this").
BACK_REFERENCE = re.compile(r"(?:it|this|that|them)\b\s*(?:please\s*)?(?:[,.!?;]|$)", re.I)
# ... or a "that" put somewhere ("add that to the inspection as a major defect"): the thing told before.
PUT_THAT = re.compile(r"that\s+$", re.I)
PLACED = re.compile(r"(?:to|on|onto|against|in)\b", re.I)
# What was told before must say something ("hi," says nothing).
MIN_TOLD_WORDS = 3

# Words that ask for something without saying anything about it ("I want to make a warranty claim").
ASKING = frozenset({"want", "wanna", "need", "like", "make", "would", "could", "please", "pls", "help", "do", "get",
                    "have", "can", "you"})


def _clean(text: str) -> str:
    # Words taken out for other fields leave gaps: "about my order #W1?" -> "about my order ?" -> "about my order?".
    text = re.sub(r"\s+([?.!,;:])", r"\1", re.sub(r"\s+", " ", text))
    return re.sub(r"^[\s,.;:!?-]+|[\s,;:-]+$", "", text).strip()


def _told_before(rest: str, start: re.Match) -> str | None:
    """What a note "about it" is about, or what "that" is when the request puts it somewhere: what the person told
    before the clause that asks ("the order has said 'on hold' for days, no email, nothing. get me a person to talk
    to about it", "Two more lamps won't switch on. Can you add that to the inspection?"), up to that clause's sentence
    or comma."""
    if not BACK_REFERENCE.match(rest, start.end()) and not (PUT_THAT.match(start.group(0))
                                                             and PLACED.match(rest, start.end())):
        return None
    # (Of the request itself: the answers to our questions come before it, a line each.)
    before = rest[: start.start()].rsplit("\n", 1)[-1]
    ends = [m.start() for m in SENTENCE_BREAK.finditer(before)] or [m.start() for m in re.finditer(",", before)]
    told = _clean(before[: ends[-1]]) if ends else ""
    return told if len(words(told)) >= MIN_TOLD_WORDS else None


# A clause at the end asking for the action ("..., can you log that?", "... please add it"): the request, not what it
# records.
ASKED_AT_END = re.compile(r"(?:[,;.!]\s*|\s+)(?:(?:so|and)\s+)?"
                          r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)?"
                          r"(?:log|add|record|note|put|file|raise|enter)\s+(?:it|that|this|them|these|those)\b"
                          r"[^.!?\n]*[.!?]*\s*$", re.I)


def _untold(reason: str) -> str:
    """A reason without the sentences after it that ask for the action ("... just his parents' place. Can we let it
    through?"): they are the request, not why."""
    sentences = SENTENCE_BREAK.split(reason)
    while len(sentences) > 1 and (ASKS_FOR.match(sentences[-1]) or sentences[-1].rstrip().endswith("?")):
        sentences.pop()
    return " ".join(sentences)


def _explained(request: Request) -> bool:
    """Whether the request gives a reason in words of its own ("because ...", ", the customer changed...")."""
    rest = request.remainder(keep_soft=True)
    return bool(REASON_START.search(rest) or EXPLANATION.search(rest) or STATED_FIRST.match(rest))


def search_terms(request: Request, noise: set[str]) -> str:
    """The words worth searching for: the request's unused words minus filler, amounts of money ("under 30
    euros" is what it may cost, not what it is) and the tool's own words."""
    kept = [
        w
        for w in re.findall(r"[\w'-]+", MONEY.sub(" ", request.remainder()))
        if w.lower().split("'")[0] not in STOPWORDS and stem(w.lower()) not in FILLER_STEMS
        and stem(w.lower()) not in noise
    ]
    return " ".join(kept)


def free_text(field: FieldSpec, request: Request, noise: set[str], question: bool = False,
              echo: frozenset[str] = frozenset()) -> str | None:
    """The value of a free-text field, or None when the request holds nothing for it.

    `echo`: the stems of the tool's own texts. Words that only say what the tool does ("send a message to a
    marketplace buyer", "raise an alert") are the request for it, not the message or the title it needs."""
    if question:
        value = _clean(request.text)
    elif field.name in QUERY_NAMES or field.words & QUERY_NAMES:
        value = search_terms(request, noise)
    elif "reason" in field.words or (WHY.match(field.description) and _explained(request)):
        rest = request.remainder(keep_soft=True)
        m = REASON_START.search(rest) or EXPLANATION.search(rest)
        # The statement is taken whole, with the records it names: they are part of why.
        # (Of the request itself: the answers to our questions come before it, a line each.)
        stated = None if m else STATED_FIRST.match(request.text.rsplit("\n", 1)[-1])
        if m or stated:
            # A reason ends with its line: an answer ("at PAR-1, they were damaged") comes joined by a newline to
            # the request it answers, which is no part of why.
            value = _clean(_untold(rest[m.end() :].split("\n", 1)[0] if m else stated.group(1)))
        else:
            value = rest if field.required else None
        if value and all(w in STOPWORDS | ASKING or stem(w) in noise | echo for w in words(value)):
            # "oops, it was PAR-1" corrects a value and "block the email ..." asks for the tool: neither says why.
            value = None
    else:
        rest = request.remainder(keep_soft=True)
        m = NOTE_START.search(rest)
        if m is None and not field.required:
            return None  # an optional note needs words that introduce it; otherwise it would echo the request
        value = _clean(rest[m.end() :] if m and m.group(0).strip() != "about" else rest[m.start() :] if m else rest)
        if m and (told := _told_before(rest, m)):
            value = told
        value = _clean(LEADING_VERBS.sub("", value))
        value = _clean("\n".join(ASKED_AT_END.sub("", line) for line in value.split("\n")))
        if m is None and all(w in STOPWORDS | ASKING or stem(w) in noise | echo for w in words(value)):
            return None  # "add a note to an order" names the note, it says nothing for it
    if not value:
        return None
    return value[: field.max_length] if field.max_length else value
