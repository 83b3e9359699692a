"""Token counts for usage figures: the MiniLM WordPiece tokenizer, or a word/punctuation split without it."""

import json
import logging
import re
from collections.abc import Iterable
from functools import cache, lru_cache

from langchain_core.messages import AIMessage, BaseMessage

log = logging.getLogger(__name__)
# Fallback tokenizer: every word and every punctuation mark is one token (documented in usage figures).
FALLBACK = re.compile(r"\w+|[^\w\s]")


@cache
def _tokenizer():
    """The embedder's tokenizer.json, loaded without padding or truncation (None when unavailable)."""
    try:
        from tokenizers import Tokenizer

        from knowledge.embeddings import locate_model_files

        tokenizer = Tokenizer.from_file(str(locate_model_files().tokenizer))
        tokenizer.no_padding()  # the file pads to the embedder's fixed length; counts need the real length
        tokenizer.no_truncation()
        return tokenizer
    except Exception as exc:  # a missing tokenizer only makes counts coarser
        log.warning("local model: tokenizer unavailable (%s); counting words and punctuation", exc)
        return None


@cache
def vocabulary() -> frozenset[str]:
    """Whole words the tokenizer knows: real English words, never 'corrected' as typos."""
    tokenizer = _tokenizer()
    if tokenizer is None:
        return frozenset()
    return frozenset(w for w in tokenizer.get_vocab() if w.isalpha())


# Endings the tokenizer's vocabulary leaves out (it keeps "chip", not "chipped"), and the prefixes it splits off
# ("recharge", "disconnect").
ENDINGS = ("s", "es", "ed", "ing", "er", "ers")
PREFIXES = ("dis", "re", "un", "pre", "mis", "non", "over", "under", "out")
VOWELS = set("aeiou")


def _doubles(base: str) -> bool:
    """Whether English doubles the last consonant of a base before -ed or -ing: one syllable ending in a consonant
    after one vowel ("ship" -> "shipped"), so "shiped" is no English word."""
    groups = re.findall(r"[aeiou]+", base)
    return (len(groups) == 1 and len(base) >= 3 and base[-1] not in VOWELS | set("wxy")
            and base[-2] in VOWELS and base[-3] not in VOWELS)


@lru_cache(maxsize=16384)
def english(word: str) -> bool:
    """Whether a lower-case word is an English word: one the tokenizer knows, one of its regular forms ("chipped",
    "handlers") or one of them after a prefix ("recharge"). Such a word is never a typo of some tool's word."""
    known = vocabulary()
    if word in known:
        return True
    if word.endswith("n't"):  # a negated verb ("don't", "hasn't"); other contractions are their first word's
        return english(word[:-3])
    for ending in ENDINGS:
        base = word.removesuffix(ending)
        if base == word or len(base) < 3:
            continue
        forms = {base}
        if ending in ("ed", "ing", "er", "ers"):
            # "raised" from raise, "chipped" from chip; "jumped" from jump, but "shiped" from no word.
            forms = {base + "e"}
            if base[-1] == base[-2]:
                forms.add(base[:-1])
            elif not _doubles(base):
                forms.add(base)
        if forms & known:
            return True
    return any(word.startswith(p) and len(word) - len(p) >= 5 and english(word[len(p):]) for p in PREFIXES)


# Every call of a turn counts the same tool definitions and history again: remember each text's count.
@lru_cache(maxsize=16384)
def _count_one(text: str) -> int:
    tokenizer = _tokenizer()
    if tokenizer is None:
        return len(FALLBACK.findall(text))
    return len(tokenizer.encode(text, add_special_tokens=False).ids)


def count(texts: Iterable[str]) -> int:
    """How many tokens the texts hold."""
    return sum(_count_one(t) for t in texts if t)


def message_texts(message: BaseMessage) -> list[str]:
    """The text a message puts in front of a model: its content and any tool calls."""
    texts = [message.text]
    if isinstance(message, AIMessage):
        texts += [f"{c['name']} {json.dumps(c['args'], sort_keys=True)}" for c in message.tool_calls]
    return texts


def usage(messages: list[BaseMessage], tool_texts: list[str], reply: AIMessage) -> dict[str, int]:
    """usage_metadata for a reply: the prompt (messages and tool definitions) in, the reply out."""
    prompt = count([t for m in messages for t in message_texts(m)] + tool_texts)
    completion = count(message_texts(reply))
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}
