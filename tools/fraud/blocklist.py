"""The blocklist: block and unblock emails, IPs, customers and payment methods, with optional expiry."""

import ipaddress
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import BlockedKind
from db.models import BlockedEntity, Customer, PaymentMethod
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.customer import service as customers
from tools.errors import InvalidInput, NotFound

K = BlockedKind


def active(now: datetime) -> ColumnElement[bool]:
    """Entries that count at `now`: not unblocked and not past their expiry."""
    return and_(BlockedEntity.unblocked_at.is_(None),
                or_(BlockedEntity.expires_at.is_(None), BlockedEntity.expires_at > now))


def status_of(entry: BlockedEntity, now: datetime) -> str:
    """active, expired or unblocked."""
    if entry.unblocked_at is not None:
        return "unblocked"
    return "expired" if entry.expires_at is not None and entry.expires_at <= now else "active"


async def blocked_kind(session: AsyncSession, now: datetime, pairs: list[tuple[BlockedKind, str | None]]) -> str | None:
    """The kind of the first (kind, value) pair on the active blocklist (values compared case-insensitively)."""
    for kind, value in pairs:
        if not value:
            continue
        stmt = select(BlockedEntity.id).where(
            BlockedEntity.kind == kind, func.lower(BlockedEntity.value) == value.lower(), active(now))
        if await session.scalar(stmt.limit(1)) is not None:
            return str(kind)
    return None


def canonical_ip(value: str) -> str:
    """An IPv4 or IPv6 address in its standard form, or InvalidInput naming the field."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an IP address",
                           details=[{"field": "ip", "problem": "not an IPv4 or IPv6 address"}]) from None


async def canonical(session: AsyncSession, kind: BlockedKind, value: str) -> str:
    """The value as the blocklist stores it: lower-case email, standard IP, existing customer or method id."""
    if kind == K.EMAIL:
        return value.strip().lower()
    if kind == K.IP:
        return canonical_ip(value)
    if kind == K.CUSTOMER:
        return (await customers.get_customer(session, value)).id
    if await session.get(PaymentMethod, value) is None:
        raise NotFound(f"payment method {value!r} not found")
    return value


async def find(session: AsyncSession, kind: BlockedKind, value: str) -> BlockedEntity | None:
    """The entry of that kind and value, whatever its status."""
    stmt = select(BlockedEntity).where(BlockedEntity.kind == kind, func.lower(BlockedEntity.value) == value.lower())
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def block(ctx: ToolContext, kind: BlockedKind, raw: str, reason: str,
                expires_at: datetime | None) -> tuple[BlockedEntity, bool]:
    """Block a value (or renew its entry); returns the entry and whether it was already active."""
    now = ctx.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("the expiry must be in the future", details=[{"field": "expires_at", "problem": "past"}])
    value = await canonical(ctx.session, kind, raw)
    entry = await find(ctx.session, kind, value)
    was_active = entry is not None and status_of(entry, now) == "active"
    if entry is None:
        # Insert-or-nothing, so two people blocking the same value at once end with one entry, not an error.
        insert = pg_insert if ctx.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await ctx.session.execute(insert(BlockedEntity).values(
            kind=kind, value=value, reason=reason, blocked_by=ctx.actor, created_at=now,
        ).on_conflict_do_nothing(index_elements=["kind", "value"]))
        entry = await find(ctx.session, kind, value)
    entry.reason, entry.blocked_by, entry.created_at = reason, ctx.actor, now
    entry.unblocked_at, entry.expires_at = None, expires_at
    await ctx.session.flush()
    facts = {"kind": str(kind), "value": value, "expires_at": expires_at.isoformat() if expires_at else None}
    action = "renewed" if was_active else "blocked"
    audit(ctx, "blocked_entity", str(entry.id), action, data={**facts, "reason": reason})
    emit(ctx, "blocked_entity.blocked", str(entry.id), facts)
    return entry, was_active


async def unblock(ctx: ToolContext, kind: BlockedKind, raw: str, reason: str) -> BlockedEntity:
    """Lift an active block; a value that is not (or no longer) blocked reads as not found."""
    value = await canonical(ctx.session, kind, raw)
    entry = await find(ctx.session, kind, value)
    if entry is None or status_of(entry, ctx.now()) != "active":
        raise NotFound(f"{kind} {value} is not on the blocklist")
    entry.unblocked_at = ctx.now()
    facts = {"kind": str(kind), "value": entry.value}
    audit(ctx, "blocked_entity", str(entry.id), "unblocked", data={**facts, "reason": reason})
    emit(ctx, "blocked_entity.unblocked", str(entry.id), facts)
    return entry


async def entries(session: AsyncSession, now: datetime, *, kind: BlockedKind | None, include_inactive: bool,
                  limit: int, offset: int) -> tuple[list[BlockedEntity], int]:
    """A page of blocklist entries, newest first, with the count of matches (active ones only by default)."""
    stmt = select(BlockedEntity)
    if kind is not None:
        stmt = stmt.where(BlockedEntity.kind == kind)
    if not include_inactive:
        stmt = stmt.where(active(now))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(BlockedEntity.created_at.desc(), BlockedEntity.id.desc()).limit(limit).offset(offset)
    return list((await session.execute(page)).scalars()), total or 0


async def entries_about(session: AsyncSession, now: datetime, customer: Customer) -> list[BlockedEntity]:
    """Active entries that block this customer: their email, their account or one of their payment methods."""
    methods = select(PaymentMethod.id).where(PaymentMethod.customer_id == customer.id)
    stmt = select(BlockedEntity).where(active(now), or_(
        and_(BlockedEntity.kind == K.EMAIL, func.lower(BlockedEntity.value) == customer.email.lower()),
        and_(BlockedEntity.kind == K.CUSTOMER, BlockedEntity.value == customer.id),
        and_(BlockedEntity.kind == K.CARD, BlockedEntity.value.in_(methods)),
    )).order_by(BlockedEntity.created_at.desc())
    return list((await session.execute(stmt)).scalars())
