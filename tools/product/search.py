"""Text search over the catalogue: the database narrows the candidates, then each one is scored."""

import re
from dataclasses import dataclass, field

from sqlalchemy import String, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Category, Product, ProductVariant
from tools.product import matching, meaning
from tools.product.service import like_pattern, product_query

# Points for the best place a word is found; a name or SKU hit outranks a mention in the description.
WEIGHTS = {"sku": 15, "name": 10, "brand": 6, "options": 5, "category": 4, "description": 1}
EXACT_NAME_BONUS = 50
# What a hit found only by meaning matched on (no field holds the query's words).
MEANING = "meaning"
NAME_PREFIX_BONUS = 20


@dataclass
class Hit:
    """A matching product, its score and the fields the words were found in."""

    product: Product
    score: int = 0
    matched_on: set[str] = field(default_factory=set)


def terms_of(query: str) -> list[str]:
    """Lower-case words of the query; a plural 's' is dropped so 't-shirts' finds 'T-Shirt'."""
    words = [w for w in re.split(r"[\s,;]+", query.lower()) if w]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _term_condition(term: str):
    """True for a product with the word in any searchable field (SQL)."""
    like = like_pattern(term)
    in_variant = exists().where(
        ProductVariant.product_id == Product.id,
        or_(func.lower(ProductVariant.sku).like(like, escape="\\"),
            func.lower(cast(ProductVariant.options, String)).like(like, escape="\\")),
    )
    category_ids = select(Category.id).where(func.lower(Category.name).like(like, escape="\\"))
    in_category = Product.category_id.in_(category_ids)
    return or_(
        func.lower(Product.name).like(like, escape="\\"),
        func.lower(Product.brand).like(like, escape="\\"),
        func.lower(Product.description).like(like, escape="\\"),
        in_variant,
        in_category,
    )


def _field_texts(product: Product) -> dict[str, list[str]]:
    return {
        "name": [product.name.lower()],
        "brand": [product.brand.lower()],
        "sku": [v.sku.lower() for v in product.variants],
        "options": [str(value).lower() for v in product.variants for value in (v.options or {}).values()],
        "category": [product.category.name.lower()] if product.category else [],
        "description": [product.description.lower()],
    }


def score_product(product: Product, query: str, terms: list[str]) -> Hit | None:
    """Score a product against every word (query: the words rejoined); None unless each is found."""
    texts = _field_texts(product)
    hit = Hit(product)
    for term in terms:
        found = [(WEIGHTS[name], name) for name, values in texts.items() if any(term in v for v in values)]
        if not found:
            return None
        best, name = max(found)
        # A whole-value match counts double; each further field holding the word adds a point.
        hit.score += (best * 2 if term in texts[name] else best) + len(found) - 1
        hit.matched_on.update(n for _, n in found)
    name = product.name.lower()
    if name == query:
        hit.score += EXACT_NAME_BONUS
    elif name.startswith(query):
        hit.score += NAME_PREFIX_BONUS
    return hit


async def search_products(session: AsyncSession, query: str, limit: int, include_archived: bool) -> list[Hit]:
    """Products matching every word of the query, best first (then by name)."""
    terms = terms_of(query)
    if not terms:
        return []
    stmt = product_query().where(*(_term_condition(t) for t in terms))
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    products = (await session.execute(stmt)).scalars()
    hits = [h for p in products if (h := score_product(p, " ".join(terms), terms))]
    if not hits:
        # No product has every word ("pricing split keyboard", "headphnes"): those a loose reading names.
        loose = await matching.closest(session, query, include_archived)
        hits = [Hit(m.product, round(m.score * WEIGHTS["name"]), {"name"}) for m in loose]
    if not hits:
        # Nor any name the words resemble ("something for making coffee"): the products closest in meaning.
        near = await meaning.closest_in_meaning(session, query, include_archived)
        hits = [Hit(p, round(similarity * 100), {MEANING}) for p, similarity in near]
    hits.sort(key=lambda h: (-h.score, h.product.name.lower(), h.product.id))
    return hits[:limit]


# The most products whose names a model may learn from; a larger catalogue lends the first ones by id.
VOCABULARY_LIMIT = 5000


async def product_names(session: AsyncSession) -> list[str]:
    """The names of the visible products: what the tools that take an item by its product's name find it by."""
    visible = select(Product.name).where(Product.archived.is_(False))
    return sorted(set(await session.scalars(visible.order_by(Product.id).limit(VOCABULARY_LIMIT))))


async def catalogue_names(session: AsyncSession) -> list[str]:
    """The names a customer can find the catalogue by: visible products' names and brands, category names."""
    visible = select(Product.name, Product.brand).where(Product.archived.is_(False))
    rows = await session.execute(visible.order_by(Product.id).limit(VOCABULARY_LIMIT))
    categories = await session.scalars(select(Category.name))
    return sorted({name for row in rows for name in row if name} | set(categories))
