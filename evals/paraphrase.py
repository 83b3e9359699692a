"""A routing paraphrase set: the registry's examples and descriptions rewritten by a fixed, model-free method.

Each paraphrase applies one to three edits people make without thinking: a dropped word, a typo, a
general-English synonym, a reordered sentence, a casual opening or closing, lower case without
punctuation. The edits know nothing of the shop or of how the model routes, so the set measures how
routing holds up when people do not write like the examples. Deterministic: the same registry and seed
give the same set.
"""

import random
import re
import zlib
from dataclasses import dataclass

from db.enums import Role
from tools.registry import ToolRegistry, ToolSpec

# A small general-English table (no shop vocabulary): phrase -> what people also write.
SYNONYMS = {
    "show": ["display", "give me", "let me see"],
    "list": ["show", "give me"],
    "what is": ["what's", "whats"],
    "what are": ["what're", "tell me"],
    "how much": ["what amount", "how much money"],
    "how many": ["what number of", "the number of"],
    "i want": ["i'd like", "i wish", "i wanna"],
    "i need": ["i want", "i require"],
    "want": ["would like", "wish"],
    "need": ["want", "have to get"],
    "check": ["look at", "verify"],
    "change": ["modify", "alter"],
    "delete": ["remove", "get rid of"],
    "remove": ["delete", "take away"],
    "find": ["look up", "search for"],
    "get": ["fetch", "obtain"],
    "make": ["create", "produce"],
    "create": ["make", "set up"],
    "give me": ["show me", "send me"],
    "tell me": ["let me know", "say"],
    "last": ["past", "previous"],
    "about": ["regarding", "concerning"],
    "please": ["pls", "kindly"],
    "can i": ["could i", "may i"],
    "can you": ["could you", "would you"],
    "is": ["is it true", "would it be"],
    "new": ["fresh", "another"],
    "all": ["every", "each"],
    "again": ["once more", "one more time"],
    "now": ["right now", "at once"],
    "instead": ["rather", "in its place"],
    "still": ["yet", "even now"],
    "broken": ["damaged", "not working"],
    "start": ["begin", "kick off"],
    "stop": ["halt", "end"],
}
OPENINGS = ["hey can you", "hi,", "hello, quick question:", "um", "could you", "i was wondering,", "yo", "hey,"]
CLOSINGS = ["thanks", "thx", "asap", "please", "cheers", "?"]
# Words people leave out when typing fast.
SMALL_WORDS = {"a", "an", "the", "my", "our", "your", "of", "for", "to", "is", "are", "do", "does", "please",
               "me", "this", "that", "in", "on", "with", "and", "can", "you", "i", "it", "be", "there", "any"}
# Words never dropped or misspelt: identifiers, numbers, references (the person would not garble these).
PROTECTED = re.compile(r"\d|[A-Z]{2,}-|@|#|_")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Paraphrase:
    """One rewritten request, the tool whose example it came from, that tool's agent and the role that asks."""

    text: str
    tool: str
    agent: str
    role: str
    source: str
    edits: tuple[str, ...]


def _editable(words: list[str]) -> list[int]:
    return [i for i, w in enumerate(words) if len(w.strip(",.?!:;")) > 2 and not PROTECTED.search(w)]


def drop_word(text: str, rng: random.Random) -> str:
    """Leave out one small word, as people typing fast do (never the word that says what they want)."""
    words = WORD.findall(text)
    spots = [i for i, w in enumerate(words) if w.lower().strip(",.?!:;") in SMALL_WORDS]
    if len(words) < 3 or not spots:
        return text
    del words[rng.choice(spots)]
    return " ".join(words)


def typo(text: str, rng: random.Random) -> str:
    """Misspell one ordinary word: swap, drop or double a letter."""
    words = WORD.findall(text)
    spots = [i for i in _editable(words) if len(words[i]) > 3]
    if not spots:
        return text
    i = rng.choice(spots)
    word, k = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:k] + word[k + 1] + word[k] + word[k + 2:]
    elif kind == 1:
        word = word[:k] + word[k + 1:]
    else:
        word = word[:k] + word[k] + word[k:]
    words[i] = word
    return " ".join(words)


