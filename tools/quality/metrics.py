"""Quality figures from real inspections and returns: a product's defects and metrics, supplier ratings.

Supplier defect rate = defective units / inspected sample units of the supplier's completed inspections
in the last `quality.supplier_rating_window_days` days (default 90, as the supplier-rating policy says).
Customer returns count through the return inspections scheduled for received RMAs (their returned units
are the sample), so a returned unit is never counted twice.
"""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DefectSeverity, InspectionResult, InspectionStatus, ReturnReason
from db.models import Defect, OrderLine, Product, ProductVariant, QualityInspection, ReturnLine, ReturnRequest
from tools.config import catalogue
from tools.config.service import value
from tools.context import ToolContext
from tools.errors import Ambiguous, NotFound
from tools.quality import schemas as s
from tools.quality import scoring
from tools.quality.service import inspection_query

WINDOW = catalogue.declare("quality.supplier_rating_window_days", "number", 90,
                           "Days of inspections a supplier's defect rate looks back over.", minimum=1,
                           maximum=3650, integer=True)
RETURN_ALERT_PCT = 5  # the policy: above 5 % defect returns, inspect again even after a pass


def defect_out(defect: Defect, numbers: dict[str, str], skus: dict[str, str]) -> s.DefectOut:
    """A defect with the number of its inspection and its SKU."""
    return s.DefectOut(id=defect.id, severity=defect.severity, description=defect.description,
                       quantity=defect.quantity, inspection_number=numbers.get(defect.inspection_id),
                       sku=skus.get(defect.variant_id), created_at=defect.created_at)


async def product_defects(session: AsyncSession, product: Product) -> s.ProductDefects:
    """Every defect recorded for a product (inspections and returns), newest first."""
    defects = list(await session.scalars(select(Defect).where(Defect.product_id == product.id)
                                         .order_by(Defect.created_at.desc(), Defect.id.desc())))
    numbers = dict((await session.execute(select(QualityInspection.id, QualityInspection.inspection_number)
                                          .where(QualityInspection.product_id == product.id))).all())
    skus = {v.id: v.sku for v in product.variants}
    return s.ProductDefects(product_id=product.id, product_name=product.name,
                            defects=[defect_out(d, numbers, skus) for d in defects],
                            total_units=sum(d.quantity for d in defects))


async def _return_figures(session: AsyncSession, product_id: str) -> tuple[int, int]:
    shipped = await session.scalar(select(func.coalesce(func.sum(OrderLine.quantity_shipped), 0))
                                   .where(OrderLine.product_id == product_id))
    returned = await session.scalar(
        select(func.coalesce(func.sum(ReturnLine.quantity), 0))
        .join(ReturnRequest, ReturnLine.rma_id == ReturnRequest.id)
        .join(ProductVariant, ReturnLine.variant_id == ProductVariant.id)
        .where(ProductVariant.product_id == product_id, ReturnRequest.reason == ReturnReason.PRODUCT_DEFECT))
    return int(shipped), int(returned)


async def product_metrics(session: AsyncSession, product: Product) -> s.ProductMetrics:
    """Inspections, pass rate, average score and defects by severity of a product, and its defect returns."""
    inspections = list(await session.scalars(inspection_query().where(QualityInspection.product_id == product.id)))
    done = [i for i in inspections if i.status == InspectionStatus.COMPLETED]
    results = Counter(str(i.result) for i in done)
    passed = results[InspectionResult.PASS] + results[InspectionResult.CONDITIONAL_PASS]
    by_severity = Counter({str(sev): 0 for sev in DefectSeverity})
    for defect in (d for i in inspections for d in i.defects):
        by_severity[str(defect.severity)] += defect.quantity
    completed_defective = sum(d.quantity for i in done for d in i.defects)
    shipped, returned = await _return_figures(session, product.id)
    return_rate = scoring.defect_rate_pct(returned, shipped)
    return s.ProductMetrics(
        product_id=product.id, product_name=product.name, supplier=product.supplier, inspections=len(inspections),
        completed=len(done), results={str(r): results[r] for r in InspectionResult},
        pass_rate_pct=scoring.defect_rate_pct(passed, len(done)),
        average_score=round(sum(i.score for i in done) / len(done), 1) if done else None,
        defects_by_severity=dict(by_severity),
        inspection_defect_rate_pct=scoring.defect_rate_pct(completed_defective, sum(i.sample_size for i in done)),
        units_shipped=shipped, units_returned_defective=returned, return_defect_rate_pct=return_rate,
        needs_inspection=return_rate is not None and return_rate > RETURN_ALERT_PCT,
    )


async def _supplier_products(session: AsyncSession, supplier: str) -> list[Product]:
    """The products of the supplier named exactly (any case), else of the one supplier whose name contains it."""
    wanted = supplier.strip().lower()
    for condition in (func.lower(Product.supplier) == wanted, func.lower(Product.supplier).contains(wanted)):
        products = list(await session.scalars(select(Product).where(condition).order_by(Product.id)))
        names = sorted({p.supplier for p in products})
        if len(names) > 1:
            raise Ambiguous(f"{len(names)} suppliers match {supplier!r}; say which",
                            details=[{"supplier": n} for n in names])
        if products:
            return products
    raise NotFound(f"no product comes from a supplier called {supplier!r}")


async def supplier_rating(ctx: ToolContext, supplier: str) -> s.SupplierRating:
    """A supplier's defect rate and rating over the window (unrated without completed inspections)."""
    products = await _supplier_products(ctx.session, supplier)
    days = int(await value(ctx.session, WINDOW))
    rows = (await ctx.session.execute(
        select(QualityInspection.product_id, QualityInspection.sample_size,
               select(func.coalesce(func.sum(Defect.quantity), 0)).where(Defect.inspection_id == QualityInspection.id)
               .scalar_subquery())
        .where(QualityInspection.product_id.in_([p.id for p in products]),
               QualityInspection.status == InspectionStatus.COMPLETED,
               QualityInspection.completed_at >= ctx.now() - timedelta(days=days)))).all()
    checked, defective = Counter(), Counter()
    for product_id, sample, found in rows:
        checked[product_id] += sample
        defective[product_id] += int(found)
    rate = scoring.defect_rate_pct(sum(defective.values()), sum(checked.values()))
    name, grade = products[0].supplier, scoring.rating(rate)
    return s.SupplierRating(
        supplier=name, rating=grade, defect_rate_pct=rate,
        summary=f"{name}: {grade}" + (f" ({rate} % defective)" if rate is not None else " (nothing inspected)"),
        inspected_units=sum(checked.values()), defective_units=sum(defective.values()), inspections=len(rows),
        window_days=days,
        products=[s.SupplierProduct(product_id=p.id, name=p.name, inspected_units=checked[p.id],
                                    defective_units=defective[p.id]) for p in products if checked[p.id]],
    )


async def all_suppliers(ctx: ToolContext) -> list[s.SupplierRating]:
    """Every supplier's rating, worst first (unrated last)."""
    names = await ctx.session.scalars(select(Product.supplier).where(Product.supplier != "").distinct())
    ratings = [await supplier_rating(ctx, name) for name in sorted(set(names))]
    order = {"poor": 0, "fair": 1, "good": 2, "excellent": 3, "unrated": 4}
    return sorted(ratings, key=lambda r: (order[r.rating], -(r.defect_rate_pct or 0), r.supplier))
