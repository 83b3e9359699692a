"""Back-office tools: thin registry entries over the staff, settings, report, dashboard and approval services."""

from db.enums import Role
from db.models import ApiKey, ApprovalRequest, StaffUser
from tools.backoffice import approvals, dashboard, reports, settings, users
from tools.backoffice import report_schemas as rs
from tools.backoffice import schemas as s
from tools.backoffice.sales import Window, counted
from tools.config import service as config
from tools.context import STAFF_ROLES, ToolContext
from tools.registry import tool

AGENT = "backoffice"
ADMINS = {Role.ADMIN}
# Merchants run the business: they read the team, set business settings, read reports and decide approvals.
MANAGERS = {Role.MERCHANT, Role.ADMIN}
# Support asks for approvals and may follow them; only managers decide.
QUEUE_READERS = {Role.SUPPORT, Role.MERCHANT, Role.ADMIN}


def key_out(key: ApiKey) -> s.ApiKeyOut:
    """An API key as tools show it (never the key itself)."""
    state = "revoked" if key.revoked_at else "working"
    return s.ApiKeyOut(id=key.id, prefix=key.prefix, label=key.label, created_at=key.created_at,
                       revoked_at=key.revoked_at, last_used_at=key.last_used_at,
                       summary=f"key {key.id} ({key.prefix}..., {key.label or 'no label'}): {state}")


async def user_out(ctx: ToolContext, user: StaffUser) -> s.StaffUserOut:
    """A staff user with their keys."""
    keys = [key_out(k) for k in await users.keys_of(ctx.session, user.id)]
    working = sum(k.revoked_at is None for k in keys)
    words = (f"{user.username} ({user.full_name}, {user.email}): {user.role}, "
             f"{'active' if user.active else 'deactivated'}, {counted(working, 'working API key')}")
    return s.StaffUserOut(id=user.id, username=user.username, full_name=user.full_name, email=user.email,
                          role=user.role, active=user.active, created_at=user.created_at, keys=keys, summary=words)


def approval_out(row: ApprovalRequest) -> s.ApprovalOut:
    """An approval request as tools show it."""
    return s.ApprovalOut(
        id=row.id, kind=row.kind, subject=row.subject, status=row.status, reason=row.reason, tool_name=row.tool_name,
        arguments=row.arguments, facts=row.payload, requested_by=row.requested_by, created_at=row.created_at,
        decided_by=row.decided_by, decided_at=row.decided_at, comment=row.comment, result=row.result,
        summary=approvals.describe(row),
    )


# --- staff users and API keys ----------------------------------------------------------------


@tool(agent=AGENT, method="POST", path="/users", roles=ADMINS, mutates=True, confirm=True,
      examples=["add a support user lea.petit, Léa Petit, lea.petit@shopcrew.example",
                "create a staff account for Tom Durand as warehouse, username tom.durand, email tom@shopcrew.example",
                "we hired a new merchant: username nina.roy, Nina Roy, nina.roy@shopcrew.example",
                "give our new support agent an account", "create a staff user", "onboard a new colleague",
                "set up a login for the new packer in the warehouse team"])
async def create_staff_user(ctx: ToolContext, params: s.CreateUserIn) -> s.UserWithKeyOut:
    """Create a staff user with a role and issue their first API key (shown once)."""
    full_name = f"{params.first_name.strip()} {params.last_name.strip()}"
    user = await users.create_user(ctx, params.username, full_name, params.email, Role(params.role))
    key, raw = await users.issue_key(ctx, user, params.key_label)
    return s.UserWithKeyOut(user=await user_out(ctx, user), api_key=raw, key=key_out(key),
                            message=f"staff user {user.username} ({user.role}) created with API key {key.prefix}...")


@tool(agent=AGENT, method="GET", path="/users", roles=MANAGERS,
      examples=["list staff users", "who is on the team", "show all admins", "list the support staff",
                "which staff accounts are deactivated", "who has access to the back office"])
async def list_staff_users(ctx: ToolContext, params: s.ListUsersIn) -> s.StaffUserList:
    """List staff users (active ones unless asked), by role."""
    rows, total = await users.list_users(ctx.session, params.role, params.include_inactive, params.limit,
                                         params.offset)
    return s.StaffUserList(users=[await user_out(ctx, u) for u in rows], total=total)


@tool(agent=AGENT, method="GET", path="/users/{username}", roles=MANAGERS,
      examples=["show staff user sam.support", "what role does wendy.warehouse have", "details of staff user 3",
                "which API keys does mia.merchant have", "is sam.support still active"])
async def get_staff_user(ctx: ToolContext, params: s.UserRefIn) -> s.StaffUserOut:
    """Get a staff user by id, username or email, with their API keys."""
    return await user_out(ctx, await users.find_user(ctx.session, params.username))


