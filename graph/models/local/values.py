"""Finding one field's value in a request: numbers by nearby keywords, enum values, flags, names, references."""

import re
from collections.abc import Sequence

from graph.models.local.dates import MONTHS, WEEKDAYS
from graph.models.local.entities import PLACE, Found, Request
from graph.models.local.schema import FieldSpec
from graph.models.local.synonyms import COUNTRIES, ENUM_SYNONYMS, NUMBER_KEYWORDS
from graph.models.local.text import SENTENCE, STOPWORDS, stem, words

TOKEN = re.compile(r"[A-Za-z0-9À-ÿ#@._'+-]+")
NEGATION = frozenset({"not", "no", "don't", "dont", "without", "never", "isn't", "aren't", "didn't", "didnt",
                      "doesn't", "doesnt", "wasn't", "wasnt", "won't", "wont"})
# Flags that say whether something is in use, and the words that switch it: "turn off", "disable", "reactivate".
ACTIVE_FLAGS = ("active", "enabled")
SWITCH = re.compile(r"\b(?:(?P<on>(?:turn|switch|put) (?:it |\w+ )?on|re-?activate|re-?enable|activate|enable)|"
                    r"(?:turn|switch|put) (?:it |\w+ )?off|deactivate|disable|suspend)\b", re.I)
# "False to stop selling it": the words a flag's description gives for setting it, up to what they act on.
DESCRIBED_SWITCH = re.compile(
    r"\b(True|False) to ((?:[a-z]+ ){0,2}?[a-z]+)(?= (?:it|this|that|them|the|a|an|its)\b|[,.;]|$)")
# Everyday words for a flag's own word ("really useful" says helpful).
FLAG_SYNONYMS = {"helpful": ("useful", "handy")}
FLAG_NOISE = frozenset({"is", "make", "include", "only", "use", "set", "has", "allow", "enable", "show", "id"})
# A number further than this many words from any keyword of a field is not that field's value.
MAX_DISTANCE = 5
LEAD_INS = frozenset({"the", "our", "my", "this", "that", "your"})
# The words before a place: "written off in Paris", "send some over from Lyon", "at the Berlin site".
PLACE_LEADS = frozenset({"in", "at", "from", "to"})
# How far after a field's word its "to <value>" may come ("the brand of product 1838876577 to Feltworks").
SET_TO_REACH = 7
DETERMINERS = frozenset({"each", "every", "other", "another", "new", "same", "whole", "one", "both"})
# Words that say something about a name rather than being one ("my name is spelled wrong").
NAME_REMARKS = frozenset({"spelled", "spelt", "misspelled", "misspelt", "written", "shown", "wrong", "incorrect",
                          "correct", "right", "different", "changed", "missing", "outdated", "old", "new", "still"})
NOT_NAMES = STOPWORDS | NAME_REMARKS | {"customer", "user", "named", "called", "zip", "code", "from", "looking",
                                       "trying"}
# The speaker naming themselves just before a name: "I am", "my name is", "this is".
SPEAKER = re.compile(r"\b(?:i am|i'm|im|my name is|name is|this is)\s*$", re.I)
# Words between "to" and the "in" of where that person is: "to my little brother in ...", "to me here in ...".
PERSON_WORDS = 4
# A word before a name that makes it a thing's: "the Trail Tent", "my Boom Cube".
DETERMINED = re.compile(r"\b(?:the|a|an|my|your|our|their|this|that|these|those)\s+$", re.I)
# Words taking up a person named before them.
THIRD_PERSON = re.compile(r"\b(?:he|she|his|her|him|hers)\b", re.I)
NAME_TRIGGER = re.compile(
    r"\b(?:i am|i'm|im|my name is|name is|this is|customer|named|called|for|user)\s+"
    r"([A-Za-zÀ-ÿ'-]{2,})\s+([A-Za-zÀ-ÿ'-]{2,})",
    re.I,
)
# "Mechanical Keyboard", "Trail 2 Tent", "Ergo Split 60", "Daypack 24L": capitalised words, numbers inside.
# Names stay on one line: a reply read together with the request it answers ("the Monitor Arm\nI need...") is
# joined by a line break.
CAPITALISED_PHRASE = re.compile(
    r"\b[A-Z][\w'-]*(?:[^\S\n]+(?:of[^\S\n]+)?(?:[A-Z][\w'-]*|\d+[A-Za-z]*\b(?![^\S\n]+(?:units?|x)\b)))*"
)


