"""Fraud tools: thin registry entries over scoring, the blocklist and the review of held orders (staff only)."""

from datetime import timedelta

from db.enums import Role
from db.models import BlockedEntity, Customer, FraudCheck
from tools.context import ToolContext
from tools.customer import service as customers
from tools.fraud import blocklist, review
from tools.fraud import schemas as s
from tools.fraud import service as fraud
from tools.fraud.thresholds import thresholds
from tools.order import service as orders
from tools.registry import tool

AGENT = "fraud"
# Lifting a block needs a merchant or admin (knowledge base, fraud-review).
MANAGERS = {Role.MERCHANT, Role.ADMIN}


async def score_out(ctx: ToolContext, result: fraud.FraudScore, check: FraudCheck, customer: Customer,
                    subject: str) -> s.FraudScoreOut:
    """A stored score with its signals and the thresholds in force."""
    await ctx.session.flush()
    sig = result.signals
    limits = await thresholds(ctx.session)
    return s.FraudScoreOut(
        check_id=check.id, subject=subject, order_id=check.order_id, customer_id=customer.id, email=customer.email,
        score=result.score, level=result.level, decision=result.decision, factors=result.factors,
        signals=s.SignalsOut(
            amount=orders.cents(sig.amount), orders_last_24h=sig.recent_orders, ip_blocked=sig.bad_ip,
            countries_differ=sig.address_mismatch, account_under_a_day=sig.new_account,
            payment_methods_added_7d=sig.methods_added, blocked_entity=sig.blocked,
        ),
        thresholds=s.ThresholdsOut(flag=limits.flag, review=limits.review, block=limits.block),
        checked_at=check.created_at,
    )


def entry_out(ctx: ToolContext, entry: BlockedEntity) -> s.BlockEntryOut:
    """A blocklist entry with its status now."""
    return s.BlockEntryOut(
        id=entry.id, kind=entry.kind, value=entry.value, reason=entry.reason, blocked_by=entry.blocked_by,
        created_at=entry.created_at, expires_at=entry.expires_at, unblocked_at=entry.unblocked_at,
        status=blocklist.status_of(entry, ctx.now()),
    )


def check_out(check: FraudCheck) -> s.CheckOut:
    """One fraud check; a checkout check without an order is a refused attempt."""
    refused = check.order_id is None and check.source == "checkout"
    what = "checkout refused" if refused else f"order {check.order_id}" if check.order_id else "account"
    reviewed = f", {check.review_outcome} by {check.reviewed_by}" if check.review_outcome else ""
    summary = f"{check.created_at:%Y-%m-%d}: {what} scored {check.score} ({check.level}, {check.decision}{reviewed})"
    return s.CheckOut(
        id=check.id, created_at=check.created_at, source=check.source, order_id=check.order_id, summary=summary,
        refused=refused, score=check.score, level=check.level,
        decision=check.decision, factors=check.factors, amount=check.amount, client_ip=check.client_ip,
        reviewed_by=check.reviewed_by, reviewed_at=check.reviewed_at, review_outcome=check.review_outcome,
    )


@tool(agent=AGENT, method="POST", path="/fraud/orders/{order_id}/score", roles=review.REVIEWERS, mutates=True,
      examples=["is order #W2611340 fraudulent?", "re-score order W4817420 for fraud",
                "run a fraud check on #W2378156", "what's the fraud score of order 2611340",
                "check order #W4817420 for fraud now that we blocked that IP"])
async def score_order_fraud(ctx: ToolContext, params: s.ScoreOrderIn) -> s.FraudScoreOut:
    """Score an existing order for fraud again (as at its placement, with today's blocklist) and store the check."""
    order = await orders.get_order(ctx.session, params.order_id)
    customer = await customers.get_customer(ctx.session, order.customer_id)
    result = await fraud.rescore_order(ctx.session, order, customer, ctx.now())
    check = fraud.record_check(ctx, result, order_id=order.id, customer_id=customer.id, source="rescore",
                               client_ip=order.client_ip)
    return await score_out(ctx, result, check, customer, "order")


@tool(agent=AGENT, method="POST", path="/fraud/customers/{customer_id}/score", roles=review.REVIEWERS, mutates=True,
      examples=["fraud score of customer ava.martin@example.com", "is noah_brown_6181 a fraud risk?",
                "how risky is the customer lucas.bernard@example.com", "score customer emma_schmidt_1003 for fraud",
                "run a fraud check on the account of liam.petit@example.com"])
async def score_customer_fraud(ctx: ToolContext, params: s.ScoreCustomerIn) -> s.FraudScoreOut:
    """Score a customer account for fraud now (last 24 h of orders, account age, methods, blocklist)."""
    customer = await customers.get_customer(ctx.session, params.customer_id)
    result = await fraud.score_customer(ctx.session, customer, ctx.now())
    check = fraud.record_check(ctx, result, order_id=None, customer_id=customer.id, source="customer")
    return await score_out(ctx, result, check, customer, "customer")


@tool(agent=AGENT, method="POST", path="/fraud/blocklist", roles=review.REVIEWERS, mutates=True, confirm=True,
      examples=["block the email scam@example.org, chargeback fraud", "blacklist IP 203.0.113.7 for 30 days",
                "block customer noah_brown_6181 because of a stolen card",
                "put card credit_card_1001 on the blocklist, reported stolen",
                "please ban fraudster@example.net from ordering"])
async def block_entity(ctx: ToolContext, params: s.BlockIn) -> s.BlockOut:
    """Block an email, IP address, customer account or payment method from ordering (optionally for N days)."""
    kind, value = params.target()
    expires = ctx.now() + timedelta(days=params.expires_in_days) if params.expires_in_days else None
    entry, was_active = await blocklist.block(ctx, kind, value, params.reason, expires)
    until = f" until {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    verb = "was already blocked; its block is renewed" if was_active else "is now blocked"
    return s.BlockOut(entry=entry_out(ctx, entry), was_active=was_active,
                      message=f"{kind} {entry.value} {verb}{until}.")


