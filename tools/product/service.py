"""Catalogue business logic: references, products, variants and categories; callers own the transaction."""

import random
import re
from collections.abc import Collection, Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Category, Product, ProductVariant
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, InvalidInput, NotFound
from tools.product import matching
from tools.product.schemas import VariantChange, VariantIn

CENT = Decimal("0.01")
UNCATEGORISED = "uncategorised"
MONEY_FIELDS = ("price", "cost")


def cents(amount: Decimal | float | int | None) -> Decimal | None:
    """Money rounded to the cent, half up (None stays None)."""
    return None if amount is None else Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def with_cents(fields: dict) -> dict:
    """The fields with their money values rounded to the cent."""
    return {k: cents(v) if k in MONEY_FIELDS else v for k, v in fields.items()}


def like_pattern(text: str) -> str:
    """A LIKE pattern finding the text anywhere, with its own % and _ taken literally (escape '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def product_query():
    """Products with the variants and category every caller reads."""
    return select(Product).options(selectinload(Product.variants), selectinload(Product.category))


async def resolve_product(session: AsyncSession, ref: str, include_archived: bool = True) -> Product:
    """A product by id, exact name (any case) or variant SKU; several products of that name -> Ambiguous."""
    ref = ref.strip()
    product = (await session.execute(product_query().where(Product.id == ref))).scalar_one_or_none()
    if product is None:
        product = await _by_name(session, ref, include_archived)
    if product is None and (variant := await _variant_by_sku(session, ref)) is not None:
        stmt = product_query().where(Product.id == variant.product_id)
        product = (await session.execute(stmt)).scalar_one()
    if product is None:
        product = await loosely_named(session, ref, include_archived)
    if product is None or (product.archived and not include_archived):
        raise NotFound(f"product {ref!r} not found")
    return product


async def loosely_named(session: AsyncSession, ref: str, include_archived: bool) -> Product | None:
    """The one product a misspelt or partial name means ("clacky keybaord"); several equally close -> Ambiguous."""
    found = await matching.closest(session, ref, include_archived)
    if len(found) > 1:
        raise Ambiguous(
            f"{len(found)} products match {ref!r}; say which by product id",
            details=[{"product_id": m.product.id, "name": m.product.name, "brand": m.product.brand} for m in found],
        )
    return found[0].product if found else None


async def _by_name(session: AsyncSession, name: str, include_archived: bool) -> Product | None:
    """The one product of that name, else the one whose name contains it ("Ergo Split 60"), on sale first."""
    for condition in (func.lower(Product.name) == name.lower(), func.lower(Product.name).contains(name.lower())):
        stmt = product_query().where(condition).order_by(Product.id)
        if not include_archived:
            stmt = stmt.where(Product.archived.is_(False))
        found = list((await session.execute(stmt)).scalars())
        if len(found) > 1:
            found = [p for p in found if not p.archived] or found
        if len(found) > 1:
            raise Ambiguous(
                f"{len(found)} products match {name!r}; say which by product id",
                details=[{"product_id": p.id, "name": p.name, "brand": p.brand} for p in found],
            )
        if found:
            return found[0]
    return None


async def _variant_by_sku(session: AsyncSession, sku: str) -> ProductVariant | None:
    """The variant with this SKU: the exact spelling first, else the only one in another case."""
    stmt = (select(ProductVariant).options(selectinload(ProductVariant.product))
            .where(func.lower(ProductVariant.sku) == sku.lower()))
    found = list((await session.execute(stmt)).scalars())
    exact = [v for v in found if v.sku == sku]
    if len(found) > 1 and not exact:
        raise Ambiguous(f"several SKUs read {sku!r} in different cases; give the exact SKU or the item id",
                        details=[{"item_id": v.id, "sku": v.sku} for v in found])
    return (exact or found or [None])[0]


async def get_product(session: AsyncSession, ref: str) -> Product:
    """A product (archived ones included) by id, exact name or variant SKU, with variants and category."""
    return await resolve_product(session, ref, include_archived=True)


async def get_visible_product(ctx: ToolContext, ref: str) -> Product:
    """A product the caller may see: customers never see archived products."""
    return await resolve_product(ctx.session, ref, include_archived=not ctx.principal.is_customer)


async def get_variant(session: AsyncSession, ref: str) -> ProductVariant:
    """A variant by item id or SKU (any case), with its product loaded."""
    ref = ref.strip()
    stmt = select(ProductVariant).options(selectinload(ProductVariant.product))
    variant = (await session.execute(stmt.where(ProductVariant.id == ref))).scalar_one_or_none()
    variant = variant or await _variant_by_sku(session, ref)
    if variant is None:
        raise NotFound(f"item {ref!r} not found")
    return variant


def is_sellable(variant: ProductVariant) -> bool:
    """True when the variant may be ordered: available and its product not archived (product loaded)."""
    return variant.available and not variant.product.archived


def slugify(name: str) -> str:
    """'Mechanical Keyboards' -> 'mechanical-keyboards'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "category"