def synonym(text: str, rng: random.Random) -> str:
    """Swap one phrase of the general table for another way of saying it."""
    found = [p for p in SYNONYMS if re.search(rf"\b{re.escape(p)}\b", text, re.I)]
    if not found:
        return text
    phrase = rng.choice(sorted(found))
    return re.sub(rf"\b{re.escape(phrase)}\b", rng.choice(SYNONYMS[phrase]), text, count=1, flags=re.I)


def reorder(text: str, rng: random.Random) -> str:
    """Say the second half first: the parts around a comma or colon swap, else a trailing phrase moves up."""
    parts = re.split(r"\s*[,:]\s*", text.rstrip("?.!"), maxsplit=1)
    if len(parts) == 2 and all(parts):
        return f"{parts[1]}, {parts[0]}"
    words = text.rstrip("?.!").split()
    tail = next((i for i in range(len(words) - 1, 0, -1)
                 if words[i].lower() in {"for", "in", "of", "from", "to", "on", "with", "by"}), None)
    if tail is None or tail < 2:
        return text
    return " ".join(words[tail:] + words[:tail])


def casual(text: str, rng: random.Random) -> str:
    """Open or close like a chat message."""
    if rng.random() < 0.6:
        return f"{rng.choice(OPENINGS)} {text[0].lower() + text[1:]}"
    return f"{text.rstrip('.')} {rng.choice(CLOSINGS)}"


def flatten(text: str, rng: random.Random) -> str:
    """Lower case, no punctuation at the ends, as typed on a phone."""
    return text.lower().strip(" ?.!")


EDITS = {"drop": drop_word, "typo": typo, "synonym": synonym, "reorder": reorder, "casual": casual,
         "flatten": flatten}


def role_for(spec: ToolSpec) -> Role:
    """Who asks: a customer when customers may use the tool, else an admin, else the first role allowed."""
    for role in (Role.CUSTOMER, Role.ADMIN):
        if spec.allows(role):
            return role
    return sorted(spec.roles)[0]


def sources(spec: ToolSpec) -> list[str]:
    """The tool's examples, and its description's first clause as a request."""
    head = re.split(r"[:;(]", spec.description, maxsplit=1)[0].strip().rstrip(".")
    return [*spec.examples, head[0].lower() + head[1:]] if head else list(spec.examples)


def rewrite(text: str, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """One paraphrase: one to three distinct edits in a random order; only edits that changed the text count."""
    names = rng.sample(sorted(EDITS), rng.choice([1, 2, 2, 3]))
    done = []
    for name in names:
        changed = EDITS[name](text, rng)
        if changed != text:
            text, done = changed, [*done, name]
    return re.sub(r"\s+", " ", text).strip(), tuple(done)


def paraphrase_set(registry: ToolRegistry, per_example: int = 8, seed: int = 0) -> list[Paraphrase]:
    """Up to `per_example` distinct paraphrases of every example and description of every tool."""
    items = []
    for spec in registry.all():
        role = role_for(spec)
        for source in sources(spec):
            rng = random.Random(seed * 1_000_003 + zlib.crc32(f"{spec.name}|{source}".encode()))
            seen = {source.casefold()}
            for _ in range(per_example * 3):
                text, edits = rewrite(source, rng)
                if edits and text.casefold() not in seen:
                    seen.add(text.casefold())
                    items.append(Paraphrase(text, spec.name, spec.agent, str(role), source, edits))
                if len(seen) > per_example:
                    break
    return items


def spread(items: list[Paraphrase], limit: int | None) -> list[Paraphrase]:
    """At most `limit` items taken evenly across the set (so every agent is represented), or all of them."""
    if limit is None or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]
