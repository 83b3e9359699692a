"""The approval queue: large refunds by support wait; approving runs them once, as the approver, even in a race."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import ApprovalStatus, PaymentStatus, Role, TransactionKind
from db.models import ApprovalRequest, AuditEvent, OutboxEvent, PaymentTransaction
from tests import factories as f
from tests.conftest import staff_principal
from tests.tools.payment_helpers import snapshot
from tools.errors import Forbidden, InvalidTransition
from tools.runner import execute


async def paid_order(sessions, price: str):
    """A customer's order of one item at `price`, paid in full by card."""
    ava = await f.customer(sessions)
    card = await f.payment_method(sessions, ava)
    item = await f.product(sessions, variants=[{"sku": f"SKU-{price}", "options": {}, "price": Decimal(price)}])
    return ava, await f.order(sessions, ava, [(item.variants[0], 1)], card)


async def refunds(sessions) -> list[tuple[Decimal, str | None]]:
    """(amount, idempotency key) of every refund transaction."""
    async with sessions() as s:
        rows = await s.execute(select(PaymentTransaction.amount, PaymentTransaction.idempotency_key)
                               .where(PaymentTransaction.kind == TransactionKind.REFUND))
        return [tuple(r) for r in rows]


async def queue(sessions) -> list[tuple]:
    """(id, status, requested_by, decided_by) of every approval request."""
    async with sessions() as s:
        rows = await s.execute(select(ApprovalRequest.id, ApprovalRequest.status, ApprovalRequest.requested_by,
                                      ApprovalRequest.decided_by).order_by(ApprovalRequest.id))
        return [tuple(r) for r in rows]


async def test_support_refunds_above_the_threshold_wait_for_approval(sessions, call, support):
    _, order = await paid_order(sessions, "800.00")
    out = await call(support, "refund_payment", order_id=order.id, amount="600.00", reason="broken on arrival")
    assert out.transaction is None and out.payment is None and out.approval.approval_id == 1
    assert "above 500" in out.approval.reason and "waiting for a merchant or admin" in out.summary
    assert await refunds(sessions) == []
    held = await call(support, "get_approval_request", approval_id=1)
    assert (held.kind, held.subject, held.status, held.tool_name, held.requested_by) == (
        "refund", order.id, "pending", "refund_payment", support.label)
    assert held.arguments["amount"] == "600.00" and held.facts["captured"] == "800.00"
    async with sessions() as s:
        topics = set(await s.scalars(select(OutboxEvent.topic)))
    assert "approval_request.requested" in topics
    again = await call(support, "refund_payment", order_id=order.id, amount="600.00", reason="broken on arrival")
    assert again.approval.approval_id == 1 and len(await queue(sessions)) == 1  # asking twice queues it once


async def test_which_refunds_need_approval(sessions, call, support, merchant):
    _, big = await paid_order(sessions, "1000.00")
    assert (await call(merchant, "refund_payment", order_id=big.id, amount="900.00")).transaction is not None
    _, order = await paid_order(sessions, "100.00")
    small = await call(support, "refund_payment", order_id=order.id, amount="20.00")  # exactly 20 %: allowed
    assert small.transaction.amount == Decimal("20.00") and small.approval is None
    held = await call(support, "refund_payment", order_id=order.id, amount="30.00")  # 30 % of the captured 100
    assert held.approval is not None and "30.0% of the 100.00 captured" in held.approval.reason
    rest = await call(support, "refund_payment", order_id=order.id)  # the whole remainder is not a partial refund
    assert rest.transaction.amount == Decimal("80.00") and rest.payment.status == PaymentStatus.REFUNDED
    await call(merchant, "set_config_value", config_key="approvals.refund_threshold", value=50)
    _, other = await paid_order(sessions, "60.00")
    assert (await call(support, "refund_payment", order_id=other.id)).approval is not None


