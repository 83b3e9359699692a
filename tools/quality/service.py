"""Inspections: schedule (for a SKU, a received RMA or an inbound receipt), start, record defects, complete.

Only the assigned inspector or a merchant (or admin) may start, record on and complete an inspection; an
unassigned one is assigned to whoever starts it. The score is never supplied: it is computed at completion
from the recorded defects (tools/quality/scoring.py). A unit with several flaws is recorded once, under its
worst severity, so the defective units of an inspection never exceed its sample.
"""

import secrets
import string
import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import DefectSeverity, InspectionResult, InspectionStatus, MovementKind, RmaStatus, Role
from db.models import (
    Defect,
    Product,
    ProductVariant,
    QualityInspection,
    ReturnLine,
    ReturnRequest,
    StaffUser,
    StockMovement,
)
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from tools.product.service import get_product, get_variant
from tools.quality import scoring
from tools.transitions import StateMachine

IS = InspectionStatus
INSPECTION = StateMachine("inspection", {IS.SCHEDULED: {IS.IN_PROGRESS, IS.CANCELLED}, IS.IN_PROGRESS: {IS.COMPLETED}})
INSPECTORS = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
DEFAULT_SAMPLE = 5  # the policy's minimum sample, for an inspection of a SKU with no delivery to size it on


def inspection_query():
    """Inspections with their defects loaded."""
    return select(QualityInspection).options(selectinload(QualityInspection.defects))


async def get_inspection(session: AsyncSession, ref: str, *, for_update: bool = False) -> QualityInspection:
    """An inspection by number (any case) or id."""
    ref = ref.strip()
    by_ref = or_(QualityInspection.inspection_number == ref.upper(), QualityInspection.id == ref)
    stmt = inspection_query().where(by_ref)
    if for_update:
        stmt = stmt.with_for_update()
    inspection = (await session.execute(stmt)).scalar_one_or_none()
    if inspection is None:
        raise NotFound(f"inspection {ref} not found")
    return inspection


async def _new_number(session: AsyncSession) -> str:
    alphabet = string.ascii_uppercase + string.digits
    while True:
        number = "QI-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not await session.scalar(select(QualityInspection.id).where(QualityInspection.inspection_number == number)):
            return number


async def _check_inspector(session: AsyncSession, username: str | None) -> str:
    if not username:
        return ""
    user = await session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is None or not user.active or user.role not in INSPECTORS:
        raise InvalidInput(f"inspector {username!r} is not an active warehouse, merchant or admin user",
                           details=[{"field": "inspector", "problem": "unknown inspector"}])
    return user.username


def _one_product(variants: list[ProductVariant], sku: str | None, what: str) -> list[ProductVariant]:
    """The variants of `what` narrowed to one product (by SKU or product when given)."""
    if sku:
        wanted = sku.strip().lower()
        variants = [v for v in variants if wanted in (v.sku.lower(), v.product_id, v.product.name.lower())]
        if not variants:
            raise NotFound(f"{sku} is not part of {what}")
    products = {v.product_id for v in variants}
    if len(products) > 1:
        raise Ambiguous(f"{what} holds {len(products)} products; say which SKU to inspect",
                        details=[{"sku": v.sku, "product_id": v.product_id} for v in variants])
    return variants


async def _from_rma(session: AsyncSession, rma_number: str, sku: str | None) -> dict:
    rma = await session.scalar(select(ReturnRequest).where(ReturnRequest.rma_number == rma_number.strip().upper()))
    if rma is None:
        raise NotFound(f"RMA {rma_number} not found")
    if rma.status != RmaStatus.RECEIVED:
        raise Conflict(f"RMA {rma.rma_number} is {rma.status}; only a received return can be inspected")
    rows = (await session.execute(
        select(ReturnLine, ProductVariant).join(ProductVariant, ReturnLine.variant_id == ProductVariant.id)
        .options(selectinload(ProductVariant.product)).where(ReturnLine.rma_id == rma.id))).all()
    variants = _one_product([v for _, v in rows], sku, f"RMA {rma.rma_number}")
    units = sum(line.quantity for line, v in rows if v in variants)
    return {"kind": "return", "variants": variants, "units": units, "batch_reference": rma.rma_number,
            "rma_id": rma.id}