def tokens(text: str) -> list[re.Match]:
    """Word-like tokens of the text with their positions."""
    return list(TOKEN.finditer(text))


def keywords(field: FieldSpec) -> set[str]:
    """Words that, near a number, say the number is this field's value."""
    out = {stem(w) for w in field.words if w not in ("id", "ids", "new")}
    # A field described by what it counts ("Units to inspect.") takes that count's words too ("check 12 units").
    counts = (field.description.split() or [""])[0].lower().strip(".,;:")
    for key, synonyms in NUMBER_KEYWORDS.items():
        if key in field.words or stem(key) in out or (field.type == "integer" and counts in synonyms):
            out |= {stem(w) for w in synonyms}
    return out


def keyword_distance(request: Request, found: Found, words: set[str]) -> float | None:
    """How many words separate a number from the nearest keyword; a unit right after it counts as closest."""
    toks = tokens(request.text)
    at = next((i for i, t in enumerate(toks) if t.start() <= found.start < t.end()), None)
    if at is None:
        return None
    best = None
    for i, tok in enumerate(toks):
        if i != at and stem(tok.group(0).lower().strip(".,:;!?")) in words and request.free(tok.start(), tok.end()):
            # A word right after the number is its unit ("12 units"), unless punctuation ends the number's phrase
            # ("price 19.99, cost 9").
            follows = i == at + 1 and not re.search(r"[,;:]", request.text[toks[at].end() : tok.start()])
            # Otherwise a word before it names it first ("price 19.99, cost 9").
            distance = abs(i - at) - (0.5 if follows else 0.1 if i < at else 0)
            best = distance if best is None else min(best, distance)
    return best if best is not None and best <= MAX_DISTANCE else None


# A negated verb in any person and tense: "doesn't work" also reads "they don't work", "it didn't work".
NEGATIONS = ("doesn't", "don't", "didn't", "does not", "do not", "did not", "dont", "doesnt", "didnt")


def enum_forms(value: object) -> list[str]:
    """The phrasings that name an enum value: itself, with spaces or dashes, and its synonyms (negations in any
    person and tense, with or without the apostrophe)."""
    text = str(value)
    forms = {text, text.replace("_", " "), text.replace("_", "-"), *ENUM_SYNONYMS.get(text, ())}
    for form in list(forms):
        if (said := next((n for n in NEGATIONS if f"{n} " in form), None)) is not None:
            forms |= {form.replace(f"{said} ", f"{n} ") for n in NEGATIONS}
    # Typed without the apostrophe: "couldnt deliver".
    forms |= {form.replace("n't", "nt") for form in forms if "n't" in form}
    return sorted(forms, key=len, reverse=True)


# A phrasal verb takes its object in the middle: "write them off" names "write off", "switch it on" "switch on".
SPLIT_BY_PRONOUN = r"\s+(?:(?:it|them|these|those|this|that|all|both)\s+){0,2}"
LEFT_BEHIND = re.compile(
    r"\b(?:off|out of|no longer|not|nor|never|away from|\w+n't)\s+(?:yet\s+)?(?:be\s+|been\s+|being\s+)?$"
    # What the person keeps beside the value asked for: "pay with PayPal as well as my mastercard".
    r"|\b(?:as well as|in addition to|besides|alongside)\s+(?:(?:my|the|your|our|a|an)\s+)?$"
    # What the value replaces: "instead of my visa", "my old amex".
    r"|\b(?:instead of|rather than|replacing|old|expired|lost|stolen)\s+(?:(?:my|the|your|our|a|an)\s+)?$", re.I)
