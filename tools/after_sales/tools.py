"""After-sales tools: thin registry entries over the returns, receiving, resolution, survey and warranty services."""

from db.enums import ReturnResolution, RmaStatus, Role, WarrantyStatus
from tools.after_sales import lifecycle, receiving, records, resolution, returns, rules, surveys, views, warranty
from tools.after_sales import schemas as s
from tools.context import ALL_ROLES, STAFF_ROLES, ToolContext
from tools.customer import service as customers
from tools.order import service as orders
from tools.registry import Precondition, tool
from tools.schemas import OrderRef

AGENT = "after_sales"
# Customers act on their own orders; staff who talk to customers act for them.
BUYERS = {Role.CUSTOMER, Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
# Who decides on returns and claims, and who receives parcels.
DECIDERS = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}
RECEIVERS = {Role.WAREHOUSE, Role.MERCHANT, Role.ADMIN}
# Warehouse staff may only record the parcel's journey and inspection.
WAREHOUSE_MOVES = {RmaStatus.IN_TRANSIT, RmaStatus.INSPECTED}
# What each write needs, read before it asks for its details; the states come from the rules the writes enforce
# (returns.eligibility, warranty.coverage, the RMA table's moves to cancelled).
RETURN_OPEN = Precondition("get_return_eligibility", ("order_id",), "return_state", rules.RETURN_OPEN)
UNDER_WARRANTY = Precondition("get_return_eligibility", ("order_id",), "warranty_state",
                              (rules.WarrantyState.COVERED,))
WITHDRAWABLE = Precondition("get_rma", ("rma_number",), "status",
                            tuple(rules.RMA_STATES.sources(RmaStatus.CANCELLED)))
# A parcel that arrives unscanned was in transit all the same (`receiving.receive`), so approved returns count too.
RECEIVABLE = Precondition("get_rma", ("rma_number",), "status",
                          (RmaStatus.APPROVED, *rules.RMA_STATES.sources(RmaStatus.RECEIVED)))
RESOLVABLE = Precondition("get_rma", ("rma_number",), "status", tuple(rules.RMA_STATES.sources(RmaStatus.REFUNDED)))


@tool(agent=AGENT, method="GET", path="/returns/eligibility/{order_id}", roles=BUYERS,
      examples=["what can I still return from order #W7581196?",
                "until when can I send back items from #W8013797?",
                "how long do I still have to return order W2252040?",
                "is order W4974208 still within the return window?",
                "which items of #W3321921 can still be returned",
                "can the customer still return anything from order #W1718342?",
                "is my order #W4621646 still under warranty?"])
async def get_return_eligibility(ctx: ToolContext, params: OrderRef) -> s.EligibilityOut:
    """Check whether and what an order can still return: return windows, units left, and whether its warranty
    runs."""
    order = await orders.get_visible_order(ctx, params.order_id)
    return await views.eligibility_out(ctx, order, await returns.eligibility(ctx, order))


@tool(agent=AGENT, method="POST", path="/returns/request", roles=BUYERS, mutates=True, confirm=True,
      precondition=RETURN_OPEN, examples=["I need an RMA for order #W7581196, the keyboard is defective",
                "open a return request for #W4974208, I changed my mind, I'd like store credit",
                "request a return authorisation for 2 of KB-RED-01 from order W3321921, wrong item sent",
                "the lamp from #W8013797 arrived broken in shipping, I want a refund",
                "create an RMA for customer order #W1718342: not as described, refund to the original card",
                "I found it cheaper elsewhere, can I get store credit for order #W4621646?",
                "can I get an RMA for order #W2252040? I received the wrong colour",
                "open an RMA for order #W1756608, the customer changed his mind",
                "we only needed one of them in the end, can the others go back?"])