async def test_approving_runs_the_refund_once_as_the_approver(sessions, call, support, merchant):
    _, order = await paid_order(sessions, "800.00")
    await call(support, "refund_payment", order_id=order.id, amount="600.00")
    out = await call(merchant, "approve_request", approval_id=1, comment="checked the photos")
    assert (out.status, out.decided_by, out.comment) == ("approved", merchant.label, "checked the photos")
    assert out.result["ok"] and out.result["output"]["transaction"]["amount"] == 600.0
    assert await refunds(sessions) == [(Decimal("600.00"), "approval-1")]
    async with sessions() as s:
        actors = set(await s.scalars(select(AuditEvent.actor).where(AuditEvent.entity == "payment")))
    assert actors == {merchant.label}
    before = await snapshot(sessions)
    with pytest.raises(InvalidTransition, match="already approved"):
        await call(merchant, "approve_request", approval_id=1)
    with pytest.raises(InvalidTransition):
        await call(merchant, "reject_request", approval_id=1)
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("deciders", [2, 5])
async def test_approving_at_the_same_time_runs_the_action_exactly_once(sessions, call, support, deciders):
    _, order = await paid_order(sessions, "800.00")
    await call(support, "refund_payment", order_id=order.id, amount="600.00")
    managers = [staff_principal(Role.MERCHANT if n % 2 else Role.ADMIN, f"boss{n}") for n in range(deciders)]
    results = await asyncio.gather(
        *(execute(sessions, m, "approve_request", {"approval_id": 1}) for m in managers), return_exceptions=True)
    approved = [r for r in results if not isinstance(r, BaseException)]
    assert len(approved) == 1 and approved[0].status == "approved"
    assert all(isinstance(r, InvalidTransition) for r in results if isinstance(r, BaseException))
    assert await refunds(sessions) == [(Decimal("600.00"), "approval-1")]
    assert await queue(sessions) == [(1, ApprovalStatus.APPROVED, support.label, approved[0].decided_by)]


async def test_rejecting_never_runs_the_action(sessions, call, support, admin):
    _, order = await paid_order(sessions, "800.00")
    await call(support, "refund_payment", order_id=order.id, amount="700.00")
    out = await call(admin, "reject_request", approval_id=1, comment="not justified")
    assert (out.status, out.result, out.comment) == ("rejected", None, "not justified")
    with pytest.raises(InvalidTransition, match="already rejected"):
        await call(admin, "approve_request", approval_id=1)
    assert await refunds(sessions) == []
    assert [a.id for a in (await call(support, "list_approval_requests")).approvals] == []
    assert [a.id for a in (await call(support, "list_approval_requests", status="rejected")).approvals] == [1]


async def test_an_action_refused_when_approved_is_recorded_as_failed(sessions, call, support, admin):
    _, order = await paid_order(sessions, "800.00")
    await call(support, "refund_payment", order_id=order.id, amount="600.00")
    await call(admin, "refund_payment", order_id=order.id, amount="500.00")  # meanwhile a manager refunded
    out = await call(admin, "approve_request", approval_id=1)
    assert out.status == "failed" and out.result["error"]["code"] == "refund_exceeds_captured"
    assert "action failed" in out.summary
    assert await refunds(sessions) == [(Decimal("500.00"), None)]


async def test_who_may_see_and_decide(sessions, call, support, warehouse_staff):
    ava, order = await paid_order(sessions, "800.00")
    await call(support, "refund_payment", order_id=order.id, amount="600.00")
    before = await snapshot(sessions), await queue(sessions)
    for who in (support, warehouse_staff, f.principal_of(ava)):
        for name in ("approve_request", "reject_request"):
            with pytest.raises(Forbidden):
                await call(who, name, approval_id=1)
    for who in (warehouse_staff, f.principal_of(ava)):
        with pytest.raises(Forbidden):
            await call(who, "list_approval_requests")
    assert (await snapshot(sessions), await queue(sessions)) == before
    assert (await call(support, "list_approval_requests")).total == 1


async def test_rest_parity_for_approvals(sessions, call, api):
    _, order = await paid_order(sessions, "800.00")
    sam, mia = await f.staff_user(sessions, Role.SUPPORT), await f.staff_user(sessions, Role.MERCHANT)
    as_sam = {"Authorization": f"Bearer {await f.api_key(sessions, staff=sam)}"}
    as_mia = {"Authorization": f"Bearer {await f.api_key(sessions, staff=mia)}"}
    held = await api.post("/api/v1/payments/refunds", json={"order_id": order.id, "amount": 600}, headers=as_sam)
    assert held.status_code == 200 and held.json()["approval"]["approval_id"] == 1
    assert held.json()["transaction"] is None
    listed = await api.get("/api/v1/approvals", headers=as_sam)
    assert listed.json() == (await call(staff_principal(Role.ADMIN), "list_approval_requests")).model_dump(
        mode="json")
    refused = await api.post("/api/v1/approvals/1/approve", json={}, headers=as_sam)
    assert refused.status_code == 403
    approved = await api.post("/api/v1/approvals/1/approve", json={"comment": "ok"}, headers=as_mia)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == f"staff:{mia.username}"
    twice = await api.post("/api/v1/approvals/1/approve", headers=as_mia)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_transition"
    got = await api.get("/api/v1/approvals/1", headers=as_sam)
    assert got.json() == (await call(staff_principal(Role.ADMIN), "get_approval_request", approval_id=1)).model_dump(
        mode="json")
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PaymentTransaction)
                              .where(PaymentTransaction.kind == TransactionKind.REFUND)) == 1
