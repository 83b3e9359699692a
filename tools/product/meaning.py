"""Search by meaning, the catalogue's last resort: when no product holds a query's words ("something for making
coffee", "podcast mic"), the products whose name, category and description read closest to it in the offline
MiniLM embeddings (knowledge.embeddings), so a person who words a need rather than a name still finds something.

Vectors are kept in memory per product text; a catalogue larger than VOCABULARY_LIMIT products would need a vector
index (a Chroma collection kept current by the catalogue's events) rather than this scan.
"""

import logging

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Category, Product
from knowledge.embeddings import EmbeddingModelError, embed
from tools.product.service import product_query

LOG = logging.getLogger(__name__)
# Calibrated on MiniLM over the demo catalogue: needs worded as needs reach 0.36 to 0.53 on the products that serve
# them ("coffee" 0.37 on the Pour-Over Kettle, "podcast mic" 0.52 on the microphone, "something to keep my drinks
# cold" 0.42 on the insulated bottle), while requests for what the shop does not sell stay below 0.28 ("a book about
# python" 0.27, "tell me a joke" 0.22, "do you have pizza" 0.16).
MIN_SIMILARITY = 0.33
# Only products about as close as the best: the microphone (0.52) for a podcast, not the DAC amp (0.36) too.
BAND = 0.08
MAX_HITS = 5
# The most products scanned; the same cap as the router's vocabulary (tools.product.search.VOCABULARY_LIMIT).
SCAN_LIMIT = 5000
_VECTORS: dict[str, np.ndarray] = {}


def product_text(name: str, category: str | None, description: str) -> str:
    """What a product is, in the words its embedding is made of."""
    return f"{name}, {category or ''}: {description}"


def _vectors(texts: list[str]) -> np.ndarray:
    if len(_VECTORS) > 2 * SCAN_LIMIT:  # products renamed or rewritten must not grow the cache forever
        _VECTORS.clear()
    new = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if new:
        _VECTORS.update(zip(new, embed(new), strict=True))
    return np.stack([_VECTORS[t] for t in texts])


async def closest_in_meaning(session: AsyncSession, query: str, include_archived: bool) -> list[tuple[Product, float]]:
    """The products closest in meaning to the query (best first, similarity beside), or none under MIN_SIMILARITY.

    Only the texts are read for the scan; the few products found are then loaded whole."""
    if not query.strip():
        return []
    stmt = select(Product.id, Product.name, Category.name, Product.description).outerjoin(
        Category, Category.id == Product.category_id)
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    rows = (await session.execute(stmt.order_by(Product.id).limit(SCAN_LIMIT))).all()
    if not rows:
        return []
    try:
        vectors = _vectors([product_text(name, category, description) for _, name, category, description in rows])
        wanted = embed([query])[0]
    except EmbeddingModelError as exc:  # the model package is missing: search by words only, and say so
        LOG.warning("search by meaning unavailable: %s", exc)
        return []
    similarity = vectors @ wanted
    best = float(similarity.max())
    if best < MIN_SIMILARITY:
        return []
    ranked = sorted(zip((row[0] for row in rows), similarity.tolist(), strict=True), key=lambda ps: -ps[1])
    near = {product_id: score for product_id, score in ranked[:MAX_HITS] if score >= best - BAND}
    products = (await session.execute(product_query().where(Product.id.in_(near)))).scalars()
    return sorted(((p, near[p.id]) for p in products), key=lambda ps: -ps[1])