# ... or what the person says is going ("my amex runs out at the end of the month, it's a mastercard ending 5302").
GOING = re.compile(r"^(?:\s+card)?\s+(?:runs out|ran out|is running out|expires|expired|has expired|is expiring"
                   r"|was stolen|got stolen|is lost|was lost|got lost|is blocked|was blocked)\b", re.I)


def find_enum(field: FieldSpec, request: Request, skip: frozenset[str] = frozenset(),
              prefer: Sequence[tuple[int, int]] = ()) -> list[tuple[object, Found]]:
    """Enum values the request names (longest phrasing first), in order of appearance.

    `skip`: phrasings that are the exact values of another field ("mastercard" is a brand, not a kind).
    `prefer`: spans where a value said twice is taken from ("pay by card ... can you put a card on file?").
    """
    options = field.enum or (field.item.enum if field.item else ())
    hits = []
    for value in options:
        for form in enum_forms(value) + described_forms(field, value):
            if enum_key(form) in skip and enum_key(form) != enum_key(value):
                continue
            pattern = phrase_pattern(form, between=SPLIT_BY_PRONOUN)
            # "take it off hold", "no longer on hold", "haven't been inspected": not the state asked for.
            found = [f for f in request.find(pattern)
                     if not LEFT_BEHIND.search(request.text[: f.start]) and not GOING.match(request.text[f.end:])]
            if found:
                inside = [f for f in found if any(a <= f.start < b for a, b in prefer)]
                hits.append((value, (inside or found)[0], len(form)))
                break
    hits.sort(key=lambda h: (-h[2], h[1].start))
    chosen, spans = [], []
    for value, found, _ in hits:
        if all(found.end <= a or found.start >= b for a, b in spans):
            chosen.append((value, found))
            spans.append((found.start, found.end))
    return sorted(chosen, key=lambda pair: pair[1].start)


def described_forms(field: FieldSpec, value: object) -> list[str]:
    """What the field's description says a value does ("paused stops syncing; active resumes": 'stops syncing'
    names paused, 'resumes' active)."""
    # The value opens a clause of its own and a verb follows it (not "active or ended offers").
    clause = rf"(?:^|[;.]\s*){re.escape(str(value))}\s+(?!(?:or|and|nor|to)\b)([a-z]+s(?:\s+[a-z]+)?)\s*(?=[;,.]|$)"
    said = re.search(clause, field.description)
    # Or what it is, in brackets after it: "dismissed (a false alarm)" names dismissed by "false alarm".
    kind = re.search(rf"\b{re.escape(str(value))}\s*\(\s*(?:it\s+was\s+)?an?\s+([a-z][a-z -]{{2,30}}?)\s*\)",
                     field.description)
    return [m.group(1) for m in (said, kind) if m]


def names_a_value(field: FieldSpec, text: str) -> bool:
    """Whether the text names one of the field's values ("write off" for a movement's kind)."""
    return bool(find_enum(field, Request(text)))


def names_a_described_state(field: FieldSpec, text: str) -> bool:
    """Whether the text says what one of the field's values does ("stop syncing" for paused)."""
    return any(phrase_pattern(form).search(text) for value in field.enum for form in described_forms(field, value))


def enum_key(value: object) -> str:
    """An enum value or phrasing compared loosely: 'Write off', 'write-off' and 'write_off' are one."""
    return re.sub(r"[\s-]+", "_", str(value).strip().lower())


def phrase_pattern(phrase: str, between: str = r"\s+") -> re.Pattern:
    """A phrase's words in any inflection, as whole words; `between` is what may stand between them."""
    return re.compile(r"(?<![\w-])" + between.join(stem_pattern(w) for w in phrase.split()) + r"(?![\w-])", re.I)


def stem_pattern(word: str) -> str:
    """A regex for a word and its inflections ('cancelled' also matches 'cancel', 'canceled')."""
    if "'" in word:  # a contraction as written, its apostrophe typed or not ("don't", "dont")
        return re.escape(word).replace("'", "['’]?")
    base = stem(word)
    return re.escape(base) + r"\w*" if len(base) >= 4 else re.escape(word)


