"""Customer business logic; callers own the transaction."""

import random
import unicodedata
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import LoyaltyTier
from db.models import Address, Customer, Interaction, Order, PaymentMethod
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Ambiguous, Conflict, NotFound
from tools.schemas import Address as AddressIn

# Tier thresholds in points; one point is earned per whole euro of delivered orders.
TIER_THRESHOLDS: list[tuple[LoyaltyTier, int]] = [
    (LoyaltyTier.BRONZE, 0),
    (LoyaltyTier.SILVER, 500),
    (LoyaltyTier.GOLD, 2000),
    (LoyaltyTier.PLATINUM, 5000),
]
# Letters no European alphabet puts an accent on: the same in a name typed with or without its accents.
NEVER_ACCENTED = frozenset("bfhjkmpqvwx")
EARNING_RULES = [
    "1 point for every whole euro of a delivered order",
    "points are taken back when an order is refunded",
    "silver from 500 points, gold from 2,000, platinum from 5,000",
]


async def get_customer(session: AsyncSession, ref: str) -> Customer:
    """A customer by id, email (in any case) or full name (without case or accents: staff say "Chloe Dubois" of
    the customer on the phone). A name several customers share is ambiguous: their ids say which."""
    if "@" not in ref and " " in ref.strip():
        return await _by_full_name(session, ref)
    match = func.lower(Customer.email) == ref.lower() if "@" in ref else Customer.id == ref
    stmt = select(Customer).options(selectinload(Customer.addresses)).where(match)
    customer = (await session.execute(stmt)).scalar_one_or_none()
    if customer is None:
        raise NotFound(f"customer {ref!r} not found")
    return customer


async def _by_full_name(session: AsyncSession, name: str) -> Customer:
    wanted = " ".join(plain(name).split())
    # Names compare without accents, which SQL cannot do portably: narrow by the last word's letters that never
    # carry one (any one character for the others; "van der Berg" ends in it too), then compare here.
    shape = "%" + "".join(c if c in NEVER_ACCENTED else "_" for c in wanted.split()[-1])
    stmt = (select(Customer).options(selectinload(Customer.addresses))
            .where(func.lower(Customer.last_name).like(shape)).order_by(Customer.id))
    found = [c for c in (await session.execute(stmt)).scalars() if plain(f"{c.first_name} {c.last_name}") == wanted]
    if not found:
        raise NotFound(f"no customer named {name.strip()!r}; give their id or email address")
    if len(found) > 1:
        raise Ambiguous(f"{len(found)} customers are named {name.strip()!r}; say which by id or email",
                        details=[{"customer_id": c.id, "email": c.email} for c in found])
    return found[0]


async def get_visible_customer(ctx: ToolContext, ref: str | None) -> Customer:
    """The customer the caller asked for ("me" or nothing for oneself); customers see only themselves."""
    if ref == "me":
        ref = None
    if ctx.principal.is_customer:
        if ref is not None and ref not in (ctx.principal.subject, ctx.principal.display):
            raise NotFound(f"customer {ref!r} not found")
        return await get_customer(ctx.session, ctx.principal.subject)
    if ref is None:
        raise NotFound("say which customer: an id or an email address")
    return await get_customer(ctx.session, ref)


async def find_by_email(session: AsyncSession, email: str) -> Customer:
    """The customer with this email, case-insensitively."""
    return await get_customer(session, email)


def plain(name: str) -> str:
    """A name without case or accents ('Chloé' -> 'chloe')."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.strip().lower()) if not unicodedata.combining(c))


async def find_by_name_zip(session: AsyncSession, first: str, last: str, zip_code: str) -> Customer:
    """The one customer with this name whose default address has this postal code (as the retail benchmark).

    Names compare without case or accents: people type "Chloe" for Chloé.
    """
    stmt = (
        select(Customer)
        .join(Address)
        .where(Address.zip == zip_code, Address.is_default.is_(True))
        .distinct()
    )
    wanted = (plain(first), plain(last))
    found = [c for c in (await session.execute(stmt)).scalars() if (plain(c.first_name), plain(c.last_name)) == wanted]
    if not found:
        raise NotFound(f"no customer named {first} {last} with postal code {zip_code}")
    if len(found) > 1:
        raise Ambiguous("several customers match; ask for the email address", details=[c.id for c in found])
    return found[0]


async def list_customers(session: AsyncSession, query: str | None, limit: int, offset: int):
    """A page of customers matching the text, with the total count."""
    stmt = select(Customer)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Customer.email).like(like),
                func.lower(Customer.first_name + " " + Customer.last_name).like(like),
            )
        )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(Customer.id).limit(limit).offset(offset))
    return list(rows.scalars()), total or 0


async def new_customer_id(session: AsyncSession, first: str, last: str) -> str:
    """An id in the shop's style, first_last_NNNN, that no one has yet."""
    base = "_".join("".join(ch for ch in part.lower() if ch.isalnum()) or "x" for part in (first, last))
    rng = random.Random(f"{base}:{await session.scalar(select(func.count(Customer.id)))}")
    while True:
        candidate = f"{base}_{rng.randint(1000, 9999)}"
        if await session.get(Customer, candidate) is None:
            return candidate