async def request_return(ctx: ToolContext, params: s.RequestReturnIn) -> s.RmaOut:
    """Request a return (RMA) for items of a delivered order: refund, exchange or store credit, within the window."""
    order = await orders.get_visible_order(ctx, params.order_id, for_update=True)
    lines = params.lines or []
    exchange = params.resolution == ReturnResolution.EXCHANGE
    ask = returns.ReturnAsk(
        items=[line.item for line in lines for _ in range(line.quantity)], reason=params.reason,
        resolution=params.resolution, method_id=params.payment_method_id, notes=params.comment.strip(),
        new_items=[line.new_item for line in lines for _ in range(line.quantity)] if exchange else None,
    )
    rma = await returns.open_return(ctx, order, ask)
    return await views.rma_out(ctx.session, rma)


@tool(agent=AGENT, method="GET", path="/returns/rma/{rma_number}", roles=ALL_ROLES,
      examples=["what's the status of RMA-20261101-AB12CD34?", "show my return for order #W3412877",
                "has my RMA been approved yet", "look up return authorisation RMA-20261030-7F3K2P9Q",
                "how much will I get back for my return on #W8646154", "details of the RMA on order W2546358",
                "any update on the things I sent back?"])
async def get_rma(ctx: ToolContext, params: s.RmaRefIn) -> s.RmaOut:
    """Get a return (RMA) by its number or its order: status, items, conditions, refund amount, exchange."""
    return await views.rma_out(ctx.session, await records.get_visible_rma(ctx, params.rma_number))


@tool(agent=AGENT, method="PUT", path="/returns/rma/{rma_number}/status", roles=DECIDERS | {Role.WAREHOUSE},
      mutates=True, confirm=True,
      examples=["approve the return RMA-20261101-AB12CD34", "reject the RMA on order #W3412877: the item is used",
                "mark the return for #W8646154 as in transit", "RMA-20261030-7F3K2P9Q has been inspected",
                "close the return on W3412877 without a refund, the customer damaged it",
                "approve the return request for order #W8646154",
                "reject the return on order #W1756608, the item shows signs of use"])
async def update_rma_status(ctx: ToolContext, params: s.RmaStatusIn) -> s.RmaOut:
    """Move a return (RMA) to approved, rejected, in transit, inspected, closed or cancelled by its state machine."""
    target = RmaStatus(params.status)
    if target not in WAREHOUSE_MOVES:
        ctx.require_staff(*DECIDERS)
    rma = await records.get_visible_rma(ctx, params.rma_number, for_update=True)
    await lifecycle.change_status(ctx, rma, target, params.note)
    return await views.rma_out(ctx.session, rma)


@tool(agent=AGENT, method="POST", path="/returns/rma/{rma_number}/cancel", roles=BUYERS, mutates=True,
      confirm=True, precondition=WITHDRAWABLE,
      examples=["cancel my return RMA-20261101-AB12CD34, I'll keep the item",
                "I'll keep the item after all, withdraw my return on order #W3412877",
                "please cancel the return request on #W8646154"])
async def cancel_return(ctx: ToolContext, params: s.RmaRefIn) -> s.RmaOut:
    """Withdraw a return (RMA) that is not shipped yet (requested or approved); the order is delivered again."""
    rma = await records.get_visible_rma(ctx, params.rma_number, for_update=True)
    await lifecycle.change_status(ctx, rma, RmaStatus.CANCELLED, "withdrawn by " + ctx.actor)
    return await views.rma_out(ctx.session, rma)


@tool(agent=AGENT, method="POST", path="/returns/rma/{rma_number}/receive", roles=RECEIVERS, mutates=True,
      confirm=True, precondition=RECEIVABLE,
      examples=["receive the returned parcel for RMA-20261101-AB12CD34, everything unopened",
                "the return for order #W8646154 arrived at PAR-1, items opened",
                "RMA-20261030-7F3K2P9Q came back damaged", "book in the return on #W3412877: used condition",
                "returned keyboard for W3412877 is defective, received in LYS-1",
                "the returned parcel for order #W1756608 has arrived; the item inside is used"])
