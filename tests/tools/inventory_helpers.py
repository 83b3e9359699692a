"""Builders and probes shared by the inventory tests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import func, select

from db.base import utcnow
from db.engine import unit_of_work
from db.models import StockLevel
from tests import factories as f
from tools.context import Principal, ToolContext


async def stocked(sessions, on_hand=(3, 5), allocated=None, **level_fields):
    """A two-variant keyboard (red 89.00, blue 94.00) and one warehouse per on_hand figure holding the red one."""
    product = await f.product(sessions)
    warehouses = [await f.warehouse(sessions) for _ in on_hand]
    for wh, units, held in zip(warehouses, on_hand, allocated or [0] * len(on_hand), strict=True):
        await f.stock(sessions, wh, product.variants[0], units, held, **level_fields)
    return product, product.variants[0], warehouses


async def level(sessions, warehouse, variant) -> StockLevel | None:
    """The stock row as committed."""
    async with sessions() as s:
        return await s.scalar(select(StockLevel).where(
            StockLevel.warehouse_id == warehouse.id, StockLevel.variant_id == variant.id))


async def units(sessions, warehouse, variant) -> tuple[int, int] | None:
    """(on_hand, allocated) of a stock row, None when there is none."""
    row = await level(sessions, warehouse, variant)
    return None if row is None else (row.on_hand, row.allocated)


async def count(sessions, model, *criteria) -> int:
    """How many rows of the model match."""
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*criteria))


async def rows(sessions, model, *criteria, order_by=None) -> list:
    """The matching rows of the model."""
    async with sessions() as s:
        stmt = select(model).where(*criteria).order_by(order_by if order_by is not None else model.id)
        return list((await s.execute(stmt)).scalars())


@asynccontextmanager
async def context(sessions, principal: Principal, at: datetime | None = None) -> AsyncIterator[ToolContext]:
    """A committed unit of work with a context whose clock is fixed at `at` (or the real clock)."""
    async with unit_of_work(sessions) as session:
        yield ToolContext(session=session, principal=principal, clock=(lambda: at) if at else utcnow)