def find_flag(field: FieldSpec, request: Request) -> tuple[bool, Found] | None:
    """True when the request uses the flag's word ('default', 'archived'), False when it negates it; an active flag
    also by the words that switch something on or off ("turn off the DPD carrier")."""
    for value, phrase in _described_switches(field):
        if (hits := request.find(phrase_pattern(phrase))) and request.free(hits[0].start, hits[0].end):
            return value, hits[0]
    names = {stem(w) for w in field.words - FLAG_NOISE}
    if names & {stem(w) for w in ACTIVE_FLAGS} and (m := SWITCH.search(request.text)):
        found = Found(m.group(0), None, m.start(), m.end())
        if request.free(found.start, found.end):
            return m.group("on") is not None, found
    toks = tokens(request.text)
    names |= {stem(w) for name in names for w in FLAG_SYNONYMS.get(name, ())}
    for i, tok in enumerate(toks):
        word = tok.group(0).lower()
        # "unavailable" negates "available" in one word.
        negated = word.startswith("un") and stem(word[2:]) in names
        # "it helped" and "it didn't help" say whether it was helpful: the flag's word grown from the request's.
        root = stem(word)
        grown = len(root) >= 4 and any(name.startswith(root) for name in names)
        if (root in names or negated or grown) and request.free(tok.start(), tok.end()):
            before = {t.group(0).lower() for t in toks[max(0, i - 3) : i]}
            return not (before & NEGATION) and not negated, Found(tok.group(0), None, tok.start(), tok.end())
    return None


def _described_switches(field: FieldSpec) -> list[tuple[bool, str]]:
    """What a flag's description says sets it ("True to sell the variant, False to stop selling it": 'sell' sets
    True, 'stop selling' False), the longest phrasing first."""
    found = [(value.lower() == "true", phrase) for value, phrase in DESCRIBED_SWITCH.findall(field.description)]
    return sorted(found, key=lambda pair: len(pair[1]), reverse=True)


# A capitalised name, double-barrelled ones whole ("Weber-Schmidt", "Jean-Luc", "O'Neil").
A_NAME = r"[A-ZÀ-Þ][a-zß-ÿ']+(?:-[A-ZÀ-Þa-zß-ÿ][a-zß-ÿ']+)*\b"
NAME_ALONE = re.compile(r"\s*(?:[,;\n]|$)")
# "the first name ... should be Lukas": one name for the field the request names.
ONE_NAME = re.compile(
    rf"\b(first|last|family|given|sur)[\s_-]?name\b.{{0,60}}?(?:\b(?:to|be|is|as)\s+|[,:]\s*)(?:now\s+)?({A_NAME})"
)


def find_one_name(request: Request, which: str) -> Found | None:
    """The single name given for a first or last name the request names ("fix her last name to Weber")."""
    for m in ONE_NAME.finditer(request.text):
        part = {"family": "last", "sur": "last", "given": "first"}.get(m.group(1).lower(), m.group(1).lower())
        if part == which and request.free(m.start(2), m.end(2)):
            return Found(m.group(2), m.group(2), m.start(2), m.end(2))
    return None


def find_person_name(request: Request) -> tuple[str, str, Found] | None:
    """First and last name after 'I am', 'my name is', 'customer'... or as two capitalised words.

    Words after a trigger typed in lower case are a name only when no capitalised pair is one: in "customer says
    she's Ava Martin" the name is Ava Martin, in "customer ava martin" it is ava martin.
    """
    triggered = [
        m for m in NAME_TRIGGER.finditer(request.text)
        if request.free(m.start(1), m.end(2)) and not {m.group(1).lower(), m.group(2).lower()} & NOT_NAMES
    ]
    for m in triggered:
        if m.group(1)[0].isupper() or m.group(2)[0].isupper():
            return m.group(1).title(), m.group(2).title(), Found(m.group(0), None, m.start(1), m.end(2))
    for m in re.finditer(rf"\b({A_NAME})[^\S\n]+({A_NAME})", request.text):
        pair = {m.group(1).lower(), m.group(2).lower()}
        # Opening a sentence every word is capitalised; a name there stands alone ("Julia Weber, julia@...").
        alone = NAME_ALONE.match(request.text, m.end())
        if (m.start() > 0 or alone) and request.free(m.start(), m.end()) and not pair & NOT_NAMES:
            return m.group(1), m.group(2), Found(m.group(0), None, m.start(), m.end())
    if triggered:
        m = triggered[0]
        return m.group(1).title(), m.group(2).title(), Found(m.group(0), None, m.start(1), m.end(2))
    return None


