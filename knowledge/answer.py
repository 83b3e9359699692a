"""Extractive answers: the passage sentences closest to the question, with citations, or a plain refusal."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple

import numpy as np

from knowledge.chunking import TABLE_ROW
from knowledge.embeddings import embed
from knowledge.store import KnowledgeStore, Passage

# Calibrated on evals/datasets/kb_questions.jsonl (132 covered, 16 uncovered questions, local MiniLM):
# the uncovered question scoring highest is "what time does the eiffel tower open" at 0.465 (it lands
# on our opening hours); every other uncovered one stays below 0.31. 0.48 refuses all of them with a
# small margin and keeps about 86 % of covered questions answered. A lower value would answer that
# kind of look-alike question from the wrong document, which is worse than saying we do not know.
# Scores from another embedding model (the OpenAI-compatible backend) need their own min_score.
MIN_SCORE = 0.48
# Below it, a passage still answers when it holds the question's own words: two of them at least and two in
# three of all ("do you ship to switzerland? any extra fees?" lands on customs at 0.44 and names Switzerland),
# which the look-alike uncovered questions never do ("eiffel tower" is not in our opening hours).
WORDS_BAND = 0.1
WORDS_SHARE = 2 / 3
WORDS_MIN = 2
QUESTION_FILLER = frozenset(
    "what which when where does have with your this that there their from into about would could should "
    "will much many long still also just need want know tell please thanks".split()
)
# A capitalised word inside a sentence is a name (a country, a carrier), the most telling word a question gives.
NAME_IN_TEXT = re.compile(r"(?<=[a-z,(] )[A-Z][a-z]{3,}")
MAX_SENTENCES = 3
# A sentence introducing a list ends with a colon; its items follow it into the answer, this many at most.
MAX_LISTED = 6
# A sentence's closeness in meaning is lifted by the share of the question's own words it holds (up to this much)
# and, for a question asking for a time, amount or limit, by QUANTITY_LIFT when it gives a figure: "how long
# until I get my money?" wants "5 to 10 business days", not the sentence that merely reads most alike.
WORDS_LIFT = 0.1
# A sentence naming what the question names ("...including the United Kingdom, Switzerland...") is the answer
# to "do you ship to Switzerland?" however little else it shares with it.
NAME_LIFT = 0.2
QUANTITY_LIFT = 0.05
QUANTITY = re.compile(
    r"\b(?:how (?:long|much|many|soon|late|often)|when|what time|by when|until|till|deadline|limit|maximum|minimum|"
    r"expir\w*|cost|price|fee)\b", re.I,
)
# A figure in digits or in words ("30 days", "two years").
FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
                    r"forty|fifty|sixty|ninety|hundred)\b", re.I)
# Passages scoring this far below the best one rarely hold the answer and only add noise. Sentences come from at
# most MAX_PASSAGES of them: on the dev set's 49 policy questions, 4 answers 37 and 3 answered 34 ("how long till
# I get my money" has its "5 to 10 business days" in the fourth passage), and 5 no more.
PASSAGE_BAND = 0.1
MAX_PASSAGES = 4
# Chunks retrieved for an answer: several may come from one article (a rule and its table, say).
ANSWER_K = 5
NOT_COVERED = (
    "The knowledge base does not cover this question, so I cannot answer it from our documents. "
    "Ask to talk to a member of staff if you need more help."
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")
LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
# Sentences about the document itself ("This page explains ...", "See the article on ...") are signposts, never
# the answer.
SIGNPOST = re.compile(
    r"^(?:(?:this|the following|below,?)|see (?:the|our|also the)) (?:page|article|section|guide|document)\b", re.I)


@dataclass(frozen=True)
class Citation:
    """The article (and section) a sentence of the answer came from."""

    article_id: str
    title: str
    heading: str


@dataclass(frozen=True)
class Answer:
    """An answer text, its citations, and whether the knowledge base covered the question."""

    text: str
    citations: list[Citation]
    covered: bool


def _keys(text: str) -> list[str]:
    # Five letters stand for a word's forms ("fees"/"fee" differ, "shipping"/"ship" agree on "ship").
    return [w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in QUESTION_FILLER]


def holds_words(question: str, passage: Passage) -> bool:
    """Whether the passage holds the question's own words (see WORDS_SHARE), or a name it gives (Switzerland)."""
    wanted = set(_keys(question))
    held = set(_keys(f"{passage.title} {passage.heading} {passage.text}"))
    # A misspelt word still counts ('polcy' ~ 'polic').
    found = {w for w in wanted if w in held or any(SequenceMatcher(None, w, h).ratio() >= 0.8 for h in held)}
    names = set(_keys(" ".join(NAME_IN_TEXT.findall(passage.text))))
    return bool(wanted & names) or (len(found) >= WORDS_MIN and len(found) >= WORDS_SHARE * len(wanted))


