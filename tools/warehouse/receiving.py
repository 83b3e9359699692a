"""Receiving inbound goods: receipt movements that carry the purchase reference a quality inspection can cite."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import MovementKind
from db.models import Product, ProductVariant, StockLevel, StockMovement, Warehouse
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput
from tools.inventory.movements import record_movement


async def supplier_of(session: AsyncSession, variant: ProductVariant) -> str:
    """The supplier of the product received, or InvalidInput asking who delivered it."""
    name = await session.scalar(select(Product.supplier).where(Product.id == variant.product_id))
    if not name:
        raise InvalidInput("say who delivered the goods (supplier)",
                           details=[{"field": "supplier", "problem": "missing"}])
    return name


async def receive(ctx: ToolContext, warehouse: Warehouse, supplier: str, reference: str, variant: ProductVariant,
                  quantity: int) -> tuple[StockMovement, int]:
    """Book delivered units into stock as a receipt movement referenced by the purchase order; returns it and
    the units now on hand."""
    if not warehouse.active:
        raise Conflict(f"warehouse {warehouse.code} is deactivated; receive the goods elsewhere",
                       code="warehouse_inactive")
    move = await record_movement(ctx, warehouse, variant, MovementKind.RECEIPT, quantity, reference,
                                 f"received from {supplier}")
    on_hand = await ctx.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.warehouse_id == warehouse.id, StockLevel.variant_id == variant.id))
    facts = {"warehouse_id": warehouse.id, "supplier": supplier, "reference": reference, "variant_id": variant.id,
             "product_id": variant.product_id, "quantity": str(quantity), "movement_id": str(move.id)}
    audit(ctx, "receipt", reference, "received", data=facts)
    emit(ctx, "receipt.received", reference, facts)
    return move, int(on_hand or 0)
