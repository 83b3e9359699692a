"""Payment tools: thin registry entries over the payment service (sandbox test gateway only)."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import PaymentMethodKind, Role, TransactionKind, TransactionResult
from db.models import PaymentTransaction
from tools.backoffice import approvals
from tools.context import ALL_ROLES, ToolContext
from tools.customer.service import get_visible_customer
from tools.errors import Conflict
from tools.payment import analytics, service
from tools.payment import schemas as s
from tools.payment.gateway import GATEWAYS
from tools.registry import tool
from tools.schemas import OrderRef

AGENT = "payment"
SUPPORT_UP = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
ANALYSTS = {Role.MERCHANT, Role.ADMIN}
# Customers reach only their own methods and payments; warehouse staff have no business with money.
OWNER_OR_SUPPORT = {Role.CUSTOMER, *SUPPORT_UP}
VERBS = {
    TransactionKind.SALE: "charged", TransactionKind.AUTHORIZE: "authorized", TransactionKind.CAPTURE: "captured",
    TransactionKind.VOID: "released", TransactionKind.REFUND: "refunded",
}


def describe(tx: PaymentTransaction) -> str:
    """One sentence on what a transaction did."""
    what = f"{tx.amount} {tx.currency} on {tx.method_id} for order {tx.order_id}"
    if tx.result == TransactionResult.DECLINED:
        return f"the {tx.kind} of {what} was {tx.reason} (transaction {tx.id})"
    return f"{VERBS[tx.kind]} {what} (transaction {tx.id}, sandbox reference {tx.gateway_reference})"


async def result_out(session: AsyncSession, tx: PaymentTransaction) -> s.TransactionResultOut:
    """A transaction with the current state of its payment."""
    payment = await service.payment_of(session, tx)
    return s.TransactionResultOut(
        transaction=s.TransactionOut.model_validate(tx), payment=s.PaymentOut.model_validate(payment),
        summary=describe(tx),
    )


@tool(agent=AGENT, method="GET", path="/payments/gateways", roles=ALL_ROLES,
      examples=["which payment gateways are configured", "list payment gateways",
                "how do I trigger a declined payment in the test gateway", "which test gateway do we run on"])
async def list_payment_gateways(ctx: ToolContext, params: s.NoInput) -> s.GatewayList:
    """List the payment gateways (the sandbox test gateway, channel collection) and their decline test triggers."""
    return s.GatewayList(gateways=[
        s.GatewayOut(name=g.name, display_name=g.display_name, test_mode=g.test_mode, test_triggers=list(g.triggers),
                     method_kinds=list(g.method_kinds))
        for g in GATEWAYS.values()
    ])


@tool(agent=AGENT, method="POST", path="/payments/methods", roles=OWNER_OR_SUPPORT, mutates=True, confirm=True,
      examples=["save my visa card ending 4242", "add my PayPal account ava@example.com as a payment method",
                "issue a 50 euro gift card to customer noah_brown_6181", "add a mastercard ending in 9212"])
async def add_payment_method(ctx: ToolContext, params: s.AddMethodIn) -> s.PaymentMethodOut:
    """Save a payment method: a card (brand and last four digits only), PayPal, or a gift card (staff)."""
    if params.kind == PaymentMethodKind.GIFT_CARD:
        ctx.require_staff(*SUPPORT_UP)
    customer = await get_visible_customer(ctx, params.customer_id)
    if customer.erased:
        raise Conflict(f"customer {customer.id} was erased; no payment method can be added")
    method = await service.add_method(
        ctx, customer.id, params.kind, brand=params.brand, last_four=params.last_four,
        paypal_email=params.paypal_email, balance=params.initial_balance,
    )
    return s.PaymentMethodOut.model_validate(method)


# Lent to every specialist: "pay it with my visa" names a saved method the order's specialist must look up.
@tool(agent=AGENT, method="GET", path="/payments/methods/{customer_id}", roles=OWNER_OR_SUPPORT, shared=True,
      examples=["what payment methods do I have", "how much is left on my gift card",
                "list the saved cards of noah_brown_6181"])
async def list_payment_methods(ctx: ToolContext, params: s.CustomerMethodsIn) -> s.MethodList:
    """List a customer's saved payment methods, with gift card balances."""
    customer = await get_visible_customer(ctx, params.customer_id)
    methods = await service.methods_of(ctx.session, customer.id)
    return s.MethodList(customer_id=customer.id, methods=[s.PaymentMethodOut.model_validate(m) for m in methods])


