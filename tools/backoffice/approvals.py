"""The approval queue: tool calls held until a merchant or admin decides, then run once through the registry.

A producer (the refund tool) calls `hold_refund`; when the caller lacks authority it stores the tool name
and its exact arguments instead of running them. Approving locks the request row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite transactions are BEGIN IMMEDIATE, so they already run one at a time), checks it is still
pending, runs the tool as the approving staff member inside a savepoint of the same transaction, and records
the result: two approvals at once run the action exactly once, the second finds the request decided.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ApprovalStatus, Role
from db.models import ApprovalRequest, Payment
from tools.audit import audit, emit
from tools.config.catalogue import declare
from tools.config.service import value
from tools.context import ToolContext
from tools.errors import DomainError, Forbidden, InvalidTransition, NotFound
from tools.registry import REGISTRY
from tools.transitions import StateMachine

A = ApprovalStatus
CENT = Decimal("0.01")
APPROVALS = StateMachine("approval_request", {A.PENDING: {A.APPROVED, A.REJECTED, A.FAILED}})
# Who decides approvals, and who may refund any amount without one.
DECIDERS = frozenset({Role.MERCHANT, Role.ADMIN})
REFUND_THRESHOLD = declare(
    "approvals.refund_threshold", "number", 500,
    "Refunds above this amount (in the payment's currency, EUR in the shop) asked for by support staff or "
    "customers wait in the approval queue for a merchant or admin.", minimum=0,
)
PARTIAL_REFUND_PCT = declare(
    "approvals.partial_refund_pct", "number", 20,
    "A partial refund taking more than this percentage of the payment's captured amount, asked for by support "
    "staff or customers, waits in the approval queue for a merchant or admin.", minimum=0, maximum=100,
)


async def refund_hold_reason(ctx: ToolContext, amount: Decimal, captured: Decimal, left: Decimal) -> str | None:
    """Why a refund of `amount` needs approval for this caller, or None when they may refund it now."""
    if ctx.principal.role in DECIDERS:
        return None
    threshold = Decimal(str(await value(ctx.session, REFUND_THRESHOLD)))
    if amount > threshold:
        return f"refunds above {threshold} need a merchant or admin"
    pct = Decimal(str(await value(ctx.session, PARTIAL_REFUND_PCT)))
    if amount < left and amount * 100 > pct * captured:
        share = (amount * 100 / captured).quantize(Decimal("0.1"))
        return f"this partial refund takes {share}% of the {captured} captured; above {pct}% needs a merchant or admin"
    return None


async def hold_refund(ctx: ToolContext, payment: Payment, amount: Decimal | None,
                      reason: str) -> ApprovalRequest | None:
    """Hold a refund the caller may not make alone; None when it may run now (or its own guard will refuse it)."""
    left = payment.amount_captured - payment.amount_refunded
    requested = (amount or left).quantize(CENT)
    if left <= 0 or requested > left:
        return None
    why = await refund_hold_reason(ctx, requested, payment.amount_captured, left)
    if why is None:
        return None
    # The approver approves this exact payment and amount, whatever happens to the order meanwhile.
    arguments = {"payment_id": payment.id, "amount": str(requested), "reason": reason}
    facts = {"payment_id": payment.id, "amount": str(requested), "currency": payment.currency,
             "captured": str(payment.amount_captured), "already_refunded": str(payment.amount_refunded)}
    return await hold(ctx, kind="refund", subject=payment.order_id, tool_name="refund_payment",
                      arguments=arguments, reason=why, facts=facts)


async def hold(ctx: ToolContext, *, kind: str, subject: str, tool_name: str, arguments: dict[str, Any],
               reason: str, facts: dict[str, Any]) -> ApprovalRequest:
    """A pending request to run `tool_name(arguments)`; the same request asked again returns the pending one."""
    pending = await ctx.session.scalars(select(ApprovalRequest).where(
        ApprovalRequest.kind == kind, ApprovalRequest.subject == subject, ApprovalRequest.tool_name == tool_name,
        ApprovalRequest.requested_by == ctx.actor, ApprovalRequest.status == A.PENDING))
    if same := next((r for r in pending if r.arguments == arguments), None):
        return same
    now = ctx.now()
    row = ApprovalRequest(kind=kind, subject=subject, payload=facts, reason=reason, tool_name=tool_name,
                          arguments=arguments, status=A.PENDING, requested_by=ctx.actor, comment="",
                          created_at=now, updated_at=now)
    ctx.session.add(row)
    await ctx.session.flush()
    audit(ctx, "approval_request", str(row.id), "requested", to_state=A.PENDING,
          data={"kind": kind, "subject": subject, "tool": tool_name})
    emit(ctx, "approval_request.requested", str(row.id), {"kind": kind, "subject": subject, "tool": tool_name})
    return row


async def get(session: AsyncSession, approval_id: int, *, lock: bool = False) -> ApprovalRequest:
    """An approval request by id, read fresh (and locked for the transaction when `lock`)."""
    stmt = select(ApprovalRequest).where(ApprovalRequest.id == approval_id).execution_options(populate_existing=True)
    row = await session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound(f"approval request {approval_id} not found")
    return row


async def _decidable(ctx: ToolContext, approval_id: int) -> ApprovalRequest:
    ctx.require_staff(*DECIDERS)
    row = await get(ctx.session, approval_id, lock=True)
    if row.status != A.PENDING:
        raise InvalidTransition(f"approval request {row.id} is already {row.status}; it can be decided only once",
                                details={"from": str(row.status), "allowed": APPROVALS.targets(row.status)})
    return row


def _decided(ctx: ToolContext, row: ApprovalRequest, comment: str) -> None:
    row.decided_by, row.decided_at, row.comment = ctx.actor, ctx.now(), comment


async def approve(ctx: ToolContext, approval_id: int, comment: str) -> ApprovalRequest:
    """Approve a pending request: run its tool once as the approver and record the result (or the refusal)."""
    row = await _decidable(ctx, approval_id)
    spec = REGISTRY.get(row.tool_name)
    if not spec.allows(ctx.principal.role):
        raise Forbidden(f"{spec.name} is not available to the {ctx.principal.role} role")
    # A key of its own: the action's ledger rows are tied to this approval and can never be written twice.
    acting = ToolContext(session=ctx.session, principal=ctx.principal, idempotency_key=f"approval-{row.id}",
                         client_ip=ctx.client_ip, clock=ctx.clock)
    try:
        async with ctx.session.begin_nested():
            output = await spec.invoke(acting, row.arguments)
        row.result, target = {"ok": True, "output": output.model_dump(mode="json")}, A.APPROVED
    except DomainError as exc:
        row.result = {"ok": False, "error": {"code": exc.code, "message": exc.message, "details": exc.details}}
        target = A.FAILED
    _decided(ctx, row, comment)
    APPROVALS.move(ctx, row, target, data={"tool": row.tool_name, "comment": comment})
    return row


async def reject(ctx: ToolContext, approval_id: int, comment: str) -> ApprovalRequest:
    """Reject a pending request; its action never runs."""
    row = await _decidable(ctx, approval_id)
    _decided(ctx, row, comment)
    APPROVALS.move(ctx, row, A.REJECTED, data={"comment": comment})
    return row


async def list_requests(session: AsyncSession, status: str, kind: str | None, limit: int,
                        offset: int) -> tuple[list[ApprovalRequest], int]:
    """A page of approval requests, oldest first, with the total count."""
    criteria = [] if status == "all" else [ApprovalRequest.status == status]
    if kind:
        criteria.append(ApprovalRequest.kind == kind)
    total = await session.scalar(select(func.count(ApprovalRequest.id)).where(*criteria))
    rows = await session.scalars(select(ApprovalRequest).where(*criteria)
                                 .order_by(ApprovalRequest.created_at, ApprovalRequest.id).limit(limit).offset(offset))
    return list(rows), total or 0


def describe(row: ApprovalRequest) -> str:
    """The request in a sentence."""
    facts = row.payload or {}
    what = f"{row.kind} of {facts['amount']} {facts.get('currency', '')}".strip() if "amount" in facts else row.kind
    text = f"Approval request {row.id}: {what} on {row.subject}, asked by {row.requested_by} ({row.reason})"
    if row.status == A.PENDING:
        return f"{text}, waiting for a merchant or admin."
    outcome = {A.APPROVED: "approved and done", A.REJECTED: "rejected", A.FAILED: "approved, but the action failed"}
    error = (row.result or {}).get("error", {}).get("message")
    return f"{text}, {outcome[row.status]} by {row.decided_by}" + (f": {error}." if error else ".")
