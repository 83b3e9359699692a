"""Quality tools: thin registry entries over inspections, defects, product metrics and supplier ratings.

Staff only: warehouse staff schedule, run and complete inspections (their own or unassigned ones), merchants
and admins do everything, including cancelling; support and customers have no quality tools.
"""

from db.enums import Role
from db.models import QualityInspection
from tools.context import ToolContext
from tools.product.service import get_product
from tools.quality import metrics, service
from tools.quality import schemas as s
from tools.registry import tool

AGENT = "quality"
QUALITY_STAFF = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
MANAGERS = {Role.MERCHANT, Role.ADMIN}


async def inspection_out(ctx: ToolContext, inspection: QualityInspection) -> s.InspectionOut:
    """An inspection with its product, SKU and defects."""
    product = await get_product(ctx.session, inspection.product_id)
    skus = {v.id: v.sku for v in product.variants}
    numbers = {inspection.id: inspection.inspection_number}
    return s.InspectionOut(
        inspection_number=inspection.inspection_number, id=inspection.id, kind=inspection.kind,
        status=inspection.status, result=inspection.result, score=inspection.score, product_id=product.id,
        product_name=product.name, sku=skus.get(inspection.variant_id), supplier=inspection.supplier,
        batch_reference=inspection.batch_reference, sample_size=inspection.sample_size,
        defective_units=service.defective_units(inspection), inspector=inspection.inspector,
        scheduled_for=inspection.scheduled_for, started_at=inspection.started_at,
        completed_at=inspection.completed_at, notes=inspection.notes,
        defects=[metrics.defect_out(d, numbers, skus) for d in inspection.defects],
    )


@tool(agent=AGENT, method="POST", path="/inspections/schedule", roles=QUALITY_STAFF, mutates=True, confirm=True,
      examples=["schedule a receiving inspection for SKU KB-CLICKY-01", "plan an inspection of 20 units of AU-BUDS-03",
                "inspect the returned items of RMA-20261201-AB12CD34",
                "schedule an inspection for inbound receipt PO-2026-0042",
                "schedule a QC of the Halo Desk Lamp for tomorrow 9am, inspector wendy.warehouse",
                "we need an inspection on DK-CHAIR-02, sample of 10",
                "can we get a QC done on the Glide mice? 15 units"])
async def schedule_inspection(ctx: ToolContext, params: s.ScheduleIn) -> s.InspectionOut:
    """Schedule a quality inspection of a SKU, a received return (RMA) or an inbound receipt, with a sample size."""
    inspection = await service.schedule(
        ctx, sku=params.sku, rma_number=params.rma_number, receipt_reference=params.receipt_reference,
        sample_size=params.sample_size, scheduled_for=params.scheduled_for, inspector=params.inspector,
        notes=params.notes)
    return await inspection_out(ctx, inspection)


@tool(agent=AGENT, method="GET", path="/inspections/{inspection_id}", roles=QUALITY_STAFF,
      examples=["show inspection QI-7K2M9P4X", "what is the status of inspection QI-DEMO0001",
                "score of inspection QI-DEMO0003", "which defects were found in QI-DEMO0002"])
async def get_inspection(ctx: ToolContext, params: s.InspectionRefIn) -> s.InspectionOut:
    """Get an inspection by number or id, with its status, score, result and defects."""
    return await inspection_out(ctx, await service.get_inspection(ctx.session, params.inspection_id))


@tool(agent=AGENT, method="GET", path="/inspections", roles=QUALITY_STAFF,
      examples=["list scheduled inspections", "which inspections are in progress", "failed inspections",
                "inspections of the Clacky 87 keyboard", "show all completed quality inspections"])
async def list_inspections(ctx: ToolContext, params: s.ListInspectionsIn) -> s.InspectionList:
    """List inspections by status, product or result, soonest scheduled first."""
    product = await get_product(ctx.session, params.product) if params.product else None
    rows, total = await service.list_inspections(ctx.session, status=params.status, product=product,
                                                 result=params.result, limit=params.limit, offset=params.offset)
    return s.InspectionList(inspections=[await inspection_out(ctx, i) for i in rows], total=total)


@tool(agent=AGENT, method="POST", path="/inspections/{inspection_id}/start", roles=QUALITY_STAFF, mutates=True,
      confirm=True,
      examples=["start inspection QI-DEMO0001", "I'm starting the inspection QI-7K2M9P4X now",
                "begin quality check QI-DEMO0001", "mark inspection QI-DEMO0001 as in progress",
                "the goods came in a day early, so we can do the quality check today instead"])