@tool(agent=AGENT, method="POST", path="/fraud/blocklist/unblock", roles=MANAGERS, mutates=True, confirm=True,
      examples=["unblock scam@example.org, it was a mistake",
                "remove IP 203.0.113.7 from the blocklist: a shared office",
                "lift the block on customer noah_brown_6181, identity verified",
                "whitelist card credit_card_1001 again, the bank confirmed it"])
async def unblock_entity(ctx: ToolContext, params: s.UnblockIn) -> s.BlockOut:
    """Lift the block on an email, IP address, customer account or payment method."""
    kind, value = params.target()
    entry = await blocklist.unblock(ctx, kind, value, params.reason)
    return s.BlockOut(entry=entry_out(ctx, entry), was_active=True, message=f"{kind} {entry.value} is unblocked.")


@tool(agent=AGENT, method="GET", path="/fraud/blocklist", roles=review.REVIEWERS,
      examples=["show the blocklist", "which emails are blocked?", "list blocked IP addresses",
                "who is on the fraud blacklist", "show every blocklist entry including expired ones"])
async def list_blocklist(ctx: ToolContext, params: s.BlocklistIn) -> s.BlocklistOut:
    """List blocked emails, IPs, customers and cards (active ones unless asked for all)."""
    rows, total = await blocklist.entries(ctx.session, ctx.now(), kind=params.kind,
                                          include_inactive=params.include_inactive, limit=params.limit,
                                          offset=params.offset)
    return s.BlocklistOut(entries=[entry_out(ctx, e) for e in rows], total=total)


@tool(agent=AGENT, method="GET", path="/fraud/customers/{customer_id}/history", roles=review.REVIEWERS,
      examples=["fraud history of ava.martin@example.com", "show the fraud checks of customer noah_brown_6181",
                "has lucas.bernard@example.com had orders refused for fraud?",
                "every fraud check we ran on emma_schmidt_1003"])
async def get_customer_fraud_history(ctx: ToolContext, params: s.HistoryIn) -> s.HistoryOut:
    """A customer's fraud history: every check, refused checkout attempts included, and any active block."""
    customer = await customers.get_customer(ctx.session, params.customer_id)
    checks, total, refused = await review.history(ctx.session, customer.id, params.limit, params.offset)
    entries = await blocklist.entries_about(ctx.session, ctx.now(), customer)
    return s.HistoryOut(
        customer_id=customer.id, email=customer.email, blocked=bool(entries),
        block_entries=[entry_out(ctx, e) for e in entries], refused_attempts=refused,
        checks=[check_out(c) for c in checks],
        total=total,
    )


@tool(agent=AGENT, method="GET", path="/fraud/hold-queue", roles=review.REVIEWERS,
      examples=["which held orders are waiting for a decision?", "show the review queue",
                "suspicious orders held at checkout", "anything held that I need to release or reject?"])
async def get_hold_queue(ctx: ToolContext, params: s.QueueIn) -> s.QueueOut:
    """The fraud queue: orders held at checkout for a manual decision, oldest first, with their latest score."""
    rows, total = await review.queue(ctx.session, params.limit, params.offset)
    return s.QueueOut(orders=[
        s.HeldOrderOut(order_id=o.id, customer_id=o.customer_id, email=email, total=o.total, currency=o.currency,
                       placed_at=o.placed_at, score=c.score if c else None, level=c.level if c else None,
                       factors=c.factors if c else {})
        for o, email, c in rows
    ], total=total)


async def review_out(ctx: ToolContext, order, outcome: str, check, refunded, message: str) -> s.ReviewOut:
    """The reviewed order's new status, reviewer and time."""
    return s.ReviewOut(order_id=order.id, status=order.status, outcome=outcome, reviewed_by=ctx.actor,
                       reviewed_at=check.reviewed_at if check else ctx.now(), check_id=check.id if check else None,
                       refunded=refunded,
                       message=message)


@tool(agent=AGENT, method="POST", path="/fraud/orders/{order_id}/release", roles=review.REVIEWERS, mutates=True,
      confirm=True,
      examples=["release order #W8538724 from fraud review, the customer confirmed by phone",
                "the held order W8538724 is fine, let it through", "approve the held order #W8538724",
                "clear the fraud hold on 8538724"])
async def release_held_order(ctx: ToolContext, params: s.ReleaseIn) -> s.ReviewOut:
    """Release an order held for fraud review: it goes back to pending and carries on."""
    order = await review.held_order(ctx, params.order_id)
    check = await review.release(ctx, order, params.note)
    return await review_out(ctx, order, "released", check, orders.cents(0),
                            f"Order {order.id} is released and pending again.")


@tool(agent=AGENT, method="POST", path="/fraud/orders/{order_id}/reject", roles=review.REVIEWERS, mutates=True,
      confirm=True,
      examples=["reject held order #W8538724, the card is stolen", "the order W8538724 on hold is fraud, cancel it",
                "decline the held order #W8538724: confirmed fraud", "refuse order 8538724 after fraud review"])
async def reject_held_order(ctx: ToolContext, params: s.RejectIn) -> s.ReviewOut:
    """Reject an order held for fraud review: it is cancelled, refunded and its stock released."""
    order = await review.held_order(ctx, params.order_id)
    check, refunded = await review.reject(ctx, order, params.reason)
    return await review_out(ctx, order, "rejected", check, orders.cents(refunded),
                            f"Order {order.id} is rejected and cancelled; {orders.cents(refunded)} "
                            f"{order.currency} is refunded.")
