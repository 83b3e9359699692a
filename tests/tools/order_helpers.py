"""Builders for the order tests: a small shop with stock, a customer with a card and a gift card."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from db.enums import PaymentMethodKind
from db.models import (
    Customer,
    Order,
    PaymentMethod,
    PaymentTransaction,
    Product,
    StockLevel,
    StockReservation,
)
from tests import factories as f


@dataclass
class Shop:
    """One customer with a card and a gift card, a keyboard in three switches, stock in one warehouse."""

    customer: Customer
    card: PaymentMethod
    gift: PaymentMethod
    keyboard: Product
    mug: Product

    @property
    def red(self):
        return self.keyboard.variants[0]

    @property
    def blue(self):
        return self.keyboard.variants[1]

    @property
    def green(self):
        return self.keyboard.variants[2]


async def shop(sessions, *, stock: int = 10, gift_balance: str = "500.00") -> Shop:
    """Build the shop; every variant gets `stock` units on hand."""
    customer = await f.customer(sessions)
    card = await f.payment_method(sessions, customer)
    gift = await f.payment_method(sessions, customer, PaymentMethodKind.GIFT_CARD, balance=gift_balance)
    keyboard = await f.product(sessions, variants=[
        {"sku": "KB-RED", "options": {"switch": "red"}, "price": Decimal("89.00")},
        {"sku": "KB-BLUE", "options": {"switch": "blue"}, "price": Decimal("94.50")},
        {"sku": "KB-GREEN", "options": {"switch": "green"}, "price": Decimal("120.00")},
    ])
    mug = await f.product(sessions, name="Mug", variants=[
        {"sku": "MUG-W", "options": {"color": "white"}, "price": Decimal("12.00")},
    ])
    warehouse = await f.warehouse(sessions)
    for variant in [*keyboard.variants, *mug.variants]:
        await f.stock(sessions, warehouse, variant, on_hand=stock)
    return Shop(customer, card, gift, keyboard, mug)


async def allocated(sessions, variant) -> tuple[int, int]:
    """(on_hand, allocated) of a variant over all warehouses."""
    async with sessions() as s:
        row = (await s.execute(
            select(func.sum(StockLevel.on_hand), func.sum(StockLevel.allocated)).where(
                StockLevel.variant_id == variant.id)
        )).one()
    return int(row[0] or 0), int(row[1] or 0)


async def balance(sessions, method) -> Decimal:
    """A payment method's current balance."""
    async with sessions() as s:
        return (await s.get(PaymentMethod, method.id)).balance


async def snapshot(sessions, order_id: str, *methods) -> dict:
    """What a refusal must leave untouched: the order row and lines, its ledger, reservations, balances."""
    async with sessions() as s:
        order = await s.get(Order, order_id)
        await s.refresh(order, ["lines"])
        ledger = (await s.execute(
            select(PaymentTransaction.kind, PaymentTransaction.amount, PaymentTransaction.method_id)
            .where(PaymentTransaction.order_id == order_id).order_by(PaymentTransaction.id)
        )).all()
        holds = (await s.execute(
            select(StockReservation.variant_id, StockReservation.quantity, StockReservation.status)
            .where(StockReservation.order_id == order_id).order_by(StockReservation.id)
        )).all()
        stock = select(StockLevel.variant_id, StockLevel.allocated).order_by(StockLevel.id)
        levels = (await s.execute(stock)).all()
        balances = [(await s.get(PaymentMethod, m.id)).balance for m in methods]
        return {
            "order": (order.status, order.items_modified, order.shipping_address, order.total,
                      order.cancel_reason),
            "lines": [(ln.variant_id, ln.unit_price, ln.options, ln.quantity, ln.quantity_allocated)
                      for ln in order.lines],
            "ledger": ledger, "holds": holds, "levels": levels, "balances": balances,
        }
