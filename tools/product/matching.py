"""Loose product references: the products and variants people mean by a misspelt or partial name with options.

"the gray hoody in L", "clacky keybaord", "pink mouse": each word is compared with the words of every product's
name, brand and category (equal, a shared stem of four letters or more, or close in spelling) and with its
variants' option values. Names outweigh brands and categories; words naming nothing are ignored.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Category, Product, ProductVariant

# How alike two words are: equal 1.0, one the stem of the other (4+ letters) 0.9, else their spelling ratio when
# it is close ('keybaord' ~ 'keyboard' 0.88), a little less when only the first letters agree ('hoody' ~ 'hoodie').
STEM = 4
CLOSE = 0.8
LOOSE = 0.7
WEIGHTS = {"name": 1.0, "brand": 0.5, "category": 0.5}
# The least score that names a product: one word of its name, even loosely spelt ('hoody' for 'Hoodie').
MINIMUM = 0.6
# A word naming one of the product's option values ("pink", "wireless") tells products with that name apart.
OPTION_WEIGHT = 0.3
# Candidates share a word's first letters with their name, brand or category (the database narrows them).
PREFIX = 3
# Words that never name a product or an option ("the blue one in size M please").
IGNORED = frozenset(
    "a an the in on of for with and or my your our this that one size colour color version please pls "
    "do you have has is are it its any some".split()
)


@dataclass(frozen=True)
class Match:
    """A product a loose reference names, its score and the variants whose options it names (all if none)."""

    product: Product
    score: float
    variants: tuple[ProductVariant, ...]


def words_of(text: str) -> list[str]:
    """Lower-case words, a plural 's' dropped ('hoodies' -> 'hoodie'), spaces kept out of '1 l' values."""
    found = re.findall(r"[a-z0-9]+", text.lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in found]


def similarity(word: str, other: str) -> float:
    """How alike two words are (see the constants above); 0 when they are not."""
    if word == other:
        return 1.0
    if min(len(word), len(other)) >= STEM and (word.startswith(other) or other.startswith(word)):
        return 0.9
    if min(len(word), len(other)) < 5:
        return 0.0
    ratio = SequenceMatcher(None, word, other).ratio()
    if ratio >= CLOSE:
        return ratio
    return ratio * 0.9 if ratio >= LOOSE and word[:STEM] == other[:STEM] else 0.0


def _joined(terms: list[str], vocabulary: set[str]) -> list[str]:
    """Two words written apart that a name writes as one ('ear buds' -> 'earbud')."""
    out, i = [], 0
    while i < len(terms):
        if i + 1 < len(terms) and (pair := words_of(terms[i] + terms[i + 1] + "s")[0]) in vocabulary:
            out.append(pair)
            i += 2
        else:
            out.append(terms[i])
            i += 1
    return out


def _option_words(variant: ProductVariant) -> set[str]:
    values = [str(v).lower() for v in (variant.options or {}).values()]
    return {w for v in values for w in [*words_of(v), v.replace(" ", "")]}


def _named_variants(product: Product, terms: list[str]) -> tuple[ProductVariant, ...]:
    """The variants having every option value the reference names (all of them when it names none)."""
    variants = tuple(product.variants)
    name = set(words_of(product.name))  # the 2 of 'Trail 2 Tent' is its name, not the 2-person option
    named = [t for t in terms if t not in name and any(t in _option_words(v) for v in variants)]
    chosen = tuple(v for v in variants if all(t in _option_words(v) for t in named))
    return chosen or variants


def score(product: Product, terms: list[str]) -> float:
    """How well the reference's words name the product (0 when no word is like its name, brand or category)."""
    name = words_of(product.name)
    fields = {
        "name": name + [a + b for a, b in zip(name, name[1:], strict=False)],  # 'T-Shirt' is also 'tshirt'
        "brand": words_of(product.brand or ""),
        "category": words_of(product.category.name) if product.category else [],
    }
    options = set().union(*(_option_words(v) for v in product.variants)) if product.variants else set()
    named, total = 0.0, 0.0
    for term in terms:
        named += max((WEIGHTS[f] * similarity(term, w) for f, ws in fields.items() for w in ws), default=0.0)
        total += OPTION_WEIGHT if term in options else 0.0
    return named + total if named else 0.0


def matches(products: Iterable[Product], reference: str) -> list[Match]:
    """Products the reference names, best first; only those scoring as well as the best."""
    products = list(products)
    vocabulary = {w for p in products for w in words_of(p.name)}
    terms = _joined([t for t in words_of(reference) if t not in IGNORED], vocabulary)
    scored = [(round(score(p, terms), 6), p) for p in products]
    best = max((s for s, _ in scored), default=0.0)
    if best < MINIMUM:
        return []
    return [Match(p, s, _named_variants(p, terms)) for s, p in scored if s == best]


async def closest(session: AsyncSession, reference: str, include_archived: bool) -> list[Match]:
    """The products a loose reference names, read from the catalogue (see `matches`)."""
    terms = [t for t in words_of(reference) if t not in IGNORED and len(t) >= PREFIX]
    if not terms:
        return []
    like = [f"%{t[:PREFIX]}%" for t in terms if t.isalnum()]
    category_ids = select(Category.id).where(or_(*(func.lower(Category.name).like(p) for p in like)))
    stmt = (
        select(Product)
        .options(selectinload(Product.variants), selectinload(Product.category))
        .where(or_(*(func.lower(Product.name).like(p) for p in like),
                   *(func.lower(Product.brand).like(p) for p in like),
                   Product.category_id.in_(category_ids)))
    )
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    return matches((await session.execute(stmt)).scalars(), reference)
