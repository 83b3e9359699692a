"""Who is calling and with which transaction: the run context every tool receives."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from tools.errors import Forbidden, NotFound

STAFF_ROLES = frozenset({Role.SUPPORT, Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN})
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a customer (by id) or a staff user (by username) with a role.

    `system` marks Shopcrew's own background work (event handlers): it acts with the admin role
    and audit rows name it `system:<what>`, never a person.
    """

    role: Role
    subject: str
    display: str
    system: bool = False

    @property
    def is_customer(self) -> bool:
        """True for a shop customer, False for staff."""
        return self.role is Role.CUSTOMER

    @property
    def label(self) -> str:
        """customer:<email>, staff:<username> or system:<what>, as the CLI, run records and audit rows write it."""
        kind = "system" if self.system else "customer" if self.is_customer else "staff"
        return f"{kind}:{self.display}"


@dataclass
class ToolContext:
    """What a tool may use besides its arguments: the session, the principal and a clock."""

    session: AsyncSession
    principal: Principal
    idempotency_key: str | None = None
    # Where the request came from (REST: the connection's address), for fraud screening; never from arguments.
    client_ip: str | None = None
    clock: Callable[[], datetime] = field(default=utcnow)
    # Rows that must be written even when the call fails and its transaction rolls back (see keep_on_rollback).
    lasting: list[Any] = field(default_factory=list)

    @property
    def actor(self) -> str:
        """The principal's label, written into audit rows."""
        return self.principal.label

    def now(self) -> datetime:
        """The current time from the context's clock (tests may fix it)."""
        return self.clock()

    def keep_on_rollback(self, row: Any) -> None:
        """Add a row that is written whether the call succeeds or fails (e.g. the check of a refused order).

        On success it commits with everything else; on failure the runner writes a copy of it in a fresh
        transaction after the rollback, so it must not refer to rows created by this call.
        """
        self.session.add(row)
        self.lasting.append(row)

    def require_staff(self, *roles: Role) -> None:
        """Refuse unless the caller is staff (with one of the roles, when given)."""
        allowed = frozenset(roles) or STAFF_ROLES
        if self.principal.role not in allowed:
            raise Forbidden(f"this action needs one of the roles: {', '.join(sorted(allowed))}")

    def customer_scope(self, requested: str | None) -> str | None:
        """The customer id a query may touch: customers only ever reach themselves."""
        if not self.principal.is_customer:
            return requested
        if requested is not None and requested != self.principal.subject:
            raise NotFound(f"customer {requested!r} not found")
        return self.principal.subject

    def check_owner(self, customer_id: str, what: str) -> None:
        """Refuse a customer access to another customer's record, without revealing it exists."""
        if self.principal.is_customer and customer_id != self.principal.subject:
            raise NotFound(f"{what} not found")
