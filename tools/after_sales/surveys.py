"""Satisfaction surveys: one per delivered order, from its customer; staff read the averages and NPS."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Order, SatisfactionSurvey
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict
from tools.order.service import day_start


def already(order: Order) -> Conflict:
    """The refusal of a second survey for the same order."""
    return Conflict(f"a survey for order {order.id} was already submitted; thank you", code="survey_exists")


async def submit(ctx: ToolContext, order: Order, rating: int, nps: int | None, comment: str) -> SatisfactionSurvey:
    """Record the customer's rating of a delivered order (one survey per order)."""
    if order.delivered_at is None:
        raise Conflict(f"order {order.id} has not been delivered yet; rate it once it has arrived",
                       code="not_delivered")
    if await ctx.session.scalar(select(SatisfactionSurvey.id).where(SatisfactionSurvey.order_id == order.id)):
        raise already(order)
    survey = SatisfactionSurvey(order_id=order.id, customer_id=order.customer_id, rating=rating, nps=nps,
                                comment=comment.strip(), created_at=ctx.now())
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(survey)
    except IntegrityError:
        # A concurrent submission for the same order won the unique constraint.
        raise already(order) from None
    facts = {"order_id": order.id, "rating": rating, "nps": nps}
    audit(ctx, "survey", str(survey.id), "submitted", data=facts)
    emit(ctx, "survey.submitted", str(survey.id), facts)
    return survey


@dataclass
class SurveySummary:
    """Surveys in a period: a page of them, how many in all, the average rating and the NPS."""

    rows: list[SatisfactionSurvey]
    total: int
    average_rating: Decimal | None
    nps: int | None


def net_promoter(scores: list[int]) -> int | None:
    """Promoters (9-10) minus detractors (0-6), as a whole percentage of the answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return int((Decimal(100 * (promoters - detractors)) / len(scores)).quantize(Decimal(1), ROUND_HALF_UP))


async def summary(session: AsyncSession, since: date | None, until: date | None, limit: int,
                  offset: int) -> SurveySummary:
    """Surveys submitted in the period (days inclusive), newest first, with their figures."""
    where = []
    if since is not None:
        where.append(SatisfactionSurvey.created_at >= day_start(since))
    if until is not None:
        where.append(SatisfactionSurvey.created_at < day_start(until + timedelta(days=1)))
    total, average = (await session.execute(
        select(func.count(SatisfactionSurvey.id), func.avg(SatisfactionSurvey.rating)).where(*where))).one()
    scores = list((await session.scalars(
        select(SatisfactionSurvey.nps).where(*where, SatisfactionSurvey.nps.is_not(None)))).all())
    rows = await session.scalars(select(SatisfactionSurvey).where(*where)
                                 .order_by(SatisfactionSurvey.created_at.desc(), SatisfactionSurvey.id.desc())
                                 .limit(limit).offset(offset))
    mean = None if average is None else Decimal(str(average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return SurveySummary(list(rows), total or 0, mean, net_promoter(scores))
