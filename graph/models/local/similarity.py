"""Tool choice: cosine similarity of the request to each tool's description and examples, plus word overlap."""

import hashlib
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cache

import numpy as np

from graph.models.local import tokens
from graph.models.local.entities import mask
from graph.models.local.text import STOPWORDS, content_stems, humanize, similar_words, stem, words
from graph.models.local.toolview import ToolView

log = logging.getLogger(__name__)
Embed = Callable[[list[str]], np.ndarray]

# Calibrated on tests/graph/models/routing_cases.py (see the report): with MiniLM, requests the shop cannot
# serve score at most ~0.45, plain in-scope requests 0.55 and more.
EMBED_THRESHOLD = 0.5
# Without embeddings only shared words count, weighted by rarity; one rare shared word scores ~0.3.
LEXICAL_THRESHOLD = 0.3
# Shared rare words and the tool's distinctive name words nudge the score; meaning still decides.
LEXICAL_WEIGHT = 0.2
NAME_BONUS = 0.1
NAME_NOISE = frozenset({"transfer", "to", "get", "by", "of", "for", "the", "a", "and"})


@dataclass
class ToolIndex:
    """A tool's comparison texts, their word stems and (lazily) their embeddings."""

    texts: list[str]
    stems: list[set[str]]
    name_stems: list[str]
    vectors: np.ndarray | None = field(default=None)


@dataclass
class ToolSetIndex:
    """Statistics over one set of bound tools: word rarity, name-word rarity and vocabulary."""

    tools: list[ToolIndex]
    idf: dict[str, float]
    name_weight: dict[str, float]
    vocabulary: list[str]


_TOOLS: dict[tuple[str, str], ToolIndex] = {}
_SETS: dict[tuple, ToolSetIndex] = {}


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


def _tool_key(tool: ToolView) -> tuple[tuple[str, str], list[str]]:
    raw = [tool.description, *tool.examples, humanize(tool.name.removeprefix("transfer_to_"))]
    texts = [mask(t) for t in dict.fromkeys(raw) if t.strip()]
    return (tool.name, hashlib.sha1("\x1f".join(texts).encode()).hexdigest()), texts


def tool_index(tool: ToolView) -> ToolIndex:
    """The cached index of one tool, keyed by its name and the hash of its texts."""
    key, texts = _tool_key(tool)
    if key not in _TOOLS:
        _TOOLS[key] = ToolIndex(texts=texts, stems=[set(content_stems(t)) for t in texts],
                                name_stems=[stem(w) for w in tool.name.split("_") if w and w not in NAME_NOISE])
    return _TOOLS[key]


def set_index(tools: Sequence[ToolView]) -> ToolSetIndex:
    """The cached statistics of a tool set (rarer words weigh more, as in tf-idf)."""
    key = tuple(_tool_key(t)[0] for t in tools)
    if key not in _SETS:
        indexes = [tool_index(t) for t in tools]
        n = len(indexes)
        df = Counter(s for i in indexes for s in set().union(*i.stems))
        name_df = Counter(s for i in indexes for s in set(i.name_stems))
        vocabulary = {w for i in indexes for t in i.texts for w in words(t) if len(w) >= 3}
        _SETS[key] = ToolSetIndex(
            tools=indexes, idf={s: math.log((n + 1) / c) + 0.1 for s, c in df.items()},
            name_weight={s: 1 / c for s, c in name_df.items()}, vocabulary=sorted(vocabulary),
        )
    return _SETS[key]


def correct_typos(text: str, vocabulary: list[str]) -> str:
    """Replace words that are neither English nor the tools' own by the closest tool word ('cancle')."""
    known = tokens.vocabulary()
    fixed = []
    for word in words(text):
        if len(word) >= 4 and not word.isdigit() and word not in known and word not in STOPWORDS:
            word = next(iter(get_close_matches(word, vocabulary, n=1, cutoff=0.8)), word)
        fixed.append(word)
    return " ".join(fixed)


def lexical_score(query: set[str], text: set[str], idf: dict[str, float]) -> float:
    """Cosine of two content-word sets, each word weighted by its rarity among the tools, typos forgiven."""
    if not query or not text:
        return 0.0
    shared = sum(idf.get(t, 0) ** 2 for t in text if any(similar_words(q, t) for q in query))
    norm_q = math.sqrt(sum(idf.get(q, 1.0) ** 2 for q in query))
    norm_t = math.sqrt(sum(idf.get(t, 0) ** 2 for t in text))
    return shared / (norm_q * norm_t) if norm_q and norm_t else 0.0


def name_bonus(query: set[str], tool: ToolIndex, weights: dict[str, float]) -> float:
    """A bonus for name words the request uses, larger for words few tool names share ('return' > 'order')."""
    hits = sum(weights.get(k, 0) for k in tool.name_stems if any(similar_words(k, q) for q in query))
    return NAME_BONUS * min(hits, 1.0)


def rank(query: str, tools: Sequence[ToolView], embed: Embed | None) -> list[tuple[float, ToolView]]:
    """Every tool with its score for the request, best first (ties broken by name for determinism)."""
    stats = set_index(tools)
    text = correct_typos(mask(query), stats.vocabulary)
    stems = set(content_stems(text))
    lexical = [max(lexical_score(stems, s, stats.idf) for s in i.stems) for i in stats.tools]
    if embed is None:
        base = lexical
    else:
        q = embed([text])[0]
        for i in stats.tools:
            if i.vectors is None:
                i.vectors = embed(i.texts)
        base = [float(np.max(i.vectors @ q)) + LEXICAL_WEIGHT * lex for i, lex in zip(stats.tools, lexical, strict=True)]
    scored = [(b + name_bonus(stems, i, stats.name_weight), t) for b, i, t in zip(base, stats.tools, tools, strict=True)]
    return sorted(scored, key=lambda pair: (-pair[0], pair[1].name))


@dataclass(frozen=True)
class Choice:
    """The best tool for a request and whether it clears the in-scope threshold."""

    tool: ToolView | None
    score: float
    confident: bool


def choose(query: str, tools: Sequence[ToolView], embed: Embed | None) -> Choice:
    """The most similar tool, and whether it clears the threshold that separates in-scope requests."""
    if not tools:
        return Choice(None, 0.0, False)
    score, best = rank(query, tools, embed)[0]
    threshold = EMBED_THRESHOLD if embed is not None else LEXICAL_THRESHOLD
    return Choice(best, score, score >= threshold)