async def receive_return(ctx: ToolContext, params: s.ReceiveReturnIn) -> s.RmaOut:
    """Receive a returned parcel: each item's condition sets its disposition and stock movements."""
    rma = await records.get_visible_rma(ctx, params.rma_number, for_update=True)
    named = {line.item: line.condition for line in params.lines or []}
    await receiving.receive(ctx, rma, named, params.condition, params.warehouse, params.note)
    return await views.rma_out(ctx.session, rma)


@tool(agent=AGENT, method="POST", path="/returns/rma/{rma_number}/resolve", roles=DECIDERS, mutates=True,
      confirm=True, precondition=RESOLVABLE,
      examples=["resolve the inspected return RMA-20261101-AB12CD34", "refund the inspected return on order #W8646154",
                "complete the exchange for RMA-20261030-7F3K2P9Q and ship the new item",
                "give the store credit for the return on order W3412877", "settle the RMA on #W9512291"])
async def resolve_return(ctx: ToolContext, params: s.RmaRefIn) -> s.RmaOut:
    """Resolve an inspected return (RMA): refund, store credit on a gift card, or ship the exchange."""
    rma = await records.get_visible_rma(ctx, params.rma_number, for_update=True)
    await resolution.resolve(ctx, rma)
    return await views.rma_out(ctx.session, rma)


@tool(agent=AGENT, method="GET", path="/returns/customer/{customer_id}", roles=ALL_ROLES,
      examples=["show all my returns", "list the RMAs of customer noah_brown_6181",
                "which returns has ava.martin@example.com made", "my return history"])
async def list_customer_returns(ctx: ToolContext, params: s.CustomerReturnsIn) -> s.RmaList:
    """List a customer's returns (RMAs), newest first (customers see only their own)."""
    customer = await customers.get_visible_customer(ctx, params.customer_id)
    rows, total = await records.list_rmas(ctx.session, customer_id=customer.id, limit=params.limit,
                                          offset=params.offset)
    return s.RmaList(returns=await views.summaries(ctx.session, rows), total=total)


@tool(agent=AGENT, method="GET", path="/returns", roles=STAFF_ROLES,
      examples=["list returns waiting for approval", "which RMAs are in transit",
                "returns requested since 2026-11-01", "show received returns to inspect",
                "all refunded RMAs this month", "returns queue"])
async def list_returns(ctx: ToolContext, params: s.ListReturnsIn) -> s.RmaList:
    """List returns (RMAs) for staff, newest first, by status, order, customer and request date."""
    customer_id = (await customers.get_customer(ctx.session, params.customer_id)).id if params.customer_id else None
    rows, total = await records.list_rmas(
        ctx.session, customer_id=customer_id, status=params.status, order_id=params.order_id,
        created_from=params.created_from, created_to=params.created_to, limit=params.limit, offset=params.offset)
    return s.RmaList(returns=await views.summaries(ctx.session, rows), total=total)


@tool(agent=AGENT, method="GET", path="/exchanges/{exchange_ref}", roles=ALL_ROLES,
      examples=["show the exchange on order #W9512291", "what am I getting in exchange on #W2546358",
                "details of the exchange for RMA-20261101-AB12CD34", "price difference of my exchange"])
async def get_exchange(ctx: ToolContext, params: s.ExchangeRefIn) -> s.ExchangeOut:
    """Get an exchange by id, RMA number or order: each item's replacement, price difference, status."""
    exchange = await records.get_exchange(ctx.session, params.exchange_ref)
    ctx.check_owner((await orders.get_order(ctx.session, exchange.order_id)).customer_id, "exchange")
    return await views.exchange_out(ctx.session, exchange)


@tool(agent=AGENT, method="POST", path="/surveys/submit", roles={Role.CUSTOMER}, mutates=True,
      examples=["rate my order #W7581196 5 stars", "I'd give order W4974208 a 4 out of 5, fast delivery",
                "satisfaction survey for #W3321921: 2/5, the box was damaged",
                "I'm very happy with order #W1718342, 5 stars and I'd recommend you 10 out of 10",
                "leave feedback on my order #W8013797: rating 3"])
