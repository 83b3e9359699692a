"""Authenticated principals: from an API key (REST) or a `customer:<email>` / `staff:<username>` label (CLI)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import ApiKey, Customer, StaffUser
from db.seed.keys import demo_key
from tools.context import Principal
from tools.errors import Unauthorized


def principal_of_customer(customer: Customer) -> Principal:
    """The principal a customer acts as."""
    return Principal(role=Role.CUSTOMER, subject=customer.id, display=customer.email)


def principal_of_staff(user: StaffUser) -> Principal:
    """The principal a staff user acts as."""
    return Principal(role=Role(user.role), subject=user.username, display=user.username)


def system_principal(what: str) -> Principal:
    """Shopcrew itself doing background work (`what`, e.g. an event handler's name), with admin rights."""
    return Principal(role=Role.ADMIN, subject=f"system:{what}", display=what, system=True)


async def principal_for_key(session: AsyncSession, key: str) -> Principal:
    """Resolve a bearer key to its principal, refusing unknown, revoked or orphaned keys."""
    row = await session.scalar(select(ApiKey).where(ApiKey.key_hash == ApiKey.hash_key(key)))
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked API key")
    if row.customer_id:
        customer = await session.get(Customer, row.customer_id)
        if customer and customer.erased_at is None:
            return principal_of_customer(customer)
    elif row.staff_user_id:
        user = await session.get(StaffUser, row.staff_user_id)
        if user and user.active:
            return principal_of_staff(user)
    raise Unauthorized("the account behind this API key is no longer active")


async def principal_for_label(session: AsyncSession, label: str) -> Principal:
    """Resolve `customer:<email>` or `staff:<username>` (the CLI's --as), refusing unknown ones."""
    kind, _, name = label.partition(":")
    if kind == "customer" and name:
        stmt = select(Customer).where(Customer.email == name.lower(), Customer.erased_at.is_(None))
        customer = await session.scalar(stmt)
        if customer:
            return principal_of_customer(customer)
    elif kind == "staff" and name:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == name, StaffUser.active.is_(True)))
        if user:
            return principal_of_staff(user)
    raise Unauthorized(f"unknown principal {label!r}: use customer:<email> or staff:<username>")


@dataclass(frozen=True)
class Persona:
    """A demo principal someone may try the shop as: who, in which role, and its (public) demo key."""

    principal: str
    name: str
    role: Role
    key: str


async def demo_personas(session: AsyncSession) -> list[Persona]:
    """The principals `shopcrew seed` gave a demo key, customers first; empty in a shop it never seeded.

    A key is listed only when it is exactly the public one the seed derives from the principal's name
    (checked against the stored hash): keys people create are never listed, whatever their label.
    """
    rows = await session.scalars(select(ApiKey).where(ApiKey.label.startswith("demo "), ApiKey.revoked_at.is_(None)))
    personas = []
    for row in rows:
        key = demo_key(row.label.removeprefix("demo "))
        if row.key_hash != ApiKey.hash_key(key):
            continue
        try:
            principal = await principal_for_key(session, key)
        except Unauthorized:  # the account was erased or deactivated since the seed
            continue
        personas.append(Persona(principal.label, await _display_name(session, row), principal.role, key))
    return sorted(personas, key=lambda p: (p.role is not Role.CUSTOMER, p.principal))


async def _display_name(session: AsyncSession, row: ApiKey) -> str:
    if row.customer_id:
        customer = await session.get(Customer, row.customer_id)
        return f"{customer.first_name} {customer.last_name}"
    return (await session.get(StaffUser, row.staff_user_id)).full_name