async def _from_receipt(session: AsyncSession, reference: str, sku: str | None) -> dict:
    rows = (await session.execute(
        select(StockMovement, ProductVariant).join(ProductVariant, StockMovement.variant_id == ProductVariant.id)
        .options(selectinload(ProductVariant.product))
        .where(StockMovement.kind == MovementKind.RECEIPT, StockMovement.reference == reference.strip()))).all()
    if not rows:
        raise NotFound(f"no inbound receipt has the reference {reference!r}")
    variants = _one_product(list({v.id: v for _, v in rows}.values()), sku, f"receipt {reference}")
    units = sum(m.quantity for m, v in rows if v in variants)
    return {"kind": "receiving", "variants": variants, "units": units, "batch_reference": reference.strip(),
            "rma_id": None}


async def _subject(session: AsyncSession, sku: str | None, rma_number: str | None, receipt: str | None) -> dict:
    """What to inspect: the product (and variant when one), its kind, batch and the units it covers."""
    if rma_number:
        return await _from_rma(session, rma_number, sku)
    if receipt:
        return await _from_receipt(session, receipt, sku)
    try:
        variants = [await get_variant(session, sku)]
    except NotFound:
        product = await get_product(session, sku)
        variants = list(product.variants)
    return {"kind": "receiving", "variants": variants, "units": None, "batch_reference": "", "rma_id": None}


def _sample(subject: dict, requested: int | None) -> int:
    units = subject["units"]
    if requested is None:
        if subject["kind"] == "return":
            return units
        return scoring.sample_size_for(units) if units else DEFAULT_SAMPLE
    if units is not None and requested > units:
        raise InvalidInput(f"sample_size {requested} is more than the {units} units to inspect",
                           details=[{"field": "sample_size", "problem": f"at most {units}"}])
    return requested


async def schedule(ctx: ToolContext, *, sku: str | None = None, rma_number: str | None = None,
                   receipt_reference: str | None = None, sample_size: int | None = None,
                   scheduled_for: datetime | None = None, inspector: str | None = None,
                   notes: str = "") -> QualityInspection:
    """Schedule an inspection of a SKU or product, a received RMA or an inbound receipt."""
    subject = await _subject(ctx.session, sku, rma_number, receipt_reference)
    variants = subject["variants"]
    product = variants[0].product
    inspection = QualityInspection(
        id=str(uuid.uuid4()), inspection_number=await _new_number(ctx.session), kind=subject["kind"],
        product_id=product.id, variant_id=variants[0].id if len(variants) == 1 else None, supplier=product.supplier,
        batch_reference=subject["batch_reference"], rma_id=subject["rma_id"],
        sample_size=_sample(subject, sample_size), status=IS.SCHEDULED,
        inspector=await _check_inspector(ctx.session, inspector), scheduled_for=scheduled_for or ctx.now(),
        notes=notes, created_at=ctx.now(), updated_at=ctx.now(),
    )
    inspection.defects = []
    ctx.session.add(inspection)
    facts = {"inspection_number": inspection.inspection_number, "product_id": product.id,
             "batch_reference": inspection.batch_reference, "sample_size": str(inspection.sample_size)}
    audit(ctx, "inspection", inspection.id, "scheduled", to_state=IS.SCHEDULED, data=facts)
    emit(ctx, "inspection.scheduled", inspection.id, facts)
    return inspection


def _may_work_on(ctx: ToolContext, inspection: QualityInspection, action: str) -> None:
    """The assigned inspector or a merchant/admin; a warehouse user may take an unassigned inspection."""
    if ctx.principal.role is not Role.WAREHOUSE or inspection.inspector in ("", ctx.principal.subject):
        return
    raise Forbidden(f"only the assigned inspector ({inspection.inspector}) or a merchant can {action} "
                    f"inspection {inspection.inspection_number}")


