"""Receiving inbound goods: receipt movements that carry the purchase reference a quality inspection can cite."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MovementKind
from db.models import Product, ProductVariant, StockMovement, Warehouse
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput
from tools.inventory.movements import record_movement


async def supplier_of(session: AsyncSession, variants: list[ProductVariant]) -> str:
    """The one supplier of the products received, or InvalidInput asking who delivered them."""
    names = set((await session.execute(select(Product.supplier).where(
        Product.id.in_({v.product_id for v in variants})))).scalars()) - {""}
    if len(names) != 1:
        raise InvalidInput("say who delivered the goods (supplier)" + (f": one of {', '.join(sorted(names))}"
                                                                        if names else ""),
                           details=[{"field": "supplier", "problem": "missing"}])
    return names.pop()


async def receive(ctx: ToolContext, warehouse: Warehouse, supplier: str, reference: str,
                  lines: list[tuple[ProductVariant, int]]) -> list[StockMovement]:
    """Book the delivered units into stock: one receipt movement per line, referenced by the purchase order."""
    if not warehouse.active:
        raise Conflict(f"warehouse {warehouse.code} is deactivated; receive the goods elsewhere",
                       code="warehouse_inactive")
    note = f"received from {supplier}"
    moves = [await record_movement(ctx, warehouse, variant, MovementKind.RECEIPT, quantity, reference, note)
             for variant, quantity in lines]
    facts = {"warehouse_id": warehouse.id, "supplier": supplier, "reference": reference,
             "lines": [{"variant_id": m.variant_id, "quantity": str(m.quantity), "movement_id": str(m.id)}
                       for m in moves]}
    audit(ctx, "receipt", reference, "received", data=facts)
    emit(ctx, "receipt.received", reference, facts)
    return moves