async def create_customer(
    ctx: ToolContext, email: str, first: str, last: str, phone: str | None, address: AddressIn | None
) -> Customer:
    """Open an account; the email must be unused."""
    exists = await ctx.session.scalar(select(Customer.id).where(func.lower(Customer.email) == email.lower()))
    if exists:
        raise Conflict(f"a customer with email {email} already exists", code="duplicate_email")
    customer = Customer(
        id=await new_customer_id(ctx.session, first, last),
        email=email.lower(),
        first_name=first,
        last_name=last,
        phone=phone,
        created_at=ctx.now(),
    )
    customer.addresses = [Address(**address.model_dump(), is_default=True)] if address else []
    ctx.session.add(customer)
    try:
        await ctx.session.flush()
    except IntegrityError:
        raise Conflict(f"a customer with email {email} already exists", code="duplicate_email") from None
    audit(ctx, "customer", customer.id, "created")
    emit(ctx, "customer.created", customer.id, {"email": customer.email})
    return customer


async def update_customer(ctx: ToolContext, customer: Customer, changes: dict) -> None:
    """Apply profile changes; a new email must not belong to another account."""
    if "email" in changes:
        changes["email"] = changes["email"].lower()
        owner = await ctx.session.scalar(select(Customer.id).where(func.lower(Customer.email) == changes["email"]))
        if owner is not None and owner != customer.id:
            raise Conflict(f"email {changes['email']} belongs to another account", code="duplicate_email")
    for field, value in changes.items():
        setattr(customer, field, value)
    audit(ctx, "customer", customer.id, "updated", data={"fields": sorted(changes)})


def sorted_addresses(customer: Customer) -> list[Address]:
    """Addresses with the default first, then oldest first."""
    return sorted(customer.addresses, key=lambda a: (not a.is_default, a.id))


def add_address(ctx: ToolContext, customer: Customer, address: AddressIn, make_default: bool) -> Address:
    """Add an address; the first one or one asked for becomes the default."""
    make_default = make_default or not customer.addresses
    if make_default:
        for existing in customer.addresses:
            existing.is_default = False
    new = Address(**address.model_dump(), is_default=make_default)
    customer.addresses.append(new)
    audit(ctx, "customer", customer.id, "address_added", data={"default": make_default})
    return new


def replace_default_address(ctx: ToolContext, customer: Customer, address: AddressIn) -> Address:
    """Overwrite the default address in place (or create it when there is none)."""
    default = next((a for a in customer.addresses if a.is_default), None)
    if default is None:
        return add_address(ctx, customer, address, True)
    for field, value in address.model_dump().items():
        setattr(default, field, value)
    audit(ctx, "customer", customer.id, "default_address_changed")
    return default


def erase(ctx: ToolContext, customer: Customer) -> None:
    """Anonymise the account: personal data goes, orders stay for accounting."""
    if customer.erased_at is not None:
        raise Conflict(f"customer {customer.id} was already erased")
    customer.email = f"erased-{customer.id}@invalid.example"
    customer.first_name = "Erased"
    customer.last_name = "Customer"
    customer.phone = None
    customer.addresses.clear()
    customer.erased_at = ctx.now()
    audit(ctx, "customer", customer.id, "erased")
    emit(ctx, "customer.erased", customer.id, {})


async def deactivate_payment_methods(session: AsyncSession, customer_id: str) -> None:
    """Switch off every saved payment method of an erased customer."""
    for method in (
        await session.execute(select(PaymentMethod).where(PaymentMethod.customer_id == customer_id))
    ).scalars():
        method.active = False


def tier_for(points: int) -> LoyaltyTier:
    """The tier that a points balance reaches."""
    return [tier for tier, floor in TIER_THRESHOLDS if points >= floor][-1]


def next_tier(points: int) -> tuple[LoyaltyTier | None, int | None]:
    """The next tier and the points still missing for it."""
    for tier, floor in TIER_THRESHOLDS:
        if points < floor:
            return tier, floor - points
    return None, None


def award_points(ctx: ToolContext, customer: Customer, amount: Decimal, reason: str) -> int:
    """Add (or with a negative amount take back) points for money spent; returns the change."""
    delta = int(amount)
    customer.loyalty_points = max(0, customer.loyalty_points + delta)
    customer.loyalty_tier = tier_for(customer.loyalty_points)
    audit(ctx, "customer", customer.id, "loyalty_points", data={"delta": delta, "reason": reason})
    return delta


async def order_ids(session: AsyncSession, customer_id: str) -> list[str]:
    """The customer's order numbers, oldest first."""
    rows = await session.execute(
        select(Order.id).where(Order.customer_id == customer_id).order_by(Order.placed_at, Order.id)
    )
    return list(rows.scalars())


def log_interaction(
    ctx: ToolContext, customer: Customer, channel: str, kind: str, summary: str, order_id: str | None
) -> Interaction:
    """Record a contact with the customer, attributed to the calling staff member."""
    interaction = Interaction(
        customer_id=customer.id,
        channel=channel,
        kind=kind,
        summary=summary,
        order_id=order_id,
        staff_username=None if ctx.principal.is_customer else ctx.principal.subject,
        created_at=ctx.now(),
    )
    ctx.session.add(interaction)
    return interaction
