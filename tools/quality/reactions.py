"""Service functions for event reactions ("return received -> inspection scheduled", "inspection failed ->
quality alert"): idempotent, and callable with just a ToolContext and an id."""

from sqlalchemy import select

from db.enums import AlertSeverity, InspectionResult, InspectionStatus
from db.models import ProductVariant, QualityInspection, ReturnLine, ReturnRequest, SystemAlert
from tools.context import ToolContext
from tools.errors import NotFound
from tools.monitoring.alerts import announce, raise_alert
from tools.quality import service

ALERT_SOURCE = "quality"


async def schedule_return_inspections(ctx: ToolContext, rma_id: str) -> list[QualityInspection]:
    """One inspection per product of a received RMA, scheduled once (later calls return the same ones)."""
    rma = await ctx.session.get(ReturnRequest, rma_id)
    if rma is None:
        raise NotFound(f"RMA {rma_id} not found")
    inspections = list(await ctx.session.scalars(service.inspection_query().where(
        QualityInspection.rma_id == rma.id, QualityInspection.status != InspectionStatus.CANCELLED)))
    covered = {i.product_id for i in inspections}
    products = await ctx.session.scalars(
        select(ProductVariant.product_id).join(ReturnLine, ReturnLine.variant_id == ProductVariant.id)
        .where(ReturnLine.rma_id == rma.id).order_by(ReturnLine.id))
    for product_id in dict.fromkeys(products):
        if product_id not in covered:
            inspections.append(await service.schedule(ctx, sku=product_id, rma_number=rma.rma_number))
    return inspections


def _alert_title(inspection: QualityInspection) -> str:
    return f"Inspection {inspection.inspection_number} failed"


async def quality_alert_for(ctx: ToolContext, inspection_id: str) -> SystemAlert | None:
    """The open quality alert of a failed inspection, raised once (None when the inspection did not fail)."""
    inspection = await service.get_inspection(ctx.session, inspection_id)
    if inspection.result != InspectionResult.FAIL:
        return None
    title = _alert_title(inspection)
    alert = await ctx.session.scalar(select(SystemAlert).where(SystemAlert.source == ALERT_SOURCE,
                                                               SystemAlert.title == title))
    if alert is not None:
        return alert
    alert = raise_alert(
        ctx, source=ALERT_SOURCE, title=title, severity=AlertSeverity.CRITICAL, agent="quality",
        description=(f"Score {inspection.score} for product {inspection.product_id} (supplier "
                     f"{inspection.supplier or 'unknown'}, batch {inspection.batch_reference or 'n/a'}); "
                     "the stock stays in quarantine until the merchant decides."),
    )
    await ctx.session.flush()
    announce(ctx, alert)
    return alert