@tool(agent=AGENT, method="POST", path="/payments/process", roles=SUPPORT_UP, mutates=True, confirm=True,
      examples=["charge order #W2611340 on credit_card_7815826", "take payment of 49.99 for order W1234567",
                "process the payment of order #W7678072 with the customer's gift card"])
async def process_payment(ctx: ToolContext, params: s.ChargeIn) -> s.TransactionResultOut:
    """Charge an order now (a sale) on one of its customer's saved payment methods."""
    tx = await service.process(ctx, TransactionKind.SALE, params.order_id, params.method_id, params.amount,
                               ctx.idempotency_key)
    return await result_out(ctx.session, tx)


@tool(agent=AGENT, method="POST", path="/payments/authorize", roles=SUPPORT_UP, mutates=True, confirm=True,
      examples=["authorize 120 euros on paypal_5727330 for order #W2611340", "put a hold for order W1234567",
                "pre-authorize the payment of order #W7678072"])
async def authorize_payment(ctx: ToolContext, params: s.ChargeIn) -> s.TransactionResultOut:
    """Authorize (reserve without taking) an amount for an order on one of its customer's methods."""
    tx = await service.process(ctx, TransactionKind.AUTHORIZE, params.order_id, params.method_id, params.amount,
                               ctx.idempotency_key)
    return await result_out(ctx.session, tx)


@tool(agent=AGENT, method="POST", path="/payments/{payment_id}/capture", roles=SUPPORT_UP, mutates=True,
      confirm=True,
      examples=["capture the authorized payment 7f9c2a4e-1b2d-4c3e-9f00-123456789abc",
                "capture 30 euros of that authorization", "take the money that was authorized for this order"])
async def capture_payment(ctx: ToolContext, params: s.CaptureIn) -> s.TransactionResultOut:
    """Capture (take) all or part of an authorized payment, never more than was authorized."""
    payment = await service.get_payment(ctx.session, params.payment_id)
    tx = await service.capture(ctx, payment, params.amount, ctx.idempotency_key)
    return await result_out(ctx.session, tx)


@tool(agent=AGENT, method="POST", path="/payments/{payment_id}/void", roles=SUPPORT_UP, mutates=True,
      confirm=True,
      examples=["void the authorization 7f9c2a4e-1b2d-4c3e-9f00-123456789abc", "release the payment hold",
                "cancel the authorized payment, the order was cancelled"])
async def void_payment(ctx: ToolContext, params: s.VoidIn) -> s.TransactionResultOut:
    """Void (release) an authorized payment of which nothing was captured."""
    payment = await service.get_payment(ctx.session, params.payment_id)
    tx = await service.void(ctx, payment, params.reason, ctx.idempotency_key)
    return await result_out(ctx.session, tx)


@tool(agent=AGENT, method="POST", path="/payments/refunds", roles=SUPPORT_UP, mutates=True, confirm=True,
      examples=["refund 20 euros on order #W2611340, the item arrived damaged", "refund the payment of order W1234567",
                "give the customer their money back for order #W7678072",
                "the customer keeps the scratched lamp from W4817420, give a partial refund of 15 euros on the card"])