# A number right before a name makes it a street ("12 Rue Nationale"), nobody's name.
HOUSE_NUMBER = re.compile(r"\b\d+[a-z]?,?[^\S\n]+$", re.I)


def person_spoken_of(text: str) -> str | None:
    """The full name of someone the speaker talks about, not the speaker: a name the words after it take up as
    he or she ("Luca Jansen phoned about his order"). A speaker's own name comes after "I am" or "my name is"."""
    for m in re.finditer(rf"\b({A_NAME})[^\S\n]+({A_NAME})", text):
        if ({m.group(1).lower(), m.group(2).lower()} & NOT_NAMES or SPEAKER.search(text[:m.start()])
                or DETERMINED.search(text[:m.start()]) or HOUSE_NUMBER.search(text[:m.start()])):
            continue
        last = re.sub(r"'s$", "", m.group(2))  # "Camille Roux's return"
        return f"{m.group(1)} {last}" if THIRD_PERSON.search(text, m.end()) else None
    return None


def find_reference(field: FieldSpec, request: Request) -> Found | None:
    """A code or name next to the field's word: 'warehouse PAR1', 'the Lyon warehouse', 'from PAR to LYO'."""
    named = {w for w in field.words if w not in ("id", "code", "ref")}
    direction = named & {"from", "source", "to", "target", "destination"}
    keys = {stem(k) for k in (({"from"} if direction & {"from", "source"} else {"to", "into"}) if direction else named)}
    toks = tokens(request.text)
    hits = [i for i, tok in enumerate(toks) if stem(tok.group(0).lower()) in keys]
    # Only a new value is "set to" ("brand ... to Feltworks"); the record's own reference is not.
    identity = field.required or field.name.endswith(("_ref", "_id", "_code"))
    if not direction and not identity and (found := _set_to(request, toks, hits)):
        return found
    for i in hits:
        for j in [i + 1, i + 2] if direction else [i + 1, i - 1, i + 2]:
            if (
                0 <= j < len(toks)
                and looks_like_name(toks[j].group(0))
                and request.free(toks[j].start(), toks[j].end())
            ):
                return Found(toks[j].group(0), toks[j].group(0).strip(".,"), toks[j].start(), toks[j].end())
    if direction and (found := _where_they_are(request, toks, hits)):
        return _in_country(field, request, found)
    if direction & {"to", "target", "destination"} and (home := LIVES_IN.search(request.text)) and (
            looks_like_name(home.group(1)) and request.free(home.start(1), home.end(1))):
        # Where the person it goes to lives ("my sister lives in Porto, Portugal. ... sending her one"), or the asker.
        return _in_country(field, request, Found(home.group(1), home.group(1), home.start(1), home.end(1)))
    if direction & {"to", "target", "destination"} and takes_place(field) and (found := _place_said(request, toks)):
        return found
    if direction & {"from", "source"} and takes_place(field) and (found := _place_said(request, toks, PLENTY)):
        return found
    # Typed in lower case, a name shows only as 'the paris warehouse': a word between a determiner and the key.
    for i in hits:
        if i >= 2 and toks[i - 2].group(0).lower() in LEAD_INS and request.free(toks[i - 1].start(), toks[i - 1].end()):
            word = toks[i - 1].group(0)
            if word.isalpha() and word.lower() not in STOPWORDS | DETERMINERS:
                return Found(word, word, toks[i - 1].start(), toks[i - 1].end())
    if not direction and takes_place(field):
        return _place(request, toks)
    return None