async def start_inspection(ctx: ToolContext, params: s.InspectionRefIn) -> s.InspectionOut:
    """Start a scheduled inspection (scheduled -> in progress); only its inspector or a merchant may."""
    inspection = await service.get_inspection(ctx.session, params.inspection_id, for_update=True)
    return await inspection_out(ctx, await service.start(ctx, inspection))


@tool(agent=AGENT, method="POST", path="/inspections/{inspection_id}/defects", roles=QUALITY_STAFF, mutates=True,
      confirm=True,
      examples=["record a major defect on QI-DEMO0002: key not registering",
                "log 2 minor defects in inspection QI-DEMO0002, scratches on the case",
                "add a critical defect to QI-7K2M9P4X, exposed wiring",
                "found a trivial defect in QI-DEMO0002: dust in the packaging"])
async def record_defect(ctx: ToolContext, params: s.DefectIn) -> s.InspectionOut:
    """Record a defect (critical, major, minor or trivial; description; units) on an inspection in progress."""
    inspection = await service.get_inspection(ctx.session, params.inspection_id, for_update=True)
    await service.record_defect(ctx, inspection, params.severity, params.description, params.quantity)
    return await inspection_out(ctx, inspection)


@tool(agent=AGENT, method="POST", path="/inspections/{inspection_id}/complete", roles=QUALITY_STAFF, mutates=True,
      confirm=True,
      examples=["complete inspection QI-DEMO0002", "finish the quality check QI-7K2M9P4X",
                "close inspection QI-DEMO0002 and give me the score", "we're done with QI-DEMO0002, complete it"])
async def complete_inspection(ctx: ToolContext, params: s.InspectionRefIn) -> s.InspectionOut:
    """Complete an inspection in progress: the score and pass / conditional pass / fail come from its defects."""
    inspection = await service.get_inspection(ctx.session, params.inspection_id, for_update=True)
    return await inspection_out(ctx, await service.complete(ctx, inspection))


@tool(agent=AGENT, method="POST", path="/inspections/{inspection_id}/cancel", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["cancel inspection QI-DEMO0001, no longer needed", "call off the quality check QI-7K2M9P4X",
                "drop the scheduled inspection QI-DEMO0001"])
async def cancel_inspection(ctx: ToolContext, params: s.CancelIn) -> s.InspectionOut:
    """Cancel a scheduled inspection that is no longer needed."""
    inspection = await service.get_inspection(ctx.session, params.inspection_id, for_update=True)
    return await inspection_out(ctx, service.cancel(ctx, inspection, params.reason))


@tool(agent=AGENT, method="GET", path="/products/{product_id}/defects", roles=QUALITY_STAFF,
      examples=["defects reported for the Clacky 87 Mechanical Keyboard", "what defects has KB-CLICKY-01 had",
                "list defects of product 6496450637", "quality problems found on the Pocket Pods Earbuds"])
async def get_product_defects(ctx: ToolContext, params: s.ProductIn) -> s.ProductDefects:
    """List every defect recorded for a product (by id, name or SKU), newest first."""
    return await metrics.product_defects(ctx.session, await get_product(ctx.session, params.product_id))


@tool(agent=AGENT, method="GET", path="/products/{product_id}/metrics", roles=QUALITY_STAFF,
      examples=["quality metrics of the Clacky 87 keyboard", "pass rate and average score of KB-CLICKY-01",
                "how good is the quality of the Pocket Pods Earbuds", "defects by severity for product 6496450637"])
async def get_product_quality_metrics(ctx: ToolContext, params: s.ProductIn) -> s.ProductMetrics:
    """Get a product's quality metrics: inspections, pass rate, average score, defects by severity, defect returns."""
    return await metrics.product_metrics(ctx.session, await get_product(ctx.session, params.product_id))


@tool(agent=AGENT, method="GET", path="/suppliers/{supplier}/rating", roles=QUALITY_STAFF,
      examples=["supplier quality rating of Keystone Components", "how is Sonata Audio rated",
                "defect rate of supplier Capsmith Ltd", "is Deskforge GmbH a good supplier"])
async def get_supplier_rating(ctx: ToolContext, params: s.SupplierIn) -> s.SupplierRating:
    """Rate a supplier by defect rate (defective / inspected units): excellent, good, fair or poor."""
    return await metrics.supplier_rating(ctx, params.supplier)


@tool(agent=AGENT, method="GET", path="/suppliers/ratings", roles=QUALITY_STAFF,
      examples=["rate all our suppliers", "supplier ratings", "which suppliers are rated poor",
                "rank suppliers by defect rate"])
async def list_supplier_ratings(ctx: ToolContext, params: s.NoInput) -> s.SupplierRatingList:
    """List every supplier's quality rating and defect rate, worst first."""
    return s.SupplierRatingList(suppliers=await metrics.all_suppliers(ctx))
