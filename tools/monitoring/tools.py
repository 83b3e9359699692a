"""Monitoring tools: the crew watching itself (staff only; the trails for merchants and admins)."""

from db.enums import Role
from tools.context import STAFF_ROLES, ToolContext
from tools.monitoring import alerts, calls, figures, overview, trail
from tools.monitoring import schemas as s
from tools.registry import tool

AGENT = "monitoring"
TRAIL_READERS = {Role.MERCHANT, Role.ADMIN}


def _figures(data: figures.CallFigures) -> dict:
    return {
        "calls": data.calls, "errors": data.errors, "error_rate_pct": figures.percent(data.errors, data.calls),
        "p50_ms": figures.nearest_rank(data.latencies, 50), "p95_ms": figures.nearest_rank(data.latencies, 95),
    }


def _rule(rule: figures.ErrorRule) -> s.ErrorRuleOut:
    return s.ErrorRuleOut(min_runs=rule.min_runs, error_rate_pct=rule.rate)


def _health(data: figures.RunFigures, rule: figures.ErrorRule) -> s.AgentHealthOut:
    return s.AgentHealthOut(
        agent=data.agent, runs=data.runs, outcomes=data.outcomes, errors=data.errors,
        error_rate_pct=figures.percent(data.errors, data.runs), shows_errors=rule.shows_errors(data),
        p50_ms=figures.nearest_rank(data.latencies, 50), p95_ms=figures.nearest_rank(data.latencies, 95),
        model_calls=data.model_calls, prompt_tokens=data.prompt_tokens, completion_tokens=data.completion_tokens,
        tool_calls=data.tool_calls, last_run_at=data.last_run_at,
    )


@tool(agent=AGENT, method="GET", path="/monitoring/overview", roles=STAFF_ROLES,
      examples=["system health", "how is the system doing", "give me the system overview for the last hour",
                "is everything ok with the crew today", "overall status of the shop's systems this week",
                "any problems with the platform right now?"])
async def get_system_overview(ctx: ToolContext, params: s.WindowIn) -> s.OverviewOut:
    """System status: critical/warning on open alerts, degraded if >30% of agents (5+ runs) have >20% error runs.

    Critical when any open alert is critical, else warning when any alert is open, else degraded when more
    than 30 % of the judged agents show errors, else healthy.

    An agent is judged when it has at least monitoring.errors_min_runs runs (default 5) in the window, and
    shows errors when more than monitoring.errors_rate_percent (default 20 %) of those runs ended in error or
    at a limit. An alert is open until it is resolved or dismissed (acknowledging it does not close it).
    """
    since = figures.window_start(ctx.now(), params.window)
    rule = await figures.error_rule(ctx.session)
    runs = await figures.run_figures(ctx.session, since)
    judged, failing = figures.failing(rule, runs)
    open_alerts = await alerts.open_by_severity(ctx.session)
    verdict = overview.system_status(open_alerts, judged, failing)
    overall, _, _ = await figures.call_figures(ctx.session, since)
    return s.OverviewOut(
        status=verdict.status, reasons=verdict.reasons, window=params.window,
        open_alerts={str(k): v for k, v in open_alerts.items()}, rule=_rule(rule), agents_judged=judged,
        agents_with_errors=failing, runs=sum(r.runs for r in runs), tool_calls=overall.calls,
        tool_error_rate_pct=figures.percent(overall.errors, overall.calls),
    )


@tool(agent=AGENT, method="GET", path="/monitoring/agents", roles=STAFF_ROLES,
      examples=["which agents are failing", "agent health for the last 7 days", "how is the order agent doing",
                "show me each agent's error rate and token use today", "health of the marketplace agent this week"])
async def get_agent_health(ctx: ToolContext, params: s.AgentHealthIn) -> s.AgentHealthList:
    """Agent health from the real run records: runs, outcomes, error rate, latency and tokens per agent."""
    since = figures.window_start(ctx.now(), params.window)
    rule = await figures.error_rule(ctx.session)
    runs = await figures.run_figures(ctx.session, since, params.agent)
    return s.AgentHealthList(window=params.window, since=since, rule=_rule(rule),
                             agents=[_health(r, rule) for r in runs])


@tool(agent=AGENT, method="GET", path="/monitoring/metrics", roles=STAFF_ROLES,
      examples=["performance metrics for the last 24 hours", "tool latency p95 this week",
                "error rate of our tools over 30 days", "how fast is place_order in the last hour",
                "which tools fail most often this month"])
async def get_performance_metrics(ctx: ToolContext, params: s.MetricsIn) -> s.MetricsOut:
    """Tool-call performance over 1h, 24h, 7d or 30d: calls, error rate, p50 and p95 latency per agent and tool."""
    since = figures.window_start(ctx.now(), params.window)
    overall, by_agent, by_tool = await figures.call_figures(ctx.session, since, agent=params.agent, tool=params.tool)
    agents = [s.AgentFigures(agent=a, **_figures(f)) for a, f in by_agent.items()]
    tools = [s.ToolFigures(agent=a, tool=t, **_figures(f)) for (a, t), f in by_tool.items()]
    return s.MetricsOut(
        window=params.window, since=since, until=ctx.now(), overall=s.Figures(**_figures(overall)),
        agents=sorted(agents, key=lambda f: (-f.calls, f.agent)),
        tools=sorted(tools, key=lambda f: (-f.calls, f.agent, f.tool)),
    )