async def get_category(session: AsyncSession, ref: str) -> Category:
    """A category by id, slug or name (any case)."""
    ref = ref.strip()
    conditions = [func.lower(Category.name) == ref.lower(), Category.slug == slugify(ref)]
    if ref.isdigit():
        conditions.append(Category.id == int(ref))
    found = (await session.execute(select(Category).where(or_(*conditions)).limit(1))).scalar_one_or_none()
    if found is None:
        names = list((await session.execute(select(Category.name).order_by(Category.name))).scalars())
        raise NotFound(f"category {ref!r} not found", details={"categories": names})
    return found


async def category_with_descendants(session: AsyncSession, ref: str) -> list[int]:
    """The category's id and the ids of every category below it."""
    root = await get_category(session, ref)
    children: dict[int | None, list[int]] = {}
    for cid, parent in (await session.execute(select(Category.id, Category.parent_id))).all():
        children.setdefault(parent, []).append(cid)
    ids, stack = [], [root.id]
    while stack:
        current = stack.pop()
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


async def list_categories(session: AsyncSession) -> list[tuple[Category, int]]:
    """Every category with its count of products on sale, by name."""
    counts = (
        select(Product.category_id, func.count(Product.id).label("n"))
        .where(Product.archived.is_(False))
        .group_by(Product.category_id)
        .subquery()
    )
    stmt = select(Category, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.category_id == Category.id)
    return [(c, n) for c, n in (await session.execute(stmt.order_by(Category.name))).all()]


async def create_category(ctx: ToolContext, name: str, description: str, parent_ref: str | None) -> Category:
    """Add a category; its name and slug must be new."""
    slug = slugify(name)
    taken = await ctx.session.scalar(
        select(Category.id).where(or_(func.lower(Category.name) == name.lower(), Category.slug == slug))
    )
    if taken is not None:
        raise Conflict(f"a category named {name!r} already exists", code="duplicate_category")
    parent = await get_category(ctx.session, parent_ref) if parent_ref else None
    category = Category(name=name, slug=slug, description=description,
                        parent_id=parent.id if parent else None)
    ctx.session.add(category)
    await ctx.session.flush()
    audit(ctx, "category", str(category.id), "created", data={"name": name})
    return category


async def list_products(
    session: AsyncSession, *, category: str | None, brand: str | None, min_price: Decimal | None,
    max_price: Decimal | None, query: str | None, include_archived: bool, limit: int, offset: int,
) -> tuple[list[Product], int]:
    """A page of products matching the filters, by name, with the total count."""
    stmt = select(Product)
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    if category:
        stmt = stmt.where(Product.category_id.in_(await category_with_descendants(session, category)))
    if brand:
        stmt = stmt.where(func.lower(Product.brand) == brand.lower())
    if min_price is not None or max_price is not None:
        in_range = [ProductVariant.product_id == Product.id]
        if min_price is not None:
            in_range.append(ProductVariant.price >= min_price)
        if max_price is not None:
            in_range.append(ProductVariant.price <= max_price)
        stmt = stmt.where(exists().where(*in_range))
    if query:
        like = like_pattern(query.lower())
        in_category = select(Category.id).where(func.lower(Category.name).like(like, escape="\\"))
        named = or_(func.lower(Product.name).like(like, escape="\\"), func.lower(Product.brand).like(like, escape="\\"),
                    Product.category_id.in_(in_category))
        if not await session.scalar(select(func.count()).select_from(stmt.where(named).subquery())):
            # No name holds the text as written ("clacky keybaord"): the products a loose reading of it names.
            named = Product.id.in_([m.product.id for m in await matching.closest(session, query, include_archived)])
        stmt = stmt.where(named)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.options(selectinload(Product.variants), selectinload(Product.category))
    rows = await session.execute(page.order_by(Product.name, Product.id).limit(limit).offset(offset))
    return list(rows.scalars()), total or 0


