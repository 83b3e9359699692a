"""Small builders that put exactly the rows a test needs into the database."""

import itertools
import uuid
from decimal import Decimal

from db.base import utcnow
from db.engine import unit_of_work
from db.enums import (
    OrderStatus,
    PaymentMethodKind,
    PaymentStatus,
    Role,
    TransactionKind,
    TransactionResult,
)
from db.models import (
    Address,
    ApiKey,
    Customer,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
    PaymentTransaction,
    Product,
    ProductVariant,
    StaffUser,
    StockLevel,
    Warehouse,
)
from tools.context import Principal

_seq = itertools.count(1000)


def principal_of(customer: Customer) -> Principal:
    """The principal a customer row acts as."""
    return Principal(role=Role.CUSTOMER, subject=customer.id, display=customer.email)


async def customer(sessions, first="Ava", last="Martin", email=None, zip_code="75011", **fields) -> Customer:
    """A customer with one default address."""
    n = next(_seq)
    row = Customer(
        id=f"{first.lower()}_{last.lower()}_{n}",
        email=email or f"{first.lower()}.{last.lower()}{n}@example.com",
        first_name=first,
        last_name=last,
        **fields,
    )
    row.addresses = [Address(address1=f"{n} Rue de Rivoli", city="Paris", country="FR", zip=zip_code, is_default=True)]
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def staff_user(sessions, role: Role, username: str | None = None) -> StaffUser:
    """A staff user with the role."""
    username = username or f"{role}{next(_seq)}"
    row = StaffUser(username=username, full_name=username.title(), email=f"{username}@shop.example", role=role)
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def product(sessions, name="Mechanical Keyboard", variants=None, brand="Clacky", **fields) -> Product:
    """A product with variants given as dicts of sku, options, price (and optional weight_kg, available)."""
    n = next(_seq)
    variants = variants or [
        {"sku": f"KB-{n}-RED", "options": {"switch": "red"}, "price": Decimal("89.00")},
        {"sku": f"KB-{n}-BLUE", "options": {"switch": "blue"}, "price": Decimal("94.00")},
    ]
    row = Product(id=f"{n:010d}", name=name, brand=brand, **fields)
    row.variants = [
        ProductVariant(id=f"{n}{i:04d}", position=i, **{"price": Decimal("10.00"), **v}) for i, v in enumerate(variants)
    ]
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def warehouse(sessions, code=None, **fields) -> Warehouse:
    """A warehouse."""
    code = code or f"WH{next(_seq)}"
    row = Warehouse(code=code, name=f"Warehouse {code}", **fields)
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def stock(sessions, wh: Warehouse, variant: ProductVariant, on_hand: int, allocated: int = 0, **fields):
    """A stock level of a variant in a warehouse."""
    row = StockLevel(warehouse_id=wh.id, variant_id=variant.id, on_hand=on_hand, allocated=allocated, **fields)
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


async def payment_method(sessions, owner: Customer, kind=PaymentMethodKind.CREDIT_CARD, balance=None) -> PaymentMethod:
    """A saved payment method; gift cards get a balance."""
    n = next(_seq)
    row = PaymentMethod(
        id=f"{kind}_{n}",
        customer_id=owner.id,
        kind=kind,
        brand="visa" if kind == PaymentMethodKind.CREDIT_CARD else None,
        last_four="4242" if kind == PaymentMethodKind.CREDIT_CARD else None,
        balance=Decimal(str(balance)) if balance is not None else None,
    )
    async with unit_of_work(sessions) as s:
        s.add(row)
    return row


DELIVERED_LIKE = {OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.EXCHANGE_REQUESTED}


async def order(sessions, owner: Customer, items, method: PaymentMethod, status=OrderStatus.PENDING,
                delivered_at=None) -> Order:
    """An order of (variant, quantity) items, paid in full on `method` (one sale transaction); a delivered
    one (also in return or exchange) was delivered at `delivered_at`, by default now, every unit shipped."""
    n = next(_seq)
    delivered = status in DELIVERED_LIKE
    row = Order(
        id=f"#W{n:07d}",
        customer_id=owner.id,
        status=status,
        delivered_at=(delivered_at or utcnow()) if delivered else None,
        shipping_address={
            "address1": "1 Rue de Rivoli",
            "address2": "",
            "city": "Paris",
            "state": "",
            "country": "FR",
            "zip": "75001",
        },
    )
    total = Decimal("0")
    for position, (variant, quantity) in enumerate(items):
        row.lines.append(
            OrderLine(
                position=position,
                product_id=variant.product_id,
                variant_id=variant.id,
                sku=variant.sku,
                name=f"Product {variant.product_id}",
                options=variant.options,
                unit_price=variant.price,
                quantity=quantity,
                quantity_shipped=quantity if delivered else 0,
            )
        )
        total += variant.price * quantity
    row.subtotal = row.total = total
    payment = Payment(
        id=str(uuid.uuid4()),
        order_id=row.id,
        method_id=method.id,
        status=PaymentStatus.CAPTURED,
        amount_authorized=total,
        amount_captured=total,
    )
    payment.transactions.append(
        PaymentTransaction(
            order_id=row.id,
            method_id=method.id,
            kind=TransactionKind.SALE,
            result=TransactionResult.SUCCESS,
            amount=total,
            gateway_reference=f"sbx_{n}",
        )
    )
    async with unit_of_work(sessions) as s:
        s.add(row)
        await s.flush()
        s.add(payment)
    return row


async def api_key(sessions, *, owner: Customer | None = None, staff: StaffUser | None = None) -> str:
    """A bearer key for a customer or a staff user; returns the raw key."""
    key = ApiKey.generate()
    row = ApiKey(
        key_hash=ApiKey.hash_key(key),
        prefix=key[:8],
        customer_id=owner.id if owner else None,
        staff_user_id=staff.id if staff else None,
    )
    async with unit_of_work(sessions) as s:
        s.add(row)
    return key
