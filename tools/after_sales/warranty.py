"""Warranty claims: filed within `warranty.months` of delivery, numbered by us, decided by staff."""

import re
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import WarrantyStatus
from db.models import Order, WarrantyClaim
from tools.after_sales import rules
from tools.after_sales.returns import lines_named, new_number
from tools.audit import audit, emit
from tools.config.service import value
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput, NotFound
from tools.schemas import normalize_order_id

CLAIM_NUMBER = re.compile(r"^WC-\d{8}-[A-Z0-9]{8}$", re.I)
OPEN = (WarrantyStatus.SUBMITTED, WarrantyStatus.APPROVED)


async def covered_until(session: AsyncSession, order: Order):
    """The last day the order's items are under warranty, or None when it was never delivered."""
    if order.delivered_at is None:
        return None
    return rules.add_months(order.delivered_at.date(), int(await value(session, rules.WARRANTY_MONTHS)))


async def coverage(ctx: ToolContext, order: Order) -> tuple[rules.WarrantyState, date | None]:
    """Whether the order's items are under warranty today, and its last day (None when never delivered)."""
    until = await covered_until(ctx.session, order)
    if until is None:
        return rules.WarrantyState.NOT_DELIVERED, None
    return (rules.WarrantyState.COVERED if ctx.now().date() <= until else rules.WarrantyState.EXPIRED), until


async def require_covered(ctx: ToolContext, order: Order) -> None:
    """Refuse an order never delivered, or delivered longer ago than the warranty lasts."""
    state, until = await coverage(ctx, order)
    if state == rules.WarrantyState.NOT_DELIVERED:
        raise Conflict(f"order {order.id} has not been delivered; a warranty claim needs a delivered item",
                       code="not_delivered")
    if state == rules.WarrantyState.EXPIRED:
        raise Conflict(f"the warranty of order {order.id} ended on {until:%Y-%m-%d} "
                       f"({await value(ctx.session, rules.WARRANTY_MONTHS)} months after delivery)",
                       code="warranty_expired",
                       details={"delivered_at": order.delivered_at.isoformat(), "covered_until": until.isoformat()})


def claimed_item(order: Order, item_ref: str | None) -> str:
    """The variant id of the item the claim is about (the only one, when the order has one)."""
    if item_ref:
        return lines_named(order, item_ref)[0].variant_id
    variants = {line.variant_id for line in order.lines}
    if len(variants) != 1:
        raise InvalidInput(f"order {order.id} has several items; say which one is faulty",
                           details=[{"field": "item", "problem": "required for an order of several items"}])
    return variants.pop()


async def submit(ctx: ToolContext, order: Order, item_ref: str | None, description: str) -> WarrantyClaim:
    """File a claim (status submitted) for an item of a delivered order still under warranty."""
    await require_covered(ctx, order)
    variant_id = claimed_item(order, item_ref)
    duplicate = await ctx.session.scalar(select(WarrantyClaim.claim_number).where(
        WarrantyClaim.order_id == order.id, WarrantyClaim.variant_id == variant_id, WarrantyClaim.status.in_(OPEN)))
    if duplicate:
        raise Conflict(f"claim {duplicate} for this item is still open", code="claim_exists",
                       details={"claim_number": duplicate})
    claim = WarrantyClaim(
        id=str(uuid.uuid4()), claim_number=await new_number(ctx.session, "WC", WarrantyClaim,
                                                            WarrantyClaim.claim_number, ctx.now()),
        order_id=order.id, customer_id=order.customer_id, variant_id=variant_id, description=description.strip(),
        status=WarrantyStatus.SUBMITTED, resolution="", created_at=ctx.now(),
    )
    ctx.session.add(claim)
    await ctx.session.flush()
    facts = {"claim_number": claim.claim_number, "order_id": order.id, "item_id": variant_id}
    audit(ctx, "warranty_claim", claim.id, "submitted", to_state=WarrantyStatus.SUBMITTED, data=facts)
    emit(ctx, "warranty_claim.submitted", claim.id, facts)
    return claim


async def get_claim(session: AsyncSession, ref: str, *, for_update: bool = False) -> WarrantyClaim:
    """A claim by its number, or the latest claim of an order named by its number."""
    ref = ref.strip()
    if CLAIM_NUMBER.match(ref):
        stmt = select(WarrantyClaim).where(WarrantyClaim.claim_number == ref.upper())
    else:
        stmt = (select(WarrantyClaim).where(WarrantyClaim.order_id == normalize_order_id(ref))
                .order_by(WarrantyClaim.created_at.desc(), WarrantyClaim.id).limit(1))
    claim = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if claim is None:
        raise NotFound(f"warranty claim {ref.upper()} not found")
    return claim


async def get_visible_claim(ctx: ToolContext, ref: str, *, for_update: bool = False) -> WarrantyClaim:
    """A claim the caller may see: customers only their own."""
    claim = await get_claim(ctx.session, ref, for_update=for_update)
    ctx.check_owner(claim.customer_id, f"warranty claim {ref.strip().upper()}")
    return claim


async def list_claims(session: AsyncSession, customer_id: str | None, status: WarrantyStatus | None,
                      limit: int, offset: int) -> tuple[list[WarrantyClaim], int]:
    """A page of claims, newest first, with the count of all matches."""
    stmt = select(WarrantyClaim)
    if customer_id is not None:
        stmt = stmt.where(WarrantyClaim.customer_id == customer_id)
    if status is not None:
        stmt = stmt.where(WarrantyClaim.status == status)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(WarrantyClaim.created_at.desc(), WarrantyClaim.claim_number).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0


def decide(ctx: ToolContext, claim: WarrantyClaim, target: WarrantyStatus, resolution: str | None) -> None:
    """Approve, reject, resolve or reopen a claim; rejecting and resolving say what was decided."""
    if target in (WarrantyStatus.REJECTED, WarrantyStatus.RESOLVED) and not resolution:
        raise InvalidInput(f"say what was decided (resolution) to mark the claim {target}",
                           details=[{"field": "resolution", "problem": f"required for {target}"}])
    data = {"claim_number": claim.claim_number, "order_id": claim.order_id}
    rules.WARRANTY_STATES.move(ctx, claim, target, entity_id=claim.id,
                               data={**data, **({"resolution": resolution} if resolution else {})})
    if resolution:
        claim.resolution = resolution.strip()