def _where_they_are(request: Request, toks: list[re.Match], hits: list[int]) -> Found | None:
    """A place named after "in" where the direction names a person: "a present to my brother in Italy", "get it
    to me here in Madrid"."""
    for i in hits:
        for k in range(i + 1, min(i + 1 + PERSON_WORDS, len(toks) - 1)):
            word = toks[k + 1].group(0).strip(".,:;!?")
            if (toks[k].group(0).lower() == "in" and word[:1].isupper() and looks_like_name(word)
                    and request.free(toks[k + 1].start(), toks[k + 1].end())):
                return Found(word, word, toks[k + 1].start(), toks[k + 1].start() + len(word))
            if looks_like_name(toks[k].group(0)):
                break  # "to Lyon in December": the place came first
    return None


# Where someone lives or stays: "my sister lives in Porto", "I'm based in Lyon".
LIVES_IN = re.compile(r"\b(?:lives?|living|based|stays?|staying|moved)\s+(?:in|to)\s+([A-Za-z][\w'-]*)")
# A town's country after it: "Porto, Portugal".
THEN_COUNTRY = re.compile(r"\s*,\s*([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)")


def _in_country(field: FieldSpec, request: Request, place: Found) -> Found:
    """The town, or its country named after it when the field takes a country ("Porto, Portugal": Portugal)."""
    after = THEN_COUNTRY.match(request.text, place.end)
    if after and after.group(1).lower() in COUNTRIES and "country" in words(field.description.lower()):
        return Found(request.text[place.start:after.end()], after.group(1), place.start, after.end())
    return place


def takes_place(field: FieldSpec) -> bool:
    """True for a record the tool also finds by its city (a warehouse)."""
    return "city" in words(field.description)


# What a place that is short of something says of itself: "Berlin has none of X left", "Lyon has run out of them",
# "Paris is nearly out of the mugs", "Lyon is down to its last couple", "Berlin has run dry on the headlamps".
SHORT = re.compile(r"^\s*(?:has|have|is|are|'s)\s+(?:\w+\s+){0,2}?(?:none|no|nothing|run\s+out|ran\s+out|out|"
                   r"run\s+dry|ran\s+dry|dry|down\s+to|low|short|empty|sold\s+out)\b", re.I)


# What a place that has plenty of something says of itself: "Paris has loads of them", "Lyon is sitting on 90".
PLENTY = re.compile(r"^\s*(?:has|have|is|are|'s)\s+(?:\w+\s+){0,2}?(?:loads|lots|plenty|tons|heaps|piles|stacks|"
                    r"a\s+pile|a\s+lot|sitting\s+on|more\s+than\s+enough)\b", re.I)


def short_place(request: Request) -> Found | None:
    """The capitalised place the request says is short of something (`_place_said`)."""
    return _place_said(request, tokens(request.text))


def stocked_places(request: Request) -> set[str]:
    """The places the request tells of as short of something or as having plenty of it."""
    toks = tokens(request.text)
    return {found.value for found in (_place_said(request, toks), _place_said(request, toks, PLENTY)) if found}


def _place_said(request: Request, toks: list[re.Match], said_of: re.Pattern = SHORT) -> Found | None:
    """A capitalised place that says it is short of something (`said_of` SHORT), where the units are to go: "Berlin
    has none of OD-HEADLAMP-04 left, move 15 over from Paris"; or has plenty of it (PLENTY), where they come from."""
    for tok in toks:
        word = tok.group(0).strip(".,:;!?")
        # "Berlin's down to 3 of them": the name, and "'s" for "is".
        name, said = (word[:-2], f"'s{request.text[tok.end():]}") if re.search(r"['’]s$", word) else (
            word, request.text[tok.end():])
        if name[:1].isupper() and looks_like_name(name) and request.free(tok.start(), tok.end()) and said_of.match(
                said):
            return Found(name, name, tok.start(), tok.start() + len(name))
    return None


