"""Builders and counters shared by the product and warehouse tests."""

from decimal import Decimal

from sqlalchemy import func, select

from db.engine import unit_of_work
from db.models import Category, Product
from tests import factories as f
from tools.runner import execute


async def run(sessions, principal, tool: str, args: dict):
    """Run a tool whose arguments include `name` (which the `call` fixture takes for the tool name)."""
    return await execute(sessions, principal, tool, args)


async def count(sessions, model, *where) -> int:
    """Rows of a model (matching the conditions)."""
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def category(sessions, name: str, parent: Category | None = None) -> Category:
    """A category row."""
    row = Category(name=name, slug=name.lower().replace(" ", "-"), parent_id=parent.id if parent else None)
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


def shirt_variant(sku: str, color: str, size: str, price: str, **extra) -> dict:
    """A T-Shirt variant spec for factories.product."""
    options = {"color": color, "size": size, "material": "cotton"}
    return {"sku": sku, "options": options, "price": Decimal(price), **extra}


async def tshirt(sessions, category_id: int | None = None, name: str = "T-Shirt", prefix: str = "TS",
                 **fields) -> Product:
    """A T-Shirt in blue M, blue L and black M (the last unavailable)."""
    return await f.product(
        sessions, name=name, brand="Cotton Co", category_id=category_id,
        description="Soft organic cotton tee", variants=[
            shirt_variant(f"{prefix}-BLUE-M", "blue", "M", "20.00", cost=Decimal("8.00")),
            shirt_variant(f"{prefix}-BLUE-L", "blue", "L", "22.00", cost=Decimal("9.00")),
            shirt_variant(f"{prefix}-BLACK-M", "black", "M", "25.00", available=False),
        ], **fields,
    )