async def submit_survey(ctx: ToolContext, params: s.SubmitSurveyIn) -> s.SurveyOut:
    """Submit a satisfaction survey for one of your delivered orders: rating 1-5, optional NPS 0-10 and comment."""
    order = await orders.get_visible_order(ctx, params.order_id)
    survey = await surveys.submit(ctx, order, params.rating, params.nps, params.comment)
    return views.survey_out(survey)


@tool(agent=AGENT, method="GET", path="/surveys", roles=DECIDERS,
      examples=["customer satisfaction this month", "show the latest satisfaction surveys",
                "what's our NPS since 2026-11-01", "average customer rating"])
async def list_surveys(ctx: ToolContext, params: s.ListSurveysIn) -> s.SurveyList:
    """List satisfaction surveys over a period with the average rating and the net promoter score."""
    found = await surveys.summary(ctx.session, params.since, params.until, params.limit, params.offset)
    return s.SurveyList(surveys=[views.survey_out(x) for x in found.rows], total=found.total,
                        average_rating=found.average_rating, nps=found.nps)


@tool(agent=AGENT, method="POST", path="/warranty/claim", roles=BUYERS, mutates=True, precondition=UNDER_WARRANTY,
      examples=["file a warranty claim for order #W7581196: the amplifier no longer charges",
                "the keyboard from #W3321921 has dead keys, open a warranty claim please",
                "open a warranty claim on order W4974208: the zipper broke after normal use",
                "I'd like to claim the warranty on my order #W1718342, the screen flickers"])
async def submit_warranty_claim(ctx: ToolContext, params: s.WarrantyClaimIn) -> s.ClaimOut:
    """File a warranty claim for a faulty item of a delivered order (within the warranty after delivery)."""
    order = await orders.get_visible_order(ctx, params.order_id)
    claim = await warranty.submit(ctx, order, params.item, params.description)
    return await views.claim_out(ctx.session, claim)


@tool(agent=AGENT, method="GET", path="/warranty/claims/{claim_number}", roles=ALL_ROLES,
      examples=["status of warranty claim WC-20261101-7Q2M9X4L", "what happened to my warranty claim on #W7581196",
                "show the warranty claim for order W3321921"])
async def get_warranty_claim(ctx: ToolContext, params: s.ClaimRefIn) -> s.ClaimOut:
    """Get a warranty claim by its number or its order: item, fault, status and decision."""
    return await views.claim_out(ctx.session, await warranty.get_visible_claim(ctx, params.claim_number))


@tool(agent=AGENT, method="GET", path="/warranty/claims", roles=ALL_ROLES,
      examples=["list my warranty claims", "open warranty claims to review", "submitted warranty claims",
                "warranty claims of customer emma.schmidt@example.com"])
async def list_warranty_claims(ctx: ToolContext, params: s.ListClaimsIn) -> s.ClaimList:
    """List warranty claims, newest first, by customer and status (customers see their own)."""
    customer_id = None
    if ctx.principal.is_customer or params.customer_id:
        customer_id = (await customers.get_visible_customer(ctx, params.customer_id)).id
    rows, total = await warranty.list_claims(ctx.session, customer_id, params.status, params.limit, params.offset)
    return s.ClaimList(claims=[await views.claim_out(ctx.session, c) for c in rows], total=total)


@tool(agent=AGENT, method="PUT", path="/warranty/claims/{claim_number}/status", roles=DECIDERS, mutates=True,
      examples=["approve warranty claim WC-20261101-7Q2M9X4L", "reject the warranty claim on #W7581196: "
                "accidental damage is not covered", "resolve claim WC-20261030-K4M2P8QZ: replaced with a new unit",
                "reopen the warranty claim for order W3321921"])
async def update_warranty_claim_status(ctx: ToolContext, params: s.ClaimStatusIn) -> s.ClaimOut:
    """Approve, reject, resolve or reopen a warranty claim, with what was decided."""
    claim = await warranty.get_visible_claim(ctx, params.claim_number, for_update=True)
    warranty.decide(ctx, claim, WarrantyStatus(params.status), params.resolution)
    return await views.claim_out(ctx.session, claim)