class Sentence(NamedTuple):
    """A sentence of a passage, and whether it is an item of a list."""

    text: str
    listed: bool


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a markdown passage: list items, lines and prose sentences, markup removed."""
    sentences: list[Sentence] = []
    for line in text.splitlines():
        # A table's rows follow the sentence introducing it as a list's items do ("... depends on the method:").
        listed = bool(LIST_MARK.match(line) or TABLE_ROW.fullmatch(line.strip()))
        line = LIST_MARK.sub("", line.replace("**", "").replace("`", "")).strip()
        if line and not line.startswith("```"):
            sentences.extend(Sentence(s.strip(), listed) for s in SENTENCE_END.split(line))
    # Fragments of one or two words ("Example:") say nothing on their own.
    return [Sentence(_finish(s.text), s.listed) for s in sentences if len(s.text.split()) >= 3
            and not SIGNPOST.match(s.text)]


def _listed_after(sentences: list[Sentence], at: int) -> list[int]:
    """The list items that follow a sentence introducing them ("We accept three kinds of payment:")."""
    if not sentences[at].text.endswith(":"):
        return []
    items = []
    for position in range(at + 1, min(len(sentences), at + 1 + MAX_LISTED)):
        if not sentences[position].listed:
            break
        items.append(position)
    return items


def _finish(sentence: str) -> str:
    sentence = sentence.rstrip(" ;,")
    return sentence if sentence[-1] in ".!?:" else f"{sentence}."


def answer_from_passages(
    question: str,
    passages: Sequence[Passage],
    min_score: float = MIN_SCORE,
    embed_fn: Callable[[list[str]], np.ndarray] = embed,
) -> Answer:
    """Answer from the best sentences of the top passages, or say plainly the knowledge base lacks it."""
    ranked = sorted(passages, key=lambda p: p.score, reverse=True)
    if ranked and ranked[0].score < min_score:
        # Below the threshold, the best passage that holds the question's words leads, if one is near enough.
        holding = [p for p in ranked if p.score >= min_score - WORDS_BAND and holds_words(question, p)]
        ranked = [holding[0], *(p for p in ranked if p is not holding[0])] if holding else []
    if not ranked:
        return Answer(text=NOT_COVERED, citations=[], covered=False)
    top = [p for p in ranked[:MAX_PASSAGES] if p.score >= ranked[0].score - PASSAGE_BAND]
    sentences = [split_sentences(p.text) for p in top]
    candidates = [
        (rank, position, sentence.text, p)
        for rank, p in enumerate(top)
        for position, sentence in enumerate(sentences[rank])
    ]
    if not candidates:
        return Answer(text=NOT_COVERED, citations=[], covered=False)
    # A sentence is embedded under its section heading: "50 to 74: on hold" means little without "Levels".
    vectors = embed_fn([question, *(f"{c[3].heading}: {c[2]}" if c[3].heading else c[2] for c in candidates)])
    lifts = _lifts(question, [c[2] for c in candidates], [c[3].heading for c in candidates])
    similarity = vectors[1:] @ vectors[0] + lifts
    # Reading order (passage rank, then position) keeps the extracted sentences coherent.
    picked = [candidates[i] for i in np.argsort(-similarity)[:MAX_SENTENCES]]
    # A sentence that introduces a list brings the list: "We accept three kinds of payment:" names none of them.
    where = {c[:2]: c for c in candidates}
    picked += [where[(c[0], i)] for c in picked for i in _listed_after(sentences[c[0]], c[1])]
    chosen = sorted({c[:2]: c for c in picked}.values(), key=lambda c: c[:2])
    citations: list[Citation] = []
    for _, _, _, p in chosen:
        citation = Citation(article_id=p.article_id, title=p.title, heading=p.heading)
        if citation not in citations:
            citations.append(citation)
    return Answer(text=" ".join(c[2] for c in chosen), citations=citations, covered=True)


def _lifts(question: str, sentences: list[str], headings: list[str]) -> np.ndarray:
    """What each sentence gains for holding the question's words (its section heading's count too), a name it
    gives and, when it asks for one, a figure of its own (a heading's "day 91 to two years" gives none)."""
    wanted = set(_keys(question))
    names = set(_keys(" ".join(NAME_IN_TEXT.findall(question))))
    worded = [f"{h} {s}" for h, s in zip(headings, sentences, strict=True)]
    share = [len(wanted & set(_keys(s))) / len(wanted) if wanted else 0.0 for s in worded]
    named = [bool(names & set(_keys(s))) for s in sentences]
    figure = [bool(QUANTITY.search(question)) and bool(FIGURE.search(s)) for s in sentences]
    return (WORDS_LIFT * np.array(share) + NAME_LIFT * np.array(named, dtype=float)
            + QUANTITY_LIFT * np.array(figure, dtype=float))


def answer_question(
    store: KnowledgeStore, question: str, category: str | None = None, audience: str | None = None
) -> Answer:
    """Search the store (several chunks per article allowed) and answer extractively from the hits."""
    passages = store.search(question, k=ANSWER_K, category=category, audience=audience, one_per_article=False)
    return answer_from_passages(question, passages)