@tool(agent=AGENT, method="PUT", path="/users/{username}", roles=ADMINS, mutates=True, confirm=True,
      examples=["make sam.support a merchant", "change the email of wendy.warehouse to wendy@shopcrew.example",
                "promote mia.merchant to admin", "reactivate staff user tom.durand",
                "rename staff user 3 to Samuel Okafor", "demote ada.admin to merchant"])
async def update_staff_user(ctx: ToolContext, params: s.UpdateUserIn) -> s.StaffUserOut:
    """Change a staff user's name, email or role (admin only), or reactivate or deactivate them."""
    user = await users.find_user(ctx.session, params.username)
    if params.active is False and user.active:
        await users.deactivate(ctx, user)
    changes = params.model_dump(include={"full_name", "email", "role"}, exclude_none=True)
    if params.active and not user.active:
        changes["active"] = True
    await users.update_user(ctx, user, changes)
    return await user_out(ctx, user)


@tool(agent=AGENT, method="DELETE", path="/users/{username}", roles=ADMINS, mutates=True, confirm=True,
      examples=["remove staff user sam.support", "deactivate wendy.warehouse, she left the company",
                "delete the account of staff user 5", "revoke all access for tom.durand",
                "offboard nina.roy"])
async def deactivate_staff_user(ctx: ToolContext, params: s.UserRefIn) -> s.DeactivatedOut:
    """Deactivate a staff user and revoke their API keys at once (never the last active admin)."""
    user = await users.find_user(ctx.session, params.username)
    revoked = await users.deactivate(ctx, user)
    return s.DeactivatedOut(user=await user_out(ctx, user), revoked_keys=revoked,
                            message=f"{user.username} is deactivated; {counted(revoked, 'API key')} revoked")


@tool(agent=AGENT, method="POST", path="/users/{username}/keys", roles=ADMINS, mutates=True, confirm=True,
      examples=["issue a new API key for sam.support", "sam lost his key, give him a new one",
                "create an API key for mia.merchant for the reporting script",
                "generate a key for staff user 3", "new access token for wendy.warehouse"])
async def issue_api_key(ctx: ToolContext, params: s.IssueKeyIn) -> s.UserWithKeyOut:
    """Issue a new API key for an active staff user (the key is shown once)."""
    user = await users.find_user(ctx.session, params.username)
    key, raw = await users.issue_key(ctx, user, params.label)
    return s.UserWithKeyOut(user=await user_out(ctx, user), api_key=raw, key=key_out(key),
                            message=f"new API key {key.prefix}... issued for {user.username}")


@tool(agent=AGENT, method="DELETE", path="/users/{username}/keys/{key_id}", roles=ADMINS, mutates=True, confirm=True,
      examples=["revoke API key 7 of sam.support", "sam.support's key 3 leaked, revoke it",
                "disable API key 5 of mia.merchant", "cancel API key 12 of wendy.warehouse"])
async def revoke_api_key(ctx: ToolContext, params: s.RevokeKeyIn) -> s.RevokedKeyOut:
    """Revoke one API key of a staff user; it stops authenticating at once."""
    user = await users.find_user(ctx.session, params.username)
    key = await users.find_key(ctx.session, user, int(params.key_id))
    await users.revoke_key(ctx, key)
    return s.RevokedKeyOut(username=user.username, key=key_out(key),
                           message=f"API key {key.prefix}... of {user.username} is revoked")


# --- settings ------------------------------------------------------------------------------


@tool(agent=AGENT, method="GET", path="/config", roles=STAFF_ROLES,
      examples=["show the shop settings", "list system configuration", "which settings can I change",
                "what are the current config values", "show every setting with its default"])
async def list_config(ctx: ToolContext, params: s.NoInput) -> s.ConfigList:
    """List every shop setting with its type, value, default, description and last change."""
    entries = [settings.entry(k, v, row) for k, v, row in await config.all_values(ctx.session)]
    return s.ConfigList(settings=entries, total=len(entries))


@tool(agent=AGENT, method="GET", path="/config/{config_key}", roles=STAFF_ROLES,
      examples=["what is the refund approval threshold", "show setting inventory.reservation_ttl_minutes",
                "how long do stock reservations last", "what is the partial refund percentage setting",
                "current value of approvals.refund_threshold"])
async def get_config_value(ctx: ToolContext, params: s.ConfigKeyIn) -> s.ConfigEntryOut:
    """Get one shop setting by key (or its words) with its value, default and last change."""
    return await settings.read(ctx.session, settings.resolve_key(params.config_key))


@tool(agent=AGENT, method="POST", path="/config", roles=MANAGERS, mutates=True, confirm=True,
      examples=["set the refund approval threshold to 300", "change inventory.reservation_ttl_minutes to 45",
                "stock holds should last 60 minutes", "raise the partial refund limit to 25 percent",
                "set the free-shipping threshold to 60", "update the refund threshold setting to 750 euros",
                "can you switch on free shipping for baskets over 50 in the settings?"])