def _place(request: Request, toks: list[re.Match]) -> Found | None:
    """A capitalised name after 'in' or 'at' ("3 candles got smashed in Paris", "arrived at the Paris site"): where
    something happened. ("from" and "to" belong to the fields that say a direction.) Of several, the one in the
    sentence that asks: "A reseller in Munich wants 5. What have we got in Berlin?" asks about Berlin."""
    lead = None  # the last word before this one, determiners aside
    found = []
    for tok in toks:
        word = tok.group(0).strip(".,:;!?")
        named = word[:1].isupper() and looks_like_name(word) and request.free(tok.start(), tok.end())
        if lead in ("in", "at") and named:
            found.append(Found(tok.group(0), word, tok.start(), tok.start() + len(word)))
        if word.lower() not in LEAD_INS:
            lead = word.lower()
    asking = [(m.start(), m.end()) for m in SENTENCE.finditer(request.text) if m.group(0).rstrip().endswith("?")]
    return next((f for f in found if any(a <= f.start < b for a, b in asking)), found[0] if found else None)


def _set_to(request: Request, toks: list[re.Match], hits: list[int]) -> Found | None:
    """The new value in 'change the brand of product 123 to Feltworks': the name after 'to', near the key."""
    for i in hits:
        to = next((j for j in range(i + 1, min(i + SET_TO_REACH, len(toks))) if toks[j].group(0).lower() == "to"), None)
        if to is None:
            continue
        k = to + 1
        while k < len(toks) and toks[k].group(0).lower() in LEAD_INS | {"a", "an"}:
            k += 1
        if k < len(toks) and looks_like_name(toks[k].group(0)) and request.free(toks[k].start(), toks[k].end()):
            # A name of several capitalised words is taken whole ("to Cosy Mills").
            end = k
            while (end + 1 < len(toks) and toks[end + 1].group(0)[:1].isupper()
                   and toks[end].group(0)[-1:] not in ",.;:"
                   and request.text[toks[end].end() : toks[end + 1].start()].isspace()):
                end += 1
            phrase = request.text[toks[k].start() : toks[end].end()]
            return Found(phrase, phrase.strip(".,"), toks[k].start(), toks[end].end())
    return None


# Words after "the" (or "your") up to a word that ends a name ("the water bottle come in" -> "water bottle",
# "everyone loves your black logo tee." -> "black logo tee"); after "my" come their own ("my sister", "my eye").
NAME_LEAD = r"\b(?:the|your)\s+"
ENDS_NAME = ("in on for is are available come comes cost costs from with do does have has please pls now again any "
             "anymore yet too today either if because since so").split()
# "the same one", "the other one", "the first one": a thing pointed back at, never a product's name.
POINTED = r"(?!(?:same|other|one|ones|first|second|third|last|next|rest)\b)"
THE_NAME = re.compile(
    rf"{NAME_LEAD}{POINTED}([a-z][\w-]*(?:\s+[a-z][\w-]*){{0,2}}?)(?=\s+(?:{'|'.join(ENDS_NAME)})\b|[?.,!]|$)", re.I)
# A product named with its options runs to four words and ends before any small word too, or a contraction ("3 of
# the small sea salt candles got smashed", "the black embroidered cap isn't moving"). "of" joins a name to what it
# names ("the price of the hoodie") and ends none.
ENDS_PRODUCT = "|".join(sorted(set(ENDS_NAME) | STOPWORDS - {"of", "and", "or", "a", "an", "the"}))
# A measure is an option too ("the steel 0.8 l pour-over kettles"); "and" before a capitalised name ends it ("the
# small steel kettles and Lyon has loads").
PRODUCT_WORD = rf"(?:(?!(?:{ENDS_PRODUCT})\b)[a-z][\w-]*|\d+(?:\.\d+)?\s?(?:l|ml|cl|cm|mm|kg|g)\b)"
THE_PRODUCT = re.compile(
    rf"{NAME_LEAD}{POINTED}({PRODUCT_WORD}(?:\s+{PRODUCT_WORD}){{0,3}}?)"
    rf"(?=\s+(?:{ENDS_PRODUCT})\b|\s+\w+n't\b|\s+and\s+(?-i:[A-Z])|[?.,!]|$)", re.I)


