"""Support cases are customer interactions of kind support_case or complaint; callers own the transaction."""

from sqlalchemy import func, select

from db.models import Interaction
from tools.audit import audit, emit
from tools.context import ToolContext
from tools.customer import service as customers
from tools.errors import Conflict, InvalidInput, NotFound
from tools.order.service import get_visible_order
from tools.support import rules
from tools.support.schemas import CaseOut, OpenCaseIn

CASE_KINDS = ("support_case", "complaint")
PREFIX = "CASE-"


def case_number(case: Interaction) -> str:
    """The number people quote, e.g. CASE-000123."""
    return f"{PREFIX}{case.id:06d}"


def to_out(case: Interaction) -> CaseOut:
    """A case as the tools answer it."""
    steps = rules.next_steps(case.topic or "other", case.created_at) if case.status == "open" else ""
    return CaseOut(case_id=case_number(case), customer_id=case.customer_id, topic=case.topic or "other",
                   summary=case.summary, order_id=case.order_id, status=case.status, queue=case.queue or "support",
                   opened_at=case.created_at, answer_by=case.due_at, next_steps=steps, resolution=case.resolution)


async def open_case(ctx: ToolContext, params: OpenCaseIn, channel: str = "chat") -> Interaction:
    """Open a case in the right queue with its answer-by time; customers only for themselves. `channel`: where the
    person asked (a chat, or the phone call or email staff log)."""
    order = await get_visible_order(ctx, params.order_id) if params.order_id else None
    ref = params.customer_id or (order.customer_id if order and not ctx.principal.is_customer else None)
    if not ctx.principal.is_customer and ref is None:
        raise InvalidInput("say which customer the case is for (customer_id or order_id)",
                           details=[{"field": "customer_id", "problem": "required for staff"}])
    customer = await customers.get_visible_customer(ctx, ref)
    if order is not None and order.customer_id != customer.id:
        raise InvalidInput(f"order {order.id} is not {customer.email}'s",
                           details=[{"field": "order_id", "problem": "belongs to another customer"}])
    now = ctx.now()
    case = Interaction(customer_id=customer.id, channel=channel,
                       kind="complaint" if params.topic == "complaint" else "support_case",
                       summary=params.summary, order_id=order.id if order else None,
                       staff_username=None if ctx.principal.is_customer else ctx.principal.subject,
                       status="open", topic=params.topic, queue=str(rules.QUEUES[params.topic]),
                       due_at=rules.answer_by(params.topic, now), created_at=now, updated_at=now)
    ctx.session.add(case)
    await ctx.session.flush()
    audit(ctx, "support_case", case_number(case), "opened", to_state="open", data={"topic": params.topic})
    emit(ctx, "support_case.opened", case_number(case),
         {"customer_id": customer.id, "topic": params.topic, "queue": case.queue})
    return case


async def get_case(ctx: ToolContext, ref: str) -> Interaction:
    """A case by number or id; customers only their own (another's reads as not found)."""
    digits = ref.strip().upper().removeprefix(PREFIX).lstrip("#")
    case = await ctx.session.get(Interaction, int(digits)) if digits.isdigit() else None
    if case is None or case.kind not in CASE_KINDS:
        raise NotFound(f"support case {ref!r} not found")
    ctx.check_owner(case.customer_id, f"support case {ref!r}")
    return case


def close_case(ctx: ToolContext, case: Interaction, resolution: str) -> None:
    """Close an open case with how it was settled."""
    if case.status != "open":
        raise Conflict(f"support case {case_number(case)} is already {case.status}", code="invalid_status")
    case.status, case.resolution, case.updated_at = "closed", resolution, ctx.now()
    audit(ctx, "support_case", case_number(case), "closed", from_state="open", to_state="closed")
    emit(ctx, "support_case.closed", case_number(case), {"customer_id": case.customer_id})


async def list_cases(ctx: ToolContext, status: str | None, queue: str | None, limit: int) -> tuple[list, int]:
    """Cases newest first: a customer's own, or staff's view of every queue (or one)."""
    where = [Interaction.kind.in_(CASE_KINDS)]
    if ctx.principal.is_customer:
        where.append(Interaction.customer_id == ctx.principal.subject)
    elif queue:
        where.append(Interaction.queue == queue)
    if status:
        where.append(Interaction.status == status)
    total = await ctx.session.scalar(select(func.count(Interaction.id)).where(*where)) or 0
    rows = await ctx.session.execute(
        select(Interaction).where(*where).order_by(Interaction.created_at.desc(), Interaction.id.desc()).limit(limit))
    return list(rows.scalars()), total
