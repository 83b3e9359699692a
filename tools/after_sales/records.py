"""Finding RMAs, exchanges and the order lines they name, by the references people quote."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import RmaStatus
from db.models import Exchange, OrderLine, ReturnRequest
from tools.context import ToolContext
from tools.errors import NotFound
from tools.order.service import day_start
from tools.schemas import normalize_order_id

RMA_NUMBER = re.compile(r"^RMA-\d{8}-[A-Z0-9]{8}$", re.I)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def rma_query():
    """An RMA select with its lines loaded."""
    return select(ReturnRequest).options(selectinload(ReturnRequest.lines))


async def get_rma(session: AsyncSession, ref: str, *, for_update: bool = False) -> ReturnRequest:
    """An RMA by its number, or the latest RMA of an order named by its number (#W2611340)."""
    ref = ref.strip()
    if RMA_NUMBER.match(ref):
        stmt = rma_query().where(ReturnRequest.rma_number == ref.upper())
        what = f"RMA {ref.upper()}"
    else:
        stmt = (rma_query().where(ReturnRequest.order_id == normalize_order_id(ref))
                .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc()).limit(1))
        what = f"a return for order {normalize_order_id(ref)}"
    if for_update:
        stmt = stmt.with_for_update()
    rma = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()
    if rma is None:
        raise NotFound(f"{what} not found")
    return rma


async def get_visible_rma(ctx: ToolContext, ref: str, *, for_update: bool = False) -> ReturnRequest:
    """An RMA the caller may see: customers only their own (another's reads as not found)."""
    rma = await get_rma(ctx.session, ref, for_update=for_update)
    ctx.check_owner(rma.customer_id, f"RMA {ref.strip().upper()}")
    return rma


async def list_rmas(session: AsyncSession, *, customer_id: str | None = None, status: RmaStatus | None = None,
                    order_id: str | None = None, created_from: date | None = None, created_to: date | None = None,
                    limit: int = 20, offset: int = 0) -> tuple[list[ReturnRequest], int]:
    """A page of RMAs, newest first, with the count of all matches."""
    stmt = select(ReturnRequest)
    if customer_id is not None:
        stmt = stmt.where(ReturnRequest.customer_id == customer_id)
    if status is not None:
        stmt = stmt.where(ReturnRequest.status == status)
    if order_id is not None:
        stmt = stmt.where(ReturnRequest.order_id == normalize_order_id(order_id))
    if created_from is not None:
        stmt = stmt.where(ReturnRequest.created_at >= day_start(created_from))
    if created_to is not None:
        stmt = stmt.where(ReturnRequest.created_at < day_start(created_to + timedelta(days=1)))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = (stmt.options(selectinload(ReturnRequest.lines))
            .order_by(ReturnRequest.created_at.desc(), ReturnRequest.rma_number).limit(limit).offset(offset))
    return list((await session.execute(page)).scalars()), total or 0


def exchange_query():
    """An exchange select with its lines loaded."""
    return select(Exchange).options(selectinload(Exchange.lines)).execution_options(populate_existing=True)


async def exchange_of(session: AsyncSession, rma_id: str) -> Exchange | None:
    """The exchange an RMA carries, if it is an exchange."""
    return (await session.execute(exchange_query().where(Exchange.rma_id == rma_id))).scalar_one_or_none()


async def get_exchange(session: AsyncSession, ref: str) -> Exchange:
    """An exchange by its id, by its RMA's number, or the latest exchange of an order."""
    ref = ref.strip()
    if UUID.match(ref):
        stmt = exchange_query().where(Exchange.id == ref.lower())
    elif RMA_NUMBER.match(ref):
        rma_id = select(ReturnRequest.id).where(ReturnRequest.rma_number == ref.upper()).scalar_subquery()
        stmt = exchange_query().where(Exchange.rma_id == rma_id)
    else:
        stmt = (exchange_query().where(Exchange.order_id == normalize_order_id(ref))
                .order_by(Exchange.created_at.desc(), Exchange.id).limit(1))
    exchange = (await session.execute(stmt)).scalar_one_or_none()
    if exchange is None:
        raise NotFound(f"exchange {ref!r} not found")
    return exchange


async def order_lines(session: AsyncSession, line_ids: list[int]) -> dict[int, OrderLine]:
    """Order lines by id."""
    rows = await session.execute(select(OrderLine).where(OrderLine.id.in_(line_ids)))
    return {line.id: line for line in rows.scalars()}
