"""Catalogue figures: counts and prices by category and brand, stock health and stock value."""

from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Category, Product, ProductVariant, StockLevel
from tools.product.schemas import CatalogValue, GroupStats, ProductAnalytics, ValueRow
from tools.product.service import UNCATEGORISED, cents

UNBRANDED = "unbranded"


async def _group_stats(session: AsyncSession, key, blank: str) -> list[GroupStats]:
    """Products on sale, their variants and average variant price, grouped by the `key` column."""
    stmt = (
        select(key, func.count(func.distinct(Product.id)), func.count(ProductVariant.id),
               func.avg(ProductVariant.price))
        .select_from(Product)
        .outerjoin(ProductVariant, ProductVariant.product_id == Product.id)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Product.archived.is_(False))
        .group_by(key)
    )
    rows = [
        GroupStats(key=name or blank, product_count=products, variant_count=variants,
                   average_price=cents(avg))
        for name, products, variants, avg in (await session.execute(stmt)).all()
    ]
    return sorted(rows, key=lambda r: (-r.product_count, r.key))


async def _totals(session: AsyncSession) -> tuple[int, int, int, Decimal | None]:
    """Products on sale, archived products, variants on sale and their average price."""
    by_flag = select(Product.archived, func.count()).group_by(Product.archived)
    counts = dict((await session.execute(by_flag)).all())
    variants, avg = (await session.execute(
        select(func.count(ProductVariant.id), func.avg(ProductVariant.price))
        .join(Product).where(Product.archived.is_(False))
    )).one()
    return counts.get(False, 0), counts.get(True, 0), variants, cents(avg)


async def _stock_health(session: AsyncSession) -> tuple[int, int, int]:
    """Tracked variants on sale, how many are low (units left, on hand <= reorder point) and out."""
    levels = (
        select(StockLevel.variant_id, func.sum(StockLevel.on_hand).label("on_hand"),
               func.sum(StockLevel.allocated).label("allocated"),
               func.sum(StockLevel.reorder_point).label("reorder_point"))
        .group_by(StockLevel.variant_id)
        .subquery()
    )
    on_hand = func.coalesce(levels.c.on_hand, 0)
    available = on_hand - func.coalesce(levels.c.allocated, 0)
    out = available <= 0
    low = (available > 0) & (on_hand <= func.coalesce(levels.c.reorder_point, 0))
    stmt = (
        select(func.count(ProductVariant.id), func.sum(case((low, 1), else_=0)),
               func.sum(case((out, 1), else_=0)))
        .join(Product)
        .outerjoin(levels, levels.c.variant_id == ProductVariant.id)
        .where(ProductVariant.track_stock.is_(True), Product.archived.is_(False))
    )
    tracked, low_count, out_count = (await session.execute(stmt)).one()
    return tracked, int(low_count or 0), int(out_count or 0)


async def product_analytics(session: AsyncSession) -> ProductAnalytics:
    """Counts and average prices by category and brand, and stock health of tracked variants."""
    live, archived, variants, avg = await _totals(session)
    tracked, low, out = await _stock_health(session)
    return ProductAnalytics(
        product_count=live, archived_count=archived, variant_count=variants, average_price=avg,
        by_category=await _group_stats(session, Category.name, UNCATEGORISED),
        by_brand=await _group_stats(session, Product.brand, UNBRANDED),
        tracked_variants=tracked, low_stock_variants=low, out_of_stock_variants=out,
    )


async def catalog_value(session: AsyncSession, warehouse_id: int | None) -> list[ValueRow]:
    """Units on hand valued at cost (price where no cost is known) and at price, by category."""
    unit_cost = func.coalesce(ProductVariant.cost, ProductVariant.price)
    stmt = (
        select(Category.name, func.sum(StockLevel.on_hand), func.sum(StockLevel.on_hand * unit_cost),
               func.sum(StockLevel.on_hand * ProductVariant.price))
        .select_from(StockLevel)
        .join(ProductVariant, ProductVariant.id == StockLevel.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .group_by(Category.name)
    )
    if warehouse_id is not None:
        stmt = stmt.where(StockLevel.warehouse_id == warehouse_id)
    rows = [
        ValueRow(category=name or UNCATEGORISED, units_on_hand=int(units or 0), cost_value=cents(cost or 0),
                 retail_value=cents(retail or 0))
        for name, units, cost, retail in (await session.execute(stmt)).all()
    ]
    return sorted(rows, key=lambda r: (-r.cost_value, r.category))


def value_totals(rows: list[ValueRow], warehouse_code: str | None) -> CatalogValue:
    """The per-category rows with their grand totals."""
    return CatalogValue(
        warehouse=warehouse_code, by_category=rows, units_on_hand=sum(r.units_on_hand for r in rows),
        cost_value=cents(sum((r.cost_value for r in rows), Decimal("0"))),
        retail_value=cents(sum((r.retail_value for r in rows), Decimal("0"))),
    )
