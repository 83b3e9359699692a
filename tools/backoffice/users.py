"""Staff users and their API keys; callers own the transaction.

Keys are stored only as their SHA-256 (ApiKey.hash_key); the raw key is returned once, when issued.
Deactivating a user revokes their keys in the same transaction, so the next request with one of them
is refused (tools/principals.principal_for_key checks both). The last active admin can be neither
deactivated nor demoted: the active admin rows are locked before they are counted, so two admins
removing each other at the same time cannot both succeed.
"""

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import ApiKey, StaffUser
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.errors import Conflict, NotFound


async def find_user(session: AsyncSession, ref: str) -> StaffUser:
    """A staff user by numeric id, username or email (NotFound otherwise)."""
    ref = ref.strip().removeprefix("staff:")
    criteria = [StaffUser.username == ref.lower(), StaffUser.email == ref.lower()]
    if ref.isdigit():
        criteria.append(StaffUser.id == int(ref))
    user = await session.scalar(select(StaffUser).where(or_(*criteria)).execution_options(populate_existing=True))
    if user is None:
        raise NotFound(f"staff user {ref!r} not found")
    return user


async def keys_of(session: AsyncSession, user_id: int) -> list[ApiKey]:
    """The user's keys, newest first."""
    rows = await session.execute(
        select(ApiKey).where(ApiKey.staff_user_id == user_id).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(rows.scalars())


async def list_users(session: AsyncSession, role: str | None, include_inactive: bool, limit: int,
                     offset: int) -> tuple[list[StaffUser], int]:
    """A page of staff users by username, with the total count."""
    criteria = [] if include_inactive else [StaffUser.active.is_(True)]
    if role:
        criteria.append(StaffUser.role == role)
    total = await session.scalar(select(func.count(StaffUser.id)).where(*criteria))
    rows = await session.execute(select(StaffUser).where(*criteria).order_by(StaffUser.username)
                                 .limit(limit).offset(offset))
    return list(rows.scalars()), total or 0


async def _unique(session: AsyncSession, username: str | None, email: str | None, skip: int | None = None) -> None:
    for column, value in ((StaffUser.username, username), (StaffUser.email, email)):
        if value is None:
            continue
        taken = await session.scalar(select(StaffUser.id).where(column == value, StaffUser.id != (skip or 0)))
        if taken is not None:
            raise Conflict(f"{column.key} {value!r} is already used by another staff user",
                           code=f"duplicate_{column.key}", details={"field": column.key})


async def create_user(ctx: ToolContext, username: str, full_name: str, email: str, role: Role) -> StaffUser:
    """A new active staff user (username and email unique)."""
    await _unique(ctx.session, username, email.lower())
    now = ctx.now()
    user = StaffUser(username=username, full_name=full_name.strip(), email=email.lower(), role=role, active=True,
                     created_at=now, updated_at=now)
    ctx.session.add(user)
    await ctx.session.flush()
    audit(ctx, "staff_user", str(user.id), "created", data={"username": username, "role": str(role)})
    emit(ctx, "staff_user.created", str(user.id), {"username": username, "role": str(role)})
    return user


async def issue_key(ctx: ToolContext, user: StaffUser, label: str) -> tuple[ApiKey, str]:
    """A new key for an active user: (stored row, raw key shown once)."""
    if not user.active:
        raise Conflict(f"staff user {user.username} is deactivated; reactivate them before issuing a key",
                       code="user_inactive")
    raw = ApiKey.generate()
    now = ctx.now()
    key = ApiKey(key_hash=ApiKey.hash_key(raw), prefix=raw[:12], label=label or f"key for {user.username}",
                 staff_user_id=user.id, created_at=now, updated_at=now)
    ctx.session.add(key)
    await ctx.session.flush()
    audit(ctx, "api_key", str(key.id), "issued", data={"staff_user_id": user.id, "prefix": key.prefix})
    emit(ctx, "api_key.issued", str(key.id), {"staff_user_id": user.id, "prefix": key.prefix})
    return key, raw


async def find_key(session: AsyncSession, user: StaffUser, key_id: int) -> ApiKey:
    """One of the user's keys by id (another user's key reads as not found)."""
    key = await session.scalar(select(ApiKey).where(ApiKey.staff_user_id == user.id, ApiKey.id == key_id))
    if key is None:
        raise NotFound(f"staff user {user.username} has no API key {key_id}")
    return key


async def revoke_key(ctx: ToolContext, key: ApiKey) -> None:
    """Revoke a working key (Conflict if it already is)."""
    if key.revoked_at is not None:
        raise Conflict(f"API key {key.prefix}... was already revoked", code="already_revoked")
    key.revoked_at = ctx.now()
    audit(ctx, "api_key", str(key.id), "revoked", data={"staff_user_id": key.staff_user_id})
    emit(ctx, "api_key.revoked", str(key.id), {"staff_user_id": key.staff_user_id})


async def _keep_an_admin(session: AsyncSession, user: StaffUser) -> None:
    """Refuse when the user is the only active admin (the admin rows stay locked until commit)."""
    admins = await session.scalars(
        select(StaffUser.id).where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True)).with_for_update()
    )
    others = [i for i in admins if i != user.id]
    if user.role == Role.ADMIN and user.active and not others:
        raise Conflict(f"{user.username} is the last active admin; make someone else admin first",
                       code="last_admin")


async def deactivate(ctx: ToolContext, user: StaffUser) -> int:
    """Deactivate the user and revoke every working key; returns how many keys were revoked."""
    if not user.active:
        raise Conflict(f"staff user {user.username} is already deactivated", code="user_inactive")
    await _keep_an_admin(ctx.session, user)
    result = await ctx.session.execute(
        update(ApiKey).where(ApiKey.staff_user_id == user.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=ctx.now()).execution_options(synchronize_session=False)
    )
    user.active = False
    audit(ctx, "staff_user", str(user.id), "deactivated", data={"revoked_keys": result.rowcount})
    emit(ctx, "staff_user.deactivated", str(user.id), {"username": user.username, "revoked_keys": result.rowcount})
    return result.rowcount


async def update_user(ctx: ToolContext, user: StaffUser, changes: dict) -> dict:
    """Apply name, email, role and reactivation changes; returns {field: [before, after]} of what changed."""
    if changes.get("role") and changes["role"] != user.role and user.role == Role.ADMIN:
        await _keep_an_admin(ctx.session, user)
    if "email" in changes:
        changes["email"] = changes["email"].lower()
        await _unique(ctx.session, None, changes["email"], skip=user.id)
    changed = {k: [str(getattr(user, k)), str(v)] for k, v in changes.items() if getattr(user, k) != v}
    for field, value in changes.items():
        setattr(user, field, value)
    if changed:
        audit(ctx, "staff_user", str(user.id), "updated", data=changed)
        emit(ctx, "staff_user.updated", str(user.id), {"username": user.username, "changed": sorted(changed)})
    return changed
