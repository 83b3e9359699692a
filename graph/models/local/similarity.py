"""Tool choice: cosine similarity of the request to each tool's description and examples, plus word overlap."""

import hashlib
import itertools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches
from functools import cache, lru_cache

import numpy as np

from graph.models.local import entities as e
from graph.models.local import tokens
from graph.models.local.entities import mask
from graph.models.local.text import NUMBER_WORDS, STOPWORDS, content_stems, humanize, stem, swapped_in, words
from graph.models.local.toolview import ToolView

log = logging.getLogger(__name__)
Embed = Callable[[list[str]], np.ndarray]

# Calibrated on ~75 paraphrased shop requests and 15 unrelated ones against the crew's roster and registry
# tools (and the phrasings in tests/graph/models/test_choice.py): with MiniLM plus the nudges below,
# unrelated requests score at most ~0.47 ("what's 2+2"), in-scope ones 0.52 and more, mostly above 0.65.
EMBED_THRESHOLD = 0.5
# Below it, a band where a request is probably in scope but worded far from every example ("do u hav
# headphnes" ~0.41, "any blutooth speakers?" ~0.40) while unrelated ones stay under it ("book me a flight"
# ~0.35, "tell me a joke" ~0.35): there the router takes a clear leader and asks when the first two are close.
# The band reads meaning alone: a shared proper noun ("Paris") must not lift the weather into it.
LIKELY_THRESHOLD = 0.38
CLOSE_READINGS = 0.04
# Without embeddings only shared words count, weighted by rarity; one rare shared word scores ~0.3. Shared
# words alone cannot tell "book a flight" from "address book", so at least half of the request's ordinary
# (lower-case) words must be words the tools use.
LEXICAL_THRESHOLD = 0.3
LEXICAL_COVERAGE = 0.5
# Shared rare words and the tool's distinctive name words nudge the score; meaning still decides.
LEXICAL_WEIGHT = 0.2
NAME_BONUS = 0.1
# A request that names a record (an order number, an email) reads as a job for agents whose tools take one:
# "I'd return the backpack from order #W1234567" is not for the catalogue, however much it talks of a backpack.
STRUCTURE_PENALTY = 0.25
# A record's number led by letters ("QI-7K2M9P4X", "CASE-000123", "RMA-20261101-AB12CD34").
PREFIXED_ID = re.compile(r"(?<![\w-])[A-Za-z]{2,5}-(?=[A-Za-z-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,}(?![\w-])")
# A number written in dotted parts ("198.51.100.77"): an address some tool's pattern may take, never a quantity.
DOTTED = re.compile(r"(?<![\w.])\d+(?:\.\d+){2,}(?!\w|\.\d)")
# A name inside a sentence ("pull up the customer Grace Moreau") is a value, like an id: sharing it with one tool's
# example ("took a new surname, Moreau") says nothing about what the request asks for.
PROPER_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-zà-ÿ'-]+")
REFERENCES = ((e.ORDER_ID, frozenset({"order", "order_list"})),)
# A record named by its noun and number ("close alert 1", "case #3"): among a specialist's writes, those with no field
# for that record's id step back as far, so a tool making a new one does not take a request about an existing one.
NUMBERED = re.compile(r"\b([a-z]+)\s+#?(\d+)\b", re.I)
# The record field people name a record by when its listing shows one (articles, alerts): "the ... alert".
TITLE_FIELDS = frozenset({"title"})
# "the late tracking updates alert": a record named by title words between "the" and its noun.
TITLED = re.compile(r"\bthe\s+((?:[a-z'-]+\s+){1,5}[a-z]+)\b", re.I)
# A hand-off tool's requests from other roles count this much less: what the caller may do comes first, yet a
# request only staff may make ("move 5 keyboards to Lyon") still reaches the specialist who can say so.
OTHER_ROLES_PENALTY = 0.1
# A request naming what an agent's records are called in the shop's database ("the soy candle", "anything by
# Northtrail") leans to that agent by this much; words the registry's own texts use are no such names.
VOCABULARY_BONUS = 0.1
# A request word names a vocabulary word when one starts the other with at most this many letters to spare
# ("camping" for "Camp", "head" for "Headlamp"), both at least PREFIX letters long, or when it is misspelt
# only a little ('candel'); bare starts of fewer letters name too much ("arm" starts "armchair").
PREFIX = 4
# The words after "my" or "our" that name what is the speaker's ("my desk lamp", "our Halo Desk Lamp"); "a cable for
# my keyboard" names what something is for.
POSSESSED = re.compile(r"(?<!\bfor )(?<!\bwith )\b(?:my|our)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
# A product named by what the speaker did with it: "the candle I ordered", "the tent, hoodie and arm I sent back".
DONE_WITH = re.compile(r"\bthe\s+((?:[\w'-]+(?:,|\s+and)?\s+){0,5}?[\w'-]+)\s+(?:that\s+|which\s+)?"
                       r"(?:i|we)(?:'ve|\s+have)?\s+(\w+(?:\s+back)?)\b", re.I)
# ... or by a sentence opening with it, leaving out who bought it ("fig candle ordered like 10 days ago, still not
# here"), unless someone else did ("lamps ordered from the supplier").
BOUGHT_FIRST = re.compile(r"(?:^|(?<=[.!?]\s))((?:[\w'-]+\s+){0,3}?[\w'-]+)\s+(bought|ordered|purchased)\b"
                          r"(?!\s+(?:from|by)\b)", re.I)
# A product the speaker waits for: "the candle still hasn't turned up", "the hoodie that's coming". (Not one that
# arrived: staff speak so of stock, "the kettles that arrived this morning are dented".)
ARRIVED = re.compile(
    r"\bthe\s+((?:[\w'-]+\s+){0,4}?[\w'-]+)\s+(?=(?:(?:that's|that is|which is)\s+(?:coming|on (?:its|the) way)"
    r"|(?:still\s+)?(?:hasn't|has not|haven't|have not|didn't|did not|never|isn't|is not)\s+(?:yet\s+)?"
    r"(?:arrived|come|came|turned up|shown up|showed up|got here|reached me|been delivered|here))\b)", re.I)
# A product the speaker waits for: "I've been waiting in all day for the desk lamp", "stuck at home all morning for
# the monitor arms".
WAITING = re.compile(r"\b(?:waiting|waited|wait|stuck at home|stuck in|stayed in|staying in)"
                     r"(?:\s+(?!for\b)[\w'-]+){0,3}\s+for\s+(?:the|my|our)\s+((?:[\w'-]+\s+){0,3}[\w'-]+)", re.I)
# ... unless it is waited for in the shop's stock ("waiting for the red hoodie to come back in stock") or from someone
# else ("waiting for the kettles from the supplier").
AWAITED_ELSEWHERE = re.compile(
    r"\s+(?:from\b|(?:to\s+)?(?:(?:come|be|get)\s+)?(?:back\s+)?(?:in\s+stock|restocked|available)\b)", re.I)
# A product named as what the speaker got ("I got the wrong colour speaker", "I bought the wrong size hoodie", "I
# got two of the split keyboards") or did with it ("I returned the two chipped mugs"); a sentence may leave out who
# bought ("bought a headlamp for a camping trip and the tracking has said the same thing for a week").
RECEIVED = re.compile(r"got|received|bought|ordered|purchased", re.I)
GOT = re.compile(r"(?:\b(?:i|we)(?:'ve|\s+have)?\s+(?:just\s+|already\s+)?"
                 r"|(?:^|(?<=[.!?]\s))(?=(?:bought|ordered|purchased)\b))(?P<verb>[a-z]+)\s+"
                 r"(?:(?:(?:one|two|three|four|both|some|all|\d+)\s+of\s+)?(?:a|an|the|my|this|that|some|\d+|two|three|four)\s+)?"
                 r"((?:(?!and\b)[\w'-]+\s+){0,3}(?!and\b)[\w'-]+)", re.I)  # the rest of a list is MORE_PRODUCT's
# A record named with the product it is for or holds: "the return for the t-shirt", "an invoice for my desk lamp",
# "the order with the sand earbuds, the usb cable and the socks".
FOR_PRODUCT = re.compile(r"\b(?:(the|this|that|my|our)\s+)?([a-z]+)\s+(?:for|with|containing)\s+"
                         r"(?:the|my|a|an|this|that|our)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
# One more product of a list: ", the usb cable", "and the socks", "and two of the TKL keyboards".
MORE_PRODUCT = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:(?:one|two|three|four|both|some|all|\d+)\s+of\s+)?"
                          r"(?:the|my|a|an|two|three|\d+)\s+"
                          r"((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
# Words in brackets, an aside: "(2 grey felt mats and the camp stove)".
ASIDE = re.compile(r"\s*\(([^()]*)\)")
# A product word right before a record's noun: "candle order".
PRODUCT_RECORD = re.compile(r"\b([a-z][\w-]+)\s+(?=([a-z]+)\b)", re.I)
PREFIX_SPARE = 4
TYPO_RATIO = 0.85
NAME_NOISE = frozenset({"get", "by", "of", "for", "the", "a", "and"})
# Everyday words for the verbs tool names use, so "show all my orders" finds a "list" tool's name.
NAME_SYNONYMS = {
    "list": {"all", "every", "history", "past"},
    "search": {"find", "look", "sell"},
    "modify": {"change", "switch", "edit"},
    "update": {"change", "set", "edit", "rename"},
    "exchange": {"swap", "replace"},
    "erase": {"delete", "remove", "close"},
    "archive": {"delete", "remove", "discontinue"},
    "place": {"buy", "purchase"},
    "return": {"back", "refund"},
    "cancel": {"stop"},
    "add": {"new", "save"},
    "check": {"available", "availability", "stock"},
    "transfer": {"move"},
    "find": {"lookup", "look", "who"},
    "submit": {"file", "log", "lodge"},
    "record": {"log", "note", "jot"},
}


@dataclass
class ToolIndex:
    """A tool's comparison texts, their word stems and (lazily) their embeddings. The first `own` texts are the
    tool's own; those after are its agent's requests from other roles."""

    texts: list[str]
    stems: list[set[str]]
    name_stems: list[str]
    own: int
    vectors: np.ndarray | None = field(default=None)

    def embedding_score(self, q: np.ndarray, embed: Embed) -> float:
        """The closest text in meaning, others' requests counted less."""
        if self.vectors is None:
            self.vectors = vectors(self.texts, embed)
        sims = self.vectors @ q
        others = float(np.max(sims[self.own:])) - OTHER_ROLES_PENALTY if len(self.texts) > self.own else -1.0
        return max(float(np.max(sims[: self.own])), others)

    def lexical(self, query: set[str], idf: dict[str, float]) -> float:
        """The closest text in shared rare words, others' requests counted less."""
        own = max(lexical_score(query, s, idf) for s in self.stems[: self.own])
        others = [lexical_score(query, s, idf) - OTHER_ROLES_PENALTY for s in self.stems[self.own:]]
        return max([own, *others])


@dataclass
class ToolSetIndex:
    """Statistics over one set of bound tools: word rarity, name-word rarity and vocabulary."""

    tools: list[ToolIndex]
    idf: dict[str, float]
    name_weight: dict[str, float]
    vocabulary: list[str]
    known: frozenset[str]  # the stems the tools' own texts use

    def read(self, query: str) -> str:
        """The request as the tools' texts are read: ids masked and typos mended."""
        return correct_typos(mask(query), self.vocabulary)


_TOOLS: dict[tuple[str, str], ToolIndex] = {}
_SETS: dict[tuple, ToolSetIndex] = {}
_VECTORS: dict[str, np.ndarray] = {}


@cache
def default_embedder() -> Embed | None:
    """The offline MiniLM embedder, or None (lexical fallback) when it cannot load here."""
    try:
        from knowledge.embeddings import embed, get_embedder

        get_embedder()
        return embed
    except Exception as exc:  # any failure to load the model means: work without it
        log.warning("local model: embeddings unavailable (%s); using lexical tool choice", exc)
        return None


@lru_cache(maxsize=4096)
def _tool_key(
    name: str, description: str, examples: tuple[str, ...], others: tuple[str, ...], catalogue: tuple[str, ...]
) -> tuple[tuple[str, str], tuple[str, ...], int]:
    raw = [description, *examples, humanize(name.removeprefix("transfer_to_"))]
    texts = tuple(dict.fromkeys(unnamed(mask(t), catalogue) for t in raw if t.strip()))
    extra = tuple(t for t in dict.fromkeys(unnamed(mask(t), catalogue) for t in others if t.strip()) if t not in texts)
    digest = hashlib.sha1("\x1f".join(texts).encode() + b"\x1e" + "\x1f".join(extra).encode()).hexdigest()
    return (name, digest), texts + extra, len(texts)


def catalogue_of(tools: Sequence[ToolView]) -> tuple[str, ...]:
    """The names the records of a tool set go by in the shop's database (the catalogue's products)."""
    return tuple(sorted({n for t in tools for n in t.vocabulary}))


def _key_of(tool: ToolView, catalogue: tuple[str, ...]) -> tuple[tuple[str, str], tuple[str, ...], int]:
    # The catalogue's words are its own tools' words: only other tools' examples lose them.
    theirs = () if tool.vocabulary else catalogue
    return _tool_key(tool.name, tool.description, tool.examples, tool.others_examples, theirs)


def tool_index(tool: ToolView, catalogue: tuple[str, ...]) -> ToolIndex:
    """The cached index of one tool, keyed by its name and the hash of its texts."""
    key, texts, own = _key_of(tool, catalogue)
    if key not in _TOOLS:
        _TOOLS[key] = ToolIndex(
            texts=list(texts),
            stems=[set(content_stems(t)) for t in texts],
            name_stems=[
                stem(w) for w in tool.name.removeprefix("transfer_to_").split("_") if w and w not in NAME_NOISE
            ],
            own=own,
        )
    return _TOOLS[key]


def set_index(tools: Sequence[ToolView]) -> ToolSetIndex:
    """The cached statistics of a tool set (rarer words weigh more, as in tf-idf)."""
    catalogue = catalogue_of(tools)
    key = tuple(_key_of(t, catalogue)[0] for t in tools)
    if key not in _SETS:
        indexes = [tool_index(t, catalogue) for t in tools]
        n = len(indexes)
        # Rarity and vocabulary come from the tools' own texts: other roles' requests must not change how the
        # caller's own requests are read.
        df = Counter(s for i in indexes for s in set().union(*i.stems[: i.own]))
        name_df = Counter(s for i in indexes for s in set(i.name_stems))
        vocabulary = {w for i in indexes for t in i.texts[: i.own] for w in words(t) if len(w) >= 3}
        _SETS[key] = ToolSetIndex(
            tools=indexes,
            idf={s: math.log((n + 1) / c) + 0.1 for s, c in df.items()},
            name_weight={s: 1 / c for s, c in name_df.items()},
            vocabulary=sorted(vocabulary),
            known=frozenset(df),
        )
    return _SETS[key]


def vectors(texts: list[str], embed: Embed) -> np.ndarray:
    """Embeddings of the texts, each text embedded once per process (tools share many examples)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if missing:
        if len(_VECTORS) > 50_000:  # requests are cached too; keep memory bounded in a long-lived server
            _VECTORS.clear()
        _VECTORS.update(zip(missing, embed(missing), strict=True))
    return np.stack([_VECTORS[t] for t in texts])


def correct_typos(text: str, vocabulary: list[str]) -> str:
    """Replace words that are neither English nor the tools' own by the closest tool word ('cancle')."""
    fixed = []
    for word in words(text):
        # A contraction of a word that carries no intent ("that's", "it's") is no typo ("wat's" is).
        ordinary = tokens.english(word) or word in STOPWORDS or word.split("'")[0] in STOPWORDS
        if len(word) >= 4 and not word.isdigit() and not ordinary:
            close = next(iter(get_close_matches(word, vocabulary, n=1, cutoff=0.8)), word)
            word = swapped_in(word, vocabulary) or close
        fixed.append(word)
    return " ".join(fixed)


def lexical_score(query: set[str], text: set[str], idf: dict[str, float]) -> float:
    """Cosine of two content-word sets, each word weighted by its rarity among the tools."""
    if not query or not text:
        return 0.0
    shared = sum(idf.get(t, 0) ** 2 for t in text & query)
    norm_q = math.sqrt(sum(idf.get(q, 1.0) ** 2 for q in query))
    norm_t = math.sqrt(sum(idf.get(t, 0) ** 2 for t in text))
    return shared / (norm_q * norm_t) if norm_q and norm_t else 0.0


def name_bonus(query: set[str], tool: ToolIndex, weights: dict[str, float]) -> float:
    """A bonus for name words the request uses (query: stems of all its words), rarer names weigh more."""
    hits = sum(weights.get(k, 0) for k in tool.name_stems if k in query or NAME_SYNONYMS.get(k, set()) & query)
    return NAME_BONUS * min(hits, 1.0)


def lists(noun: str, tool: ToolView) -> bool:
    """Whether a reading tool lists records of this kind ("list system alerts" for "alert")."""
    plural = {stem(noun.lower()), stem(noun.lower() + "s")}
    return not tool.mutates and bool(plural & {stem(w) for w in words(tool.name.replace("_", " "))})


def titled(noun: str, tools: Sequence[ToolView]) -> bool:
    """Whether records of this kind have titles people name them by: a reading tool of these lists them ("list
    system alerts" for "alert") and shows a title."""
    return any(lists(noun, t) and any(r.name in TITLE_FIELDS for r in t.records) for t in tools)


def numbered_penalty(tool: ToolView, numbered: set[str]) -> float:
    """A step back for a write without a field for the id of a record the request names by number or by title
    (`numbered`: those id fields the set's tools have)."""
    if not tool.mutates or not numbered or numbered & {f.name for f in tool.fields}:
        return 0.0
    return STRUCTURE_PENALTY


def referenced(query: str) -> list[frozenset[str]]:
    """The kinds of record the request names by number (an order number names an order)."""
    return [kinds for pattern, kinds in REFERENCES if pattern.search(query)]


def numbered_by_format(query: str, tools: Sequence[ToolView]) -> list[frozenset[str]]:
    """For each number in the request with a prefix of letters ("QI-DEMO0001", "CASE-000123") or in dotted parts
    ("198.51.100.77"), the tools (or the hand-offs whose agents' tools) that take a number of that format: one whose
    pattern holds that prefix or those dots (it would refuse another)."""
    takers = []
    for token in PREFIXED_ID.findall(query) + DOTTED.findall(query):
        if "-" in token:
            prefix, rest = token.split("-", 1)
            # The same number under other letters of the same case: a pattern refusing it holds the prefix.
            other = "".join(("Y" if c == "X" else "X") if c.isupper() else ("y" if c == "x" else "x") for c in prefix)
            other += "-" + rest
        else:
            other = token.replace(".", "")  # a pattern refusing the bare digits holds the dots' format
        names = frozenset(t.name for t in tools if any(
            re.fullmatch(p, token) and not re.fullmatch(p, other) for p in t.value_patterns))
        if names:
            takers.append(names)
    return takers


def record_penalty(tool: ToolView, named: list[frozenset[str]], by_format: list[frozenset[str]]) -> float:
    """The step back for a tool (or an agent) taking neither a kind of record the request names (`referenced`) nor
    a number of the format it gives (`numbered_by_format`)."""
    return structure_penalty(tool, named) + (
        STRUCTURE_PENALTY if any(tool.name not in takers for takers in by_format) else 0.0)


def structure_penalty(tool: ToolView, named: list[frozenset[str]]) -> float:
    """A step back for an agent none of whose tools takes a kind of record the request names."""
    if tool.takes is None or not named:
        return 0.0
    return STRUCTURE_PENALTY if any(not kinds & tool.takes for kinds in named) else 0.0


@lru_cache(maxsize=256)
def _terms(vocabulary: tuple[str, ...], known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The vocabulary's words that the tools' own texts do not use (`known` stems), by first letter."""
    found = {w for name in vocabulary for w in words(name) if len(w) >= 3 and w.isalpha() and w not in STOPWORDS}
    by_letter: dict[str, list[str]] = {}
    for word in sorted(found):
        if stem(word) not in known:
            by_letter.setdefault(word[0], []).append(word)
    return {letter: tuple(group) for letter, group in by_letter.items()}


def alike(word: str, term: str) -> bool:
    """Whether a request word names a word of a record (see PREFIX and TYPO_RATIO): "camping" names "Camp"."""
    if stem(word) == stem(term):
        return True
    short, long = sorted((stem(word), stem(term)), key=len)
    if len(short) >= PREFIX and long.startswith(short) and len(long) - len(short) <= PREFIX_SPARE:
        return True
    return len(short) >= 5 and SequenceMatcher(None, word, term).ratio() >= TYPO_RATIO


def bought(query: str, tools: Sequence[ToolView]) -> str:
    """The request with a product the speaker calls theirs read as what it is to the shop, their order: "has my desk
    lamp shipped yet?" asks about an order, however much the lamp resembles examples about stock or returns."""
    heads = frozenset().union(*(_product_heads(t.vocabulary) for t in tools))
    if not heads:
        return query

    def names(word: str) -> bool:
        # The product's own word, or that word misspelt: "my plants" are no planter; "t-shirt" ends in "shirt".
        word = word.lower().rsplit("-", 1)[-1]
        return len(word) >= 3 and any(stem(word) == stem(n) or (
            len(word) >= 5 and SequenceMatcher(None, word, n).ratio() >= TYPO_RATIO) for n in heads)

    def read(owned: re.Match) -> str:
        said = owned.group(1).split()
        last = max((i for i, w in enumerate(said) if names(w.strip(".,!?"))), default=None)
        if last is None:
            return owned.group(0)
        rest = said[last + 1:]
        # "my mug return": what is theirs is the return of the mug, a record some tool acts on.
        records = acted_on(tools)
        if any(w.strip(".,!?").lower() in records for w in rest):
            return " ".join(["my", *rest])
        return " ".join(["my order", *rest])

    def product_end(found: re.Match, group: int) -> int | None:
        # Where the product the group names ends ("camp stove" of "camp stove and"), if it names one.
        said = found.group(group).split()
        last = max((i for i, w in enumerate(said) if names(w.strip(".,!?"))), default=None)
        return None if last is None else found.start(group) + len(" ".join(said[:last + 1]))

    def kept(text: str) -> str:
        # "the return for the t-shirt" is a return, whatever the t-shirt resembles; so is "the order with the
        # earbuds and the socks" an order.
        start = 0
        while record := FOR_PRODUCT.search(text, start):
            end = product_end(record, 3) if record.group(2).lower() in acted_on(tools) else None
            if end is None:
                start = record.start(3)  # "happening with my claim for the lamp": the claim may hold it
                continue
            while (more := MORE_PRODUCT.match(text, end)) and (further := product_end(more, 1)) is not None:
                end = further
            # The record singled out by what it holds is one of the speaker's: "my order".
            said = f"my {record.group(2)}" if record.group(1) else record.group(2)
            text = text[:record.start()] + said + text[end:]
            start = record.start() + len(said)
        return text

    def did(done: re.Match) -> str:
        # "the mug I sent back" is the speaker's return and "the candle I ordered" their order: what the verb does is
        # a record some tool acts on.
        if not names(done.group(1).split()[-1].strip(".,!?")):
            return done.group(0)
        verb = e.mask(done.group(2)).split()[0]
        if RECEIVED.fullmatch(verb):
            return "my order"  # "the keyboard I got last week": what the speaker's order brought
        record = next((r for r in sorted(acted_on(tools)) if stem(r) == stem(verb)), None)
        return f"my {record}" if record else done.group(0)

    def arrived(came: re.Match) -> str:
        # "the candle still hasn't turned up": what the speaker waits for is what their order brings.
        return "my order " if names(came.group(1).split()[-1].strip(".,!?")) else came.group(0)

    def awaited(waited: re.Match) -> str:
        # "waiting all day for the desk lamp": what the speaker waits for is what their order brings.
        end = product_end(waited, 1)
        if end is None or AWAITED_ELSEWHERE.match(waited.string, end):
            return waited.group(0)
        return waited.group(0)[:waited.start(1) - waited.start(0)] + "order" + waited.group(0)[end - waited.start(0):]

    def record_of(pair: re.Match) -> str:
        # "noah's candle order" is an order and "the mug return" a return: the product only says which.
        named = names(pair.group(1)) and pair.group(2).lower() in acted_on(tools)
        return "" if named else pair.group(0)

    def got(received: re.Match) -> str:
        # "I got the wrong colour speaker" is about what the speaker's order brought, not the catalogue's speaker;
        # "I returned the two chipped mugs" about their return.
        verb = received.group("verb")
        record = "order" if RECEIVED.fullmatch(verb) else next(
            (r for r in sorted(acted_on(tools)) if stem(r) == stem(verb)), None)
        said = received.group(2).split()
        last = max((i for i, w in enumerate(said) if names(w.strip(".,!?"))), default=None)
        if last is None or record is None:
            return received.group(0)
        start = received.start(2) - received.start(0)
        return received.group(0)[:start] + " ".join([*said[:last], record, *said[last + 1:]])

    def got_each(text: str) -> str:
        # "I returned the earbuds, the red speaker and the keyboard": the products listed after the first are the
        # same record's, not the catalogue's.
        start = 0
        while received := GOT.search(text, start):
            said, end = got(received), received.end()
            if said != received.group(0) and names(received.group(2).split()[-1].strip(".,!?")):
                while (more := MORE_PRODUCT.match(text, end)) and (further := product_end(more, 1)) is not None:
                    end = further
            text = text[:received.start()] + said + text[end:]
            start = received.start() + len(said)
        return text

    def aside(said: re.Match) -> str:
        # "picked everything for W8438389 (2 grey felt mats, the white mouse and the camp stove)": the products in
        # brackets only say what the record holds.
        return "" if any(names(w.strip(".,!?")) for w in said.group(1).split()) else said.group(0)

    query = ASIDE.sub(aside, e.rephrased(query))
    said = POSSESSED.sub(read, got_each(WAITING.sub(awaited, ARRIVED.sub(arrived, query))))
    said = kept(BOUGHT_FIRST.sub(did, DONE_WITH.sub(did, said)))
    return PRODUCT_RECORD.sub(record_of, said)


def acted_on(tools: Sequence[ToolView]) -> frozenset[str]:
    """What the tools act on, by the last word of their names ("claim" of filing a warranty claim); as written, for
    "shipped" is no shipment."""
    return frozenset(n.rsplit("_", 1)[-1] for t in tools for n in (t.tool_names or (t.name,)))


def action_words(tools: Sequence[ToolView]) -> frozenset[str]:
    """What the tools do and act on, by the first and last words of their names ("refund" and "payment" of
    refunding a payment); as written."""
    return acted_on(tools) | {n.split("_")[0] for t in tools for n in (t.tool_names or (t.name,))}


@lru_cache(maxsize=64)
def _product_heads(vocabulary: tuple[str, ...]) -> frozenset[str]:
    """What the products of a vocabulary are called (every tool ranking reads them, so once per vocabulary): the
    last word of a name of several ("lamp" of Halo Desk Lamp, "headlamp" of Headlamp 400). A name of one word is a
    brand or a category ("Home" in "my home address")."""
    heads = set()
    for name in vocabulary:
        said = words(name)
        alpha = [w for w in said if w.isalpha()]
        if len(said) >= 2 and alpha and len(alpha[-1]) >= 3:
            heads.add(alpha[-1])
    return frozenset(heads)


# The words that open a product's mention ("the 1l water bottle", "any earbuds", "two hoodies", "my keyboard").
OPENERS = ("the", "a", "an", "my", "our", "your", "this", "that", "these", "those", "any", "some", "its", "their",
           "his", "her", "many", "much", "more", "another", "other", *NUMBER_WORDS)


@lru_cache(maxsize=64)
def _mention(catalogue: tuple[str, ...]) -> re.Pattern | None:
    """A product mentioned in everyday words: an opener, perhaps one word of its own ("the green ..."), words of the
    catalogue's names or sizes ("water", "1l"), then what such products are called ("bottle")."""
    heads = _product_heads(catalogue)
    if not heads:
        return None
    named = {w for name in catalogue for w in words(name) if w.isalpha() and len(w) >= 3}
    alternatives = lambda found: "|".join(sorted(found, key=len, reverse=True))  # noqa: E731
    return re.compile(
        rf"\b(?P<lead>(?:{alternatives(OPENERS)})\s+)(?:[a-z][\w'-]*\s+)??"
        rf"(?:(?:{alternatives(named)}|\d[\w-]*)\s+){{0,3}}(?:\w+-)?(?:{alternatives(heads)})(?:e?s)?\b",
        re.I,
    )


@lru_cache(maxsize=16384)
def unnamed(text: str, catalogue: tuple[str, ...]) -> str:
    """A tool's text with the catalogue's products, mentioned in everyday words, read as "thing". Which product an
    example names is no clue to what it asks: the order specialist's "I want to return the water bottle from order
    #W2611340" must not draw "the 1l water bottle in green, whats the price" away from the catalogue. Product names
    are the words of the tools holding them: `_key_of` leaves those tools' texts as they are."""
    pattern = _mention(catalogue)
    return pattern.sub(lambda m: f"{m.group('lead')}thing", text) if pattern else text


def unmentioned(text: str, catalogue: tuple[str, ...]) -> str:
    """The request with the catalogue's products, mentioned in everyday words, left out ("any blutooth speakers?":
    "any")."""
    pattern = _mention(catalogue)
    return re.sub(r"\s+", " ", pattern.sub(lambda m: m.group("lead"), text)).strip() if pattern else text


def names_records(query: str, tools: Sequence[ToolView], tool: ToolView) -> bool:
    """Whether the request names one of the records the tool's agent holds, by a word of their names that the
    tools' own texts do not use ("does the camping stove run on gas?": the catalogue's Micro Camp Stove)."""
    if not tool.vocabulary:
        return False
    known = set_index(tools).known
    terms = _terms(tool.vocabulary, known)
    said = {w for w in words(mask(query)) if len(w) >= 3 and w.isalpha() and w not in STOPWORDS}
    return any(alike(w, t) for w in said if stem(w) not in known for t in terms.get(w[0], ()))


def rank(query: str, tools: Sequence[ToolView], embed: Embed | None) -> list[tuple[float, ToolView]]:
    """Every tool with its score for the request, best first (ties broken by name for determinism)."""
    stats = set_index(tools)
    query = bought(query, tools)
    text = stats.read(query)
    ranked = _scored(query, text, [text] * len(tools), tools, embed)
    # Other tools' texts read the catalogue's products as "thing" (`_key_of`). When the catalogue's own tools come
    # first, the others read the request without its products, to see whether the rest of it asks for one of them:
    # else any product named draws the request to the catalogue, whatever it asks ("I'd like to return the hoodie").
    # Only a request naming what another tool does or acts on, in a word of its name the catalogue's tools do not use
    # ("return"), reads so, when that tool then comes before the catalogue: "what sizes does the kettle come in?"
    # stays the catalogue's.
    if not ranked[0][1].vocabulary or not (acting := _named_actions(query, tools)):
        return ranked
    plain = unmentioned(text, catalogue_of(tools))
    if plain != text:
        again = _scored(query, text, [text if t.vocabulary else plain for t in tools], tools, embed)
        ahead = [t for _, t in itertools.takewhile(lambda pair: not pair[1].vocabulary, again)]
        if any(t.name in acting for t in ahead):
            return again
    return ranked


def _named_actions(text: str, tools: Sequence[ToolView]) -> set[str]:
    """The tools not holding the catalogue whose action or record the request names (the first or last word of
    their names, or of their agents' tools' names) in a word the tools holding it never use (in their names,
    descriptions or examples: "how many mugs are left in the Berlin warehouse?" asks the stock's keeper). Its own
    words, not the words ids are masked as ("in Lyon" is no warehouse's record)."""
    holders = tuple((t.tool_names or (t.name,), t.description, t.examples) for t in tools if t.vocabulary)
    said = {stem(w) for w in words(text)} - _holders_words(holders)
    return {t.name for t in tools if not t.vocabulary and said & {stem(w) for w in action_words([t])}}


@lru_cache(maxsize=64)
def _holders_words(holders: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]) -> frozenset[str]:
    """The stems of the words the catalogue's holders use: their tools' names, descriptions and examples."""
    used = {stem(w) for names, _, _ in holders for n in names for w in n.split("_")}
    return frozenset(used | {stem(w) for _, description, examples in holders for x in (description, *examples)
                             for w in words(x)})


def _scored(query: str, text: str, readings: list[str], tools: Sequence[ToolView], embed: Embed | None
            ) -> list[tuple[float, ToolView]]:
    """Every tool with its score for the request (`text`, its reading) as read for each tool (`readings`), best
    first."""
    stats = set_index(tools)
    proper = {stem(w) for w in PROPER_NAME.findall(query)}
    lexical = [i.lexical(set(content_stems(r)) - proper, stats.idf) for i, r in zip(stats.tools, readings, strict=True)]
    all_stems = {stem(w) for w in words(text)}
    if embed is None:
        base = lexical
    else:
        distinct = list(dict.fromkeys(readings))
        q = dict(zip(distinct, vectors(distinct, embed), strict=True))
        base = [i.embedding_score(q[r], embed) + LEXICAL_WEIGHT * lex
                for i, r, lex in zip(stats.tools, readings, lexical, strict=True)]
    named = referenced(query)
    by_format = numbered_by_format(query, tools)
    # A record named by number ("alert 1") or by its title ("the late tracking updates alert") already exists.
    named_nouns = [noun for noun, _ in NUMBERED.findall(query)] + [
        w for phrase in TITLED.findall(query) for w in phrase.split()[1:] if titled(w, tools)]
    numbered = {f"{noun.lower()}_id" for noun in named_nouns} & {f.name for t in tools for f in t.fields}
    scored = [
        (
            b
            + name_bonus(all_stems, i, stats.name_weight)
            - record_penalty(t, named, by_format)
            - numbered_penalty(t, numbered)
            + (VOCABULARY_BONUS if names_records(query, tools, t) else 0.0),
            t,
        )
        for b, i, t in zip(base, stats.tools, tools, strict=True)
    ]
    return sorted(scored, key=lambda pair: (-pair[0], pair[1].name))


def worded_for(query: str, tools: Sequence[ToolView], tool: ToolView) -> bool:
    """Whether the request uses a word of the tool's own texts (its name, description or examples).

    Similarity alone may pick a consequential action for a request that never asks for it ("i forgot my
    password" lands nearest to erasing the account); such an action needs the request to name it in some word.
    """
    stats = set_index(tools)
    index = stats.tools[list(tools).index(tool)]
    said = {stem(w) for w in words(stats.read(query))}
    return bool(said & set().union(*index.stems, index.name_stems))


def worded_apart(query: str, tools: Sequence[ToolView], tool: ToolView, others: Sequence[ToolView]) -> bool:
    """Whether the request uses a word of the tool's own texts that none of the other tools' texts use ("human"
    for handing the conversation to a person, among an order specialist's tools)."""
    stats = set_index(tools)
    by_name = {t.name: i for t, i in zip(tools, stats.tools, strict=True)}
    theirs = set().union(*(s for t in others for s in by_name[t.name].stems[: by_name[t.name].own]))
    said = {stem(w) for w in words(stats.read(query))}
    return bool(said & (set().union(*by_name[tool.name].stems[: by_name[tool.name].own]) - theirs))


def meaning(query: str, tools: Sequence[ToolView], tool: ToolView, embed: Embed) -> float:
    """The request's similarity in meaning alone (no word-overlap nudges) to one tool of a set."""
    stats = set_index(tools)
    index = stats.tools[list(tools).index(tool)]
    q = vectors([stats.read(query)], embed)[0]
    return index.embedding_score(q, embed)


@dataclass(frozen=True)
class Choice:
    """The best tool for a request and whether it clears the in-scope threshold."""

    tool: ToolView | None
    score: float
    confident: bool


def coverage(query: str, tools: Sequence[ToolView]) -> float:
    """The share of the request's ordinary words (names and ids aside) that the tools' texts use."""
    known = set_index(tools).idf
    ordinary = [stem(w) for w in re.findall(r"(?<![\w'])[a-z][a-z']*", mask(query)) if w.split("'")[0] not in STOPWORDS]
    return sum(s in known for s in ordinary) / len(ordinary) if ordinary else 0.0


def choose(query: str, tools: Sequence[ToolView], embed: Embed | None) -> Choice:
    """The most similar tool, and whether it clears the threshold that separates in-scope requests."""
    if not tools:
        return Choice(None, 0.0, False)
    score, best = rank(query, tools, embed)[0]
    if embed is not None:
        return Choice(best, score, score >= EMBED_THRESHOLD)
    return Choice(best, score, score >= LEXICAL_THRESHOLD and coverage(query, tools) >= LEXICAL_COVERAGE)
