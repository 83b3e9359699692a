"""Builders for the documents tests: shipped orders with a carrier, a warehouse and a tracking number."""

import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from db.engine import unit_of_work
from db.enums import OrderStatus, ShipmentStatus
from db.models import Carrier, Customer, Order, PaymentMethod, Product, Shipment, Warehouse
from tests import factories as f

_tracking = itertools.count(1)


@dataclass
class Parcel:
    """An order of a customer, shipped in one parcel from a warehouse with a carrier."""

    customer: Customer
    card: PaymentMethod
    order: Order
    shipment: Shipment

    @property
    def tracking(self) -> str:
        return self.shipment.tracking_numbers[0]


async def carrier(sessions) -> Carrier:
    """The Colissimo carrier (created once per test)."""
    async with unit_of_work(sessions) as s:
        row = await s.get(Carrier, "colissimo")
        if row is None:
            row = Carrier(code="colissimo", name="Colissimo", tracking_prefix="6A", on_time_rate=Decimal("0.95"))
            s.add(row)
    return row


async def keyboard(sessions) -> Product:
    """A keyboard in two switches at 89.00 and 94.50 (VAT included)."""
    return await f.product(sessions, variants=[
        {"sku": f"KB-RED-{uuid.uuid4().hex[:4]}", "options": {"switch": "red"}, "price": Decimal("89.00")},
        {"sku": f"KB-BLUE-{uuid.uuid4().hex[:4]}", "options": {"switch": "blue"}, "price": Decimal("94.50")},
    ])


async def parcel(sessions, *, customer: Customer | None = None, product: Product | None = None,
                 status: OrderStatus = OrderStatus.DELIVERED, shipping: str = "5.50",
                 shipment_status: ShipmentStatus = ShipmentStatus.DELIVERED,
                 warehouse: Warehouse | None = None) -> Parcel:
    """A paid order of one red and two blue keyboards plus shipping, with its shipment."""
    customer = customer or await f.customer(sessions, first="Chloé", last="Dubois")
    card = await f.payment_method(sessions, customer)
    product = product or await keyboard(sessions)
    order = await f.order(sessions, customer, [(product.variants[0], 1), (product.variants[1], 2)], card, status)
    warehouse = warehouse or await f.warehouse(sessions, address={"address1": "12 Rue de la Chapelle",
                                                                  "city": "Paris", "zip": "75018"})
    await carrier(sessions)
    async with unit_of_work(sessions) as s:
        row = await s.get(Order, order.id)
        row.shipping_cost = Decimal(shipping)
        row.total = row.subtotal + row.shipping_cost
        shipment = Shipment(id=str(uuid.uuid4()), order_id=order.id, carrier_code="colissimo",
                            warehouse_id=warehouse.id, tracking_numbers=[f"6A{1770000000 + next(_tracking)}01"],
                            item_ids=[v.id for v in product.variants], status=shipment_status,
                            weight_kg=Decimal("2.40"))
        s.add(shipment)
    order.shipping_cost, order.total = Decimal(shipping), order.subtotal + Decimal(shipping)
    return Parcel(customer, card, order, shipment)