async def refund_payment(ctx: ToolContext, params: s.RefundIn) -> s.RefundOut:
    """Refund all or part of a payment, never more than it captured less what was already refunded."""
    if params.payment_id:
        payment = await service.get_payment(ctx.session, params.payment_id)
    else:
        payment = await service.refundable_payment(ctx.session, params.order_id, params.method_id)
    # Large refunds by support staff wait in the approval queue; approving runs this tool again as the approver.
    if held := await approvals.hold_refund(ctx, payment, params.amount, params.reason):
        return s.RefundOut(approval=s.HeldForApproval(approval_id=held.id, reason=held.reason),
                           summary=approvals.describe(held))
    tx = await service.refund_payment(ctx, payment, params.amount, params.reason, ctx.idempotency_key)
    done = await result_out(ctx.session, tx)
    return s.RefundOut(transaction=done.transaction, payment=done.payment, summary=done.summary)


@tool(agent=AGENT, method="GET", path="/payments/transactions/{transaction_id}", roles=OWNER_OR_SUPPORT,
      examples=["show transaction 42", "what happened with payment transaction 1187", "details of transaction 7"])
async def get_transaction(ctx: ToolContext, params: s.TransactionRef) -> s.TransactionResultOut:
    """Get one payment transaction with the current state of its payment."""
    tx = await service.get_transaction(ctx.session, params.transaction_id)
    order = await service.get_order(ctx.session, tx.order_id)
    ctx.check_owner(order.customer_id, f"transaction {params.transaction_id}")
    return await result_out(ctx.session, tx)


@tool(agent=AGENT, method="GET", path="/payments/orders/{order_id}", roles=OWNER_OR_SUPPORT,
      examples=["how was order #W2611340 paid", "payment history of order W1234567",
                "was my order #W7678072 refunded"])
async def get_order_payments(ctx: ToolContext, params: OrderRef) -> s.OrderPaymentsOut:
    """Get an order's payments, their transactions and its payment history (payments and refunds)."""
    order = await service.get_order(ctx.session, params.order_id)
    ctx.check_owner(order.customer_id, f"order {params.order_id}")
    ledger = await service.transactions_of(ctx.session, order.id)
    payments = [
        s.PaymentWithTransactions(
            **s.PaymentOut.model_validate(p).model_dump(),
            transactions=[s.TransactionOut.model_validate(t) for t in ledger if t.payment_id == p.id],
        )
        for p in await service.payments_of(ctx.session, order.id)
    ]
    return s.OrderPaymentsOut(
        order_id=order.id, payments=payments, payment_history=await service.history(ctx.session, order.id),
        captured_total=await service.captured_total(ctx.session, order.id),
        refunded_total=await service.refunded_total(ctx.session, order.id),
    )


@tool(agent=AGENT, method="GET", path="/payments/analytics/transactions", roles=ANALYSTS,
      examples=["transaction analytics for the last 30 days", "how many payments were declined this week",
                "payment success rate over the last 7 days"])
async def get_transaction_analytics(ctx: ToolContext, params: s.AnalyticsIn) -> s.TransactionAnalytics:
    """Count payment transactions by kind over the last N days, with declines and success rate."""
    return await analytics.transactions(ctx.session, params.days, ctx.now() - timedelta(days=params.days))


@tool(agent=AGENT, method="GET", path="/payments/analytics/refunds", roles=ANALYSTS,
      examples=["refund analytics for the last 30 days", "how much did we refund this month",
                "what is our refund rate", "top refund reasons over 90 days"])
async def get_refund_analytics(ctx: ToolContext, params: s.AnalyticsIn) -> s.RefundAnalytics:
    """Summarise refunds over the last N days: count, amount, rate against revenue and top reasons."""
    return await analytics.refunds(ctx.session, params.days, ctx.now() - timedelta(days=params.days))


@tool(agent=AGENT, method="GET", path="/payments/analytics/revenue", roles=ANALYSTS,
      examples=["revenue over the last 30 days", "how much money did we take this week",
                "net revenue per day for the last 14 days", "revenue by payment method"])
async def get_revenue_analytics(ctx: ToolContext, params: s.AnalyticsIn) -> s.RevenueAnalytics:
    """Report money taken, refunded and net over the last N days, per day and per payment method kind."""
    return await analytics.revenue(ctx.session, params.days, ctx.now() - timedelta(days=params.days))
