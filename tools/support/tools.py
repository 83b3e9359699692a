"""Support-case tools: anyone can ask for a person; support staff work the queues."""

from db.enums import Role
from tools.context import ALL_ROLES, ToolContext
from tools.registry import tool
from tools.support import schemas as s
from tools.support import service

AGENT = "customer"
CLOSERS = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}

@tool(agent=AGENT, method="POST", path="/support/cases", roles=ALL_ROLES, mutates=True, shared=True,
      examples=["I want to talk to a person", "can a human help me please", "let me speak to someone from support",
                "I'd like to make a complaint about how my return was handled",
                "my charger started smoking, this is dangerous", "this is not working, get me a real agent",
                "escalate this to your supervisor, the bot isn't helping", "I'd like a call back from your team",
                "could someone from the shop reach out to me about my order", "I need a real human to sort this out",
                "please ask a staff member to phone me", "this needs a manager's decision, please pass it on",
                "that answer doesn't help, I want someone to look into this",
                "open a support case for noah.johnson@example.com about a missing parcel"])
async def open_support_case(ctx: ToolContext, params: s.OpenCaseIn) -> s.CaseOut:
    """Hand the conversation to a person: open a support case and say who answers and by when."""
    return service.to_out(await service.open_case(ctx, params))

@tool(agent=AGENT, method="GET", path="/support/cases", roles=ALL_ROLES,
      examples=["my open support cases", "did anyone answer my complaint yet", "show the support queue",
                "open cases in the merchant queue", "do I have any tickets open with you?"])
async def list_support_cases(ctx: ToolContext, params: s.ListCasesIn) -> s.CaseList:
    """List support cases: a customer's own, or staff's queues."""
    cases, total = await service.list_cases(ctx, params.status, params.queue, params.limit)
    return s.CaseList(cases=[service.to_out(c) for c in cases], total=total)

@tool(agent=AGENT, method="GET", path="/support/cases/{case_id}", roles=ALL_ROLES,
      examples=["status of case CASE-000012", "what happened with my support case 12"])
async def get_support_case(ctx: ToolContext, params: s.CaseRefIn) -> s.CaseOut:
    """Get a support case by its number."""
    return service.to_out(await service.get_case(ctx, params.case_id))

@tool(agent=AGENT, method="POST", path="/support/cases/{case_id}/close", roles=CLOSERS, mutates=True,
      examples=["close case CASE-000012: refund issued by phone", "mark support case 7 as resolved"])
async def close_support_case(ctx: ToolContext, params: s.CloseCaseIn) -> s.CaseOut:
    """Close a support case with how it was settled (support, merchant or admin)."""
    case = await service.get_case(ctx, params.case_id)
    service.close_case(ctx, case, params.resolution)
    return service.to_out(case)