async def set_config_value(ctx: ToolContext, params: s.SetConfigIn) -> s.ConfigChangedOut:
    """Set a shop setting to a new value, checked against its type and limits."""
    key = settings.resolve_key(params.config_key)
    previous = await config.value(ctx.session, key)
    row = await config.set_value(ctx, key.key, params.value)
    return s.ConfigChangedOut(setting=settings.entry(key, row.value, row), previous=previous,
                              message=f"{key.key} changed from {previous} to {row.value}")


# --- sales reports and dashboard ---------------------------------------------------------------


@tool(agent=AGENT, method="POST", path="/reports/sales", roles=MANAGERS, mutates=True,
      examples=["sales report for October", "sales report from 2026-09-01 to 2026-09-30",
                "how did we sell last month", "sales report for the last 7 days by category",
                "give me a sales report for this year by category and channel",
                "sales figures for last week", "how were sales in November 2026"])
async def create_sales_report(ctx: ToolContext, params: rs.SalesReportIn) -> rs.SalesReportOut:
    """Compute and store a sales report: orders placed in the UTC range and not cancelled, refunds by date made."""
    return await reports.create_sales_report(ctx, Window(params.start_date, params.end_date, params.currency))


@tool(agent=AGENT, method="GET", path="/reports/{report_id}", roles=MANAGERS,
      examples=["show report 0b7c6f7e-3f1c-5b8a-9d2e-4c1a7e9f0d11", "open the stored sales report",
                "get report 5e1f2a3b-0c4d-4e5f-8a9b-1c2d3e4f5a6b by day"])
async def get_report(ctx: ToolContext, params: rs.ReportRef) -> rs.SalesReportOut:
    """Get a stored report by id, with the figures it had when it was computed."""
    report = await reports.get_report(ctx.session, params.report_id)
    return rs.SalesReportOut.model_validate(report.data)


@tool(agent=AGENT, method="GET", path="/reports", roles=MANAGERS,
      examples=["list reports", "which sales reports have we run", "show the stored reports",
                "past sales reports", "reports created this month"])
async def list_reports(ctx: ToolContext, params: rs.ListReportsIn) -> rs.ReportList:
    """List stored reports, newest first, with their headline figures."""
    return await reports.list_reports(ctx.session, params.kind, params.limit, params.offset)


@tool(agent=AGENT, method="GET", path="/dashboard/metrics", roles=MANAGERS,
      examples=["show me the dashboard", "dashboard metrics", "how are we doing today",
                "orders and revenue today, this week and this month", "what needs attention right now",
                "give me the key numbers of the shop"])
async def get_dashboard_metrics(ctx: ToolContext, params: rs.DashboardIn) -> rs.DashboardOut:
    """Get dashboard metrics: orders and revenue today, 7 and 30 days, open returns, low stock, alerts and holds."""
    return await dashboard.metrics(ctx.session, ctx.now(), params.currency)


# --- approval queue --------------------------------------------------------------------------


@tool(agent=AGENT, method="GET", path="/approvals", roles=QUEUE_READERS,
      examples=["pending approvals", "what is waiting for my approval", "show the approval queue",
                "list rejected approval requests", "which refunds are waiting to be approved"])
async def list_approval_requests(ctx: ToolContext, params: s.ListApprovalsIn) -> s.ApprovalList:
    """List approval requests (pending by default), oldest first."""
    rows, total = await approvals.list_requests(ctx.session, params.status, params.kind, params.limit,
                                                params.offset)
    return s.ApprovalList(approvals=[approval_out(r) for r in rows], total=total)


@tool(agent=AGENT, method="GET", path="/approvals/{approval_id}", roles=QUEUE_READERS,
      examples=["show approval request 1", "what is approval 3 about", "was approval request 2 approved",
                "status of my refund approval 4"])
async def get_approval_request(ctx: ToolContext, params: s.ApprovalRef) -> s.ApprovalOut:
    """Get one approval request: what it would run, why it waits, and its decision and result."""
    return approval_out(await approvals.get(ctx.session, params.approval_id))


@tool(agent=AGENT, method="POST", path="/approvals/{approval_id}/approve", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["approve the pending refund", "approve request 1", "yes, approve approval 2, the customer is right",
                "accept approval request 3", "ok the refund in approval 1 can go through"])
async def approve_request(ctx: ToolContext, params: s.DecideIn) -> s.ApprovalOut:
    """Approve a pending request: its held action (e.g. a refund) runs once, as you, and its result is kept."""
    return approval_out(await approvals.approve(ctx, params.approval_id, params.comment))


@tool(agent=AGENT, method="POST", path="/approvals/{approval_id}/reject", roles=MANAGERS, mutates=True,
      confirm=True,
      examples=["reject approval request 1", "deny the pending refund 2, it is not justified",
                "decline approval 3", "refuse request 4, the item was used"])
async def reject_request(ctx: ToolContext, params: s.DecideIn) -> s.ApprovalOut:
    """Reject a pending request; its held action never runs."""
    return approval_out(await approvals.reject(ctx, params.approval_id, params.comment))