async def new_id(session: AsyncSession, model, seed: str, taken: Collection[str] = ()) -> str:
    """A random 10-digit id, reproducible for the same seed and table size, that no row has yet."""
    rng = random.Random(f"{model.__tablename__}:{seed}:{await session.scalar(select(func.count(model.id)))}")
    while True:
        candidate = str(rng.randint(10**9, 10**10 - 1))
        if candidate not in taken and await session.get(model, candidate) is None:
            return candidate


async def check_new_skus(session: AsyncSession, skus: Iterable[str]) -> None:
    """Refuse SKUs repeated in the request or already in use (compared in any case)."""
    lowered = [s.lower() for s in skus]
    repeated = sorted({s for s in lowered if lowered.count(s) > 1})
    if repeated:
        raise InvalidInput(f"SKUs repeated in the request: {', '.join(repeated)}", details={"skus": repeated})
    used = list((await session.execute(
        select(ProductVariant.sku).where(func.lower(ProductVariant.sku).in_(lowered))
    )).scalars())
    if used:
        raise Conflict(f"SKUs already in use: {', '.join(sorted(used))}", code="duplicate_sku",
                       details={"skus": sorted(used)})


async def build_variants(session: AsyncSession, specs: list[VariantIn],
                         first_position: int) -> list[ProductVariant]:
    """New variant rows with fresh item ids, after checking their SKUs."""
    await check_new_skus(session, [v.sku for v in specs])
    variants, taken = [], set()
    for position, spec in enumerate(specs, start=first_position):
        item_id = await new_id(session, ProductVariant, spec.sku, taken)
        taken.add(item_id)
        variants.append(ProductVariant(id=item_id, position=position, **with_cents(spec.model_dump())))
    return variants


async def flush_catalog(session: AsyncSession) -> None:
    """Flush, turning a SKU taken meanwhile by another writer into a Conflict."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("a SKU or id was taken meanwhile; try again", code="duplicate_sku") from None


async def create_product(ctx: ToolContext, fields: dict, variants: list[VariantIn],
                         category: str | None) -> Product:
    """Add a product with its variants under a fresh 10-digit id."""
    product = Product(id=await new_id(ctx.session, Product, fields["name"]), **fields)
    if category:
        product.category = await get_category(ctx.session, category)
    product.variants = await build_variants(ctx.session, variants, 0)
    ctx.session.add(product)
    await flush_catalog(ctx.session)
    audit(ctx, "product", product.id, "created", data={"skus": [v.sku for v in product.variants]})
    emit(ctx, "product.created", product.id, {"name": product.name})
    return product


def find_own_variant(product: Product, ref: str) -> ProductVariant:
    """One of the product's variants by item id or SKU (any case)."""
    for variant in product.variants:
        if variant.id == ref or variant.sku.lower() == ref.lower():
            return variant
    raise NotFound(f"item {ref!r} is not a variant of product {product.id} ({product.name})")


def apply_variant_change(variant: ProductVariant, change: VariantChange) -> dict:
    """Set the given fields on the variant; returns what changed as {field: [old, new]}."""
    changed = {}
    for field, value in with_cents(change.model_dump(exclude={"item_id"}, exclude_none=True)).items():
        old = getattr(variant, field)
        if old != value:
            setattr(variant, field, value)
            changed[field] = [str(old), str(value)]
    return changed