async def start(ctx: ToolContext, inspection: QualityInspection) -> QualityInspection:
    """scheduled -> in_progress; an unassigned inspection is assigned to whoever starts it."""
    _may_work_on(ctx, inspection, "start")
    INSPECTION.move(ctx, inspection, IS.IN_PROGRESS, entity_id=inspection.id,
                    data={"inspection_number": inspection.inspection_number})
    inspection.inspector = inspection.inspector or ctx.principal.subject
    inspection.started_at = ctx.now()
    return inspection


def defective_units(inspection: QualityInspection) -> int:
    """Units found defective so far."""
    return sum(d.quantity for d in inspection.defects)


async def record_defect(ctx: ToolContext, inspection: QualityInspection, severity: DefectSeverity,
                        description: str, quantity: int) -> Defect:
    """Add a defect to an inspection in progress (never more defective units than the sample)."""
    _may_work_on(ctx, inspection, "record defects on")
    if inspection.status != IS.IN_PROGRESS:
        raise InvalidTransition(f"inspection {inspection.inspection_number} is {inspection.status}; "
                                "defects are recorded while it is in progress")
    found = defective_units(inspection)
    if found + quantity > inspection.sample_size:
        raise InvalidInput(f"{found + quantity} defective units would exceed the sample of {inspection.sample_size}",
                           details=[{"field": "quantity", "problem": f"at most {inspection.sample_size - found}"}])
    defect = Defect(inspection_id=inspection.id, product_id=inspection.product_id, variant_id=inspection.variant_id,
                    rma_id=inspection.rma_id, severity=severity, description=description, quantity=quantity,
                    created_at=ctx.now())
    inspection.defects.append(defect)
    await ctx.session.flush()
    audit(ctx, "inspection", inspection.id, "defect_recorded",
          data={"defect_id": str(defect.id), "severity": str(severity), "quantity": str(quantity)})
    return defect


async def complete(ctx: ToolContext, inspection: QualityInspection) -> QualityInspection:
    """in_progress -> completed, with the score and result computed from the defects; a fail emits inspection.failed."""
    _may_work_on(ctx, inspection, "complete")
    pairs = [(d.severity, d.quantity) for d in inspection.defects]
    points = scoring.score(pairs)
    outcome = scoring.result(points, any(DefectSeverity(s) is DefectSeverity.CRITICAL for s, _ in pairs))
    facts = {"inspection_number": inspection.inspection_number, "product_id": inspection.product_id,
             "supplier": inspection.supplier, "score": str(points), "result": str(outcome)}
    INSPECTION.move(ctx, inspection, IS.COMPLETED, entity_id=inspection.id, data=facts)
    inspection.score, inspection.result, inspection.completed_at = points, outcome, ctx.now()
    if outcome is InspectionResult.FAIL:
        emit(ctx, "inspection.failed", inspection.id, facts)
    return inspection


def cancel(ctx: ToolContext, inspection: QualityInspection, reason: str) -> QualityInspection:
    """scheduled -> cancelled, for an inspection no longer needed."""
    INSPECTION.move(ctx, inspection, IS.CANCELLED, entity_id=inspection.id,
                    data={"inspection_number": inspection.inspection_number, "reason": reason})
    return inspection


async def list_inspections(session: AsyncSession, *, status: InspectionStatus | None, product: Product | None,
                           result: str | None, limit: int, offset: int) -> tuple[list[QualityInspection], int]:
    """Inspections by status, product and result, soonest scheduled first, with the total count."""
    stmt = inspection_query()
    if status:
        stmt = stmt.where(QualityInspection.status == status)
    if product:
        stmt = stmt.where(QualityInspection.product_id == product.id)
    if result:
        stmt = stmt.where(QualityInspection.result == result)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(stmt.order_by(QualityInspection.scheduled_for, QualityInspection.inspection_number)
                                 .limit(limit).offset(offset))
    return list(rows), total