@tool(agent=AGENT, method="POST", path="/monitoring/alerts", roles=STAFF_ROLES, mutates=True,
      examples=["raise a critical alert: payment gateway is timing out",
                "create a warning alert that carrier tracking is late", "open an alert about the order agent failing",
                "log an info alert: nightly backup took longer than usual"])
async def create_system_alert(ctx: ToolContext, params: s.CreateAlertIn) -> s.AlertOut:
    """Raise a system alert (info, warning or critical), optionally about one agent."""
    alert = alerts.raise_alert(ctx, source=params.source, title=params.title, description=params.description,
                               severity=params.severity, agent=params.agent)
    await ctx.session.flush()
    alerts.announce(ctx, alert)
    return s.AlertOut.model_validate(alert)


@tool(agent=AGENT, method="GET", path="/monitoring/alerts", roles=STAFF_ROLES,
      examples=["show open system alerts", "any critical alerts?", "list acknowledged alerts",
                "alerts about the payment agent", "which system alerts are still unresolved",
                "has anything been flagged on our end today?"])
async def list_system_alerts(ctx: ToolContext, params: s.ListAlertsIn) -> s.AlertList:
    """List system alerts, most severe and newest first (by default every unresolved one)."""
    statuses = [params.status] if params.status else list(alerts.UNRESOLVED)
    rows, total = await alerts.list_alerts(ctx.session, statuses=statuses, severity=params.severity,
                                           agent=params.agent, limit=params.limit, offset=params.offset)
    return s.AlertList(alerts=[s.AlertOut.model_validate(a) for a in rows], total=total)


@tool(agent=AGENT, method="GET", path="/monitoring/alerts/{alert_id}", roles=STAFF_ROLES,
      examples=["show system alert 3", "details of alert #2", "what is alert 5 about"])
async def get_system_alert(ctx: ToolContext, params: s.AlertRef) -> s.AlertOut:
    """Get one system alert with who acknowledged or closed it."""
    return s.AlertOut.model_validate(await alerts.get_alert(ctx.session, params.alert_id))


@tool(agent=AGENT, method="POST", path="/monitoring/alerts/{alert_id}/acknowledge", roles=STAFF_ROLES,
      mutates=True,
      examples=["acknowledge alert 2", "I'm on system alert 4, mark it acknowledged", "ack alert #1"])
async def acknowledge_system_alert(ctx: ToolContext, params: s.AcknowledgeIn) -> s.AlertOut:
    """Acknowledge an open system alert (someone is on it; it stays open until resolved)."""
    alert = await alerts.get_alert(ctx.session, params.alert_id, for_update=True)
    alerts.acknowledge(ctx, alert, params.note)
    return s.AlertOut.model_validate(alert)


@tool(agent=AGENT, method="POST", path="/monitoring/alerts/{alert_id}/resolve", roles=STAFF_ROLES,
      mutates=True,
      examples=["resolve alert 2, the gateway is back", "close system alert 4", "dismiss alert 3 as a false alarm",
                "mark alert #1 as resolved", "that alert can be closed now, it's been fixed"])
async def resolve_system_alert(ctx: ToolContext, params: s.ResolveIn) -> s.AlertOut:
    """Resolve a system alert (or dismiss it as a false alarm), with a closing note."""
    alert = await alerts.get_alert(ctx.session, params.alert_id, for_update=True)
    alerts.resolve(ctx, alert, params.note, params.outcome == "dismissed")
    return s.AlertOut.model_validate(alert)


@tool(agent=AGENT, method="GET", path="/monitoring/tool-calls", roles=TRAIL_READERS,
      examples=["recent tool calls", "show the last failed tool calls",
                "which tools did customers call in the last hour", "recent calls of place_order",
                "failed REST calls today"])
async def list_recent_tool_calls(ctx: ToolContext, params: s.ToolCallsIn) -> s.ToolCallList:
    """List recent tool calls (REST and chat), newest first, by tool, agent, role, outcome and time."""
    since = figures.window_start(ctx.now(), params.window) if params.window else None
    rows = await calls.recent_calls(ctx.session, since=since, tool=params.tool, agent=params.agent,
                                    role=params.role, ok=params.ok, via=params.via, limit=params.limit,
                                    offset=params.offset)
    return s.ToolCallList(calls=[s.ToolCallOut.model_validate(r) for r in rows])


@tool(agent=AGENT, method="GET", path="/monitoring/audit-events", roles=TRAIL_READERS,
      examples=["recent audit events", "who changed order #W2611340", "audit trail of staff:alice.admin",
                "what happened to system alert 2", "audit events for orders since yesterday"])
async def list_audit_events(ctx: ToolContext, params: s.AuditEventsIn) -> s.AuditEventList:
    """List audit events, newest first, by kind of record, record id, actor, action and time."""
    rows, total = await trail.audit_events(
        ctx.session, entity=params.entity, entity_id=params.entity_id, actor=params.actor, action=params.action,
        since=params.since, until=params.until, limit=params.limit, offset=params.offset,
    )
    return s.AuditEventList(events=[s.AuditEventOut.model_validate(e) for e in rows], total=total)