async def update_product(ctx: ToolContext, product: Product, fields: dict, category: str | None,
                         changes: list[VariantChange], additions: list[VariantIn]) -> None:
    """Apply product field changes, per-variant changes and new variants, with one audit row."""
    for field, value in fields.items():
        setattr(product, field, value)
    if category:
        product.category = await get_category(ctx.session, category)
    variant_changes = {}
    for change in changes:
        variant = find_own_variant(product, change.item_id)
        if delta := apply_variant_change(variant, change):
            variant_changes[variant.id] = delta
    if additions:
        start = max((v.position for v in product.variants), default=-1) + 1
        product.variants.extend(await build_variants(ctx.session, additions, start))
    await flush_catalog(ctx.session)
    data = {"fields": sorted([*fields, *(["category"] if category else [])]), "variants": variant_changes,
            "added": [v.sku for v in additions]}
    audit(ctx, "product", product.id, "updated", data=data)
    emit(ctx, "product.updated", product.id, data)


def archive_product(ctx: ToolContext, product: Product) -> None:
    """Withdraw a product from sale; it stays in the database for past orders."""
    if product.archived:
        raise Conflict(f"product {product.id} ({product.name}) is already archived", code="already_archived")
    product.archived = True
    audit(ctx, "product", product.id, "archived")
    emit(ctx, "product.archived", product.id, {"name": product.name})


def price_range(product: Product) -> tuple[Decimal | None, Decimal | None]:
    """Lowest and highest variant price."""
    prices = [v.price for v in product.variants]
    return (min(prices), max(prices)) if prices else (None, None)


async def product_types(session: AsyncSession, include_archived: bool) -> dict[str, str]:
    """Product name -> id by name; a repeated name is keyed 'Name [id]' so no product is lost."""
    stmt = select(Product.name, Product.id)
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    rows = sorted((await session.execute(stmt)).all())  # in Python: the same order on every database
    names = [name for name, _ in rows]
    return {(name if names.count(name) == 1 else f"{name} [{pid}]"): pid for name, pid in rows}


async def find_variants(session: AsyncSession, product: Product | None, options: dict[str, str],
                        available_only: bool, include_archived: bool) -> list[ProductVariant]:
    """Variants having every given option (names and values in any case), by product then position."""
    stmt = select(ProductVariant).join(Product).options(selectinload(ProductVariant.product))
    if product is not None:
        stmt = stmt.where(ProductVariant.product_id == product.id)
    if not include_archived:
        stmt = stmt.where(Product.archived.is_(False))
    if available_only:
        stmt = stmt.where(ProductVariant.available.is_(True))
    wanted = {option_name(k): v.strip().lower() for k, v in options.items()}
    rows = await session.execute(stmt.order_by(Product.name, Product.id, ProductVariant.position))
    return [v for v in rows.scalars() if _has_options(v.options, wanted)]


# One option spelt two ways: the demo catalogue says "colour", the retail benchmark's and many callers "color".
OPTION_SPELLINGS = {"color": "colour"}


def option_name(name: str) -> str:
    """An option's name as compared: any case, either spelling ("Color", "colour")."""
    key = name.strip().lower()
    return OPTION_SPELLINGS.get(key, key)


# Sizes said in words or by their letters are one: "large" is L, whichever the catalogue uses.
SIZE_WORDS = {"extra small": "xs", "extra-small": "xs", "small": "s", "medium": "m", "large": "l",
              "extra large": "xl", "extra-large": "xl", "x-large": "xl"}


def _option_value(name: str, value: object) -> str:
    said = str(value).strip().lower()
    return SIZE_WORDS.get(said, said) if name == "size" else said


def _has_options(options: dict, wanted: dict[str, str]) -> bool:
    have = {option_name(str(k)): _option_value(option_name(str(k)), v) for k, v in (options or {}).items()}
    return all(have.get(k) == _option_value(k, v) for k, v in wanted.items())