# Capitalised words that never name a product: days, months and feasts ("our club's Christmas do", "came on
# Monday") and greetings ("Hiya!").
NOT_PRODUCTS = frozenset(MONTHS) | frozenset(WEEKDAYS) | {
    "christmas", "xmas", "easter", "halloween", "thanksgiving", "hanukkah", "diwali", "eid",
    "hi", "hiya", "hello", "hey", "morning", "afternoon", "evening", "cheers", "thanks",
}


def looks_like_name(token: str) -> bool:
    """A code (PAR1) or a capitalised name (Lyon), not an ordinary word."""
    token = token.strip(".,:;!?")
    if len(token) < 2 or token.lower() in STOPWORDS | DETERMINERS:
        return False
    # A country typed in lower case ("to spain") is a name too; two-letter codes ("it", "us") are words then.
    return token[0].isupper() or any(c.isdigit() for c in token) or (len(token) > 3 and token.lower() in COUNTRIES)


# A word that leads a place, and the space after it ("to " of "to Berlin").
PLACE_LEAD = re.compile(rf"\b(?:{'|'.join(PLACE_LEADS)})\s+")


def _given_as_place(name: str, text: str) -> bool:
    """Whether the request names this after a word that leads a place ("to Berlin")."""
    return any(text.startswith(name, m.end()) and not text[m.end() + len(name):][:1].isalnum()
               for m in PLACE_LEAD.finditer(text))


def find_product_name(request: Request, places: bool = False, options: bool = False) -> Found | None:
    """A product named in the request: a capitalised phrase (Mechanical Keyboard) or 'the <words>'.

    `places`: the tool also takes a place, so a name right after "in", "at", "from" or "to" is that place.
    `options`: a product or its variant is looked for, which may be named with its options ("the small sea salt
    candles")."""
    person = person_spoken_of(request.text)
    stocked = stocked_places(request) if places else set()
    for m in CAPITALISED_PHRASE.finditer(request.text):
        phrase = m.group(0)
        # An all-capitals short word is a code (a warehouse such as LYO), not a product's name.
        # Nor is a sentence's "I'd" or "I'm" a name: the word before its apostrophe is an ordinary one. Nor is a
        # person's ("Camille Roux's laptop stand came back, it's her return").
        start = m.start()
        if person and (owned := re.match(rf"{re.escape(person)}['’]s\b\s*", phrase)):
            phrase, start = phrase[owned.end():], start + owned.end()
        if (re.fullmatch(r"[A-Z]{2,6}(?:-?\d+)?", phrase) or phrase.lower().split("'")[0] in STOPWORDS
                or not phrase or set(words(phrase)) <= NOT_PRODUCTS):
            continue
        before = [w.lower() for w in request.text[: m.start()].split() if w.lower() not in LEAD_INS]
        if places and before and before[-1] in PLACE_LEADS:
            continue
        # Nor is a name the request elsewhere gives as a place ("Berlin's nearly out ..., move 5 from Paris to
        # Berlin"), or says is short of something or has plenty ("Berlin's down to 3 of them", "Lyon has loads").
        if places and ((place := re.sub(r"['’]s$", "", phrase)) in stocked or _given_as_place(place, request.text)):
            continue
        # A place a clause ends with ("have we got sitting in Lyon?") is where, never the product (a warehouse's
        # reference may be that place: "how much room have we got left in Berlin?").
        if options and any(p.start() <= m.start() < p.end() for p in PLACE.finditer(request.text)):
            continue
        # Opening a sentence every word is capitalised; a name there shows by its possessive ("Colissimo's rate"),
        # or by the capital of its next word ("Colis Privé sent over their stats").
        owner = re.match(r"(.+?)['’]s$", phrase)
        named = any(w[:1].isupper() for w in phrase.split()[1:])
        opens = not request.text[:start].strip() or re.search(r"[.!?\n]\s*$", request.text[:start])
        if (not opens or owner or named) and request.free(start, m.end()) and len(phrase) > 2:
            return Found(phrase, owner.group(1) if owner else phrase, start, m.end())
    for m in (THE_PRODUCT if options else THE_NAME).finditer(request.text):
        if request.free(m.start(1), m.end(1)):
            return Found(m.group(1).strip(), m.group(1).strip(), m.start(1), m.end(1))
    return None
