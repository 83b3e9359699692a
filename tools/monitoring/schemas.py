"""Inputs and outputs of the monitoring tools."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, computed_field

from db.enums import AlertSeverity, AlertStatus, CallVia, Role
from tools.monitoring.figures import Window
from tools.monitoring.overview import SystemStatus
from tools.schemas import Number, Page, Schema

AGENT_EXAMPLES = ["after_sales", "order"]
AgentName = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,31}$")]
ToolName = Annotated[str, Field(pattern=r"^[a-z]+(_[a-z0-9]+)+$")]


def window_field():
    """The time window a figure covers, ending now."""
    return Field("24h", description="Time window ending now: 1h, 24h, 7d or 30d (or hour, day, week, month).",
                 examples=["24h", "7d"])


class WindowIn(Schema):
    window: Window = window_field()


class AgentHealthIn(Schema):
    window: Window = window_field()
    agent: AgentName | None = Field(None, description="Only this agent.",
                              examples=AGENT_EXAMPLES)


class MetricsIn(Schema):
    window: Window = window_field()
    agent: AgentName | None = Field(None, description="Only this agent's tools.",
                              examples=AGENT_EXAMPLES)
    tool: ToolName | None = Field(None, description="Only this tool.",
                             examples=["place_order"])


class Figures(Schema):
    calls: int = Field(description="Tool calls in the window.")
    errors: int = Field(description="Calls that ended in a refusal or an error.")
    error_rate_pct: Number = Field(description="errors / calls, in percent.")
    p50_ms: int | None = Field(None, description="Median latency (nearest rank), ms; null without calls.")
    p95_ms: int | None = Field(None, description="95th percentile latency (nearest rank), ms.")


class AgentFigures(Figures):
    agent: str = Field(description="Agent.")

    @computed_field(description="The figures in a line, for people.")
    @property
    def summary(self) -> str:
        return f"{self.agent}: {_calls(self)}"


class ToolFigures(Figures):
    agent: str = Field(description="Agent the tool belongs to.")
    tool: str = Field(description="Tool name.")

    @computed_field(description="The figures in a line, for people.")
    @property
    def summary(self) -> str:
        return f"{self.tool} ({self.agent}): {_calls(self)}"


def _calls(figures: Figures) -> str:
    latency = f", p50 {figures.p50_ms} ms, p95 {figures.p95_ms} ms" if figures.calls else ""
    return f"{figures.calls} calls, {figures.errors} failed ({figures.error_rate_pct}%){latency}"


class MetricsOut(Schema):
    window: str = Field(description="The window: 1h, 24h, 7d or 30d.")
    since: datetime = Field(description="Start of the window.")
    until: datetime = Field(description="End of the window (now).")
    overall: Figures = Field(description="Every call in the window.")
    agents: list[AgentFigures] = Field(description="Per agent, most calls first.")
    tools: list[ToolFigures] = Field(description="Per tool, most calls first.")


class AgentHealthOut(Schema):
    agent: str = Field(description="Agent ('supervisor' for turns no specialist took).")
    runs: int = Field(description="Chat turns the agent answered in the window.")
    outcomes: dict[str, int] = Field(description="Runs per outcome (answered, refused, error...).")
    errors: int = Field(description="Runs that ended in error or at a model/tool-call limit.")
    error_rate_pct: Number = Field(description="errors / runs, in percent.")
    shows_errors: bool = Field(description="At least the minimum runs and an error rate above the threshold.")
    p50_ms: int | None = Field(None, description="Median turn latency (nearest rank), ms.")
    p95_ms: int | None = Field(None, description="95th percentile turn latency (nearest rank), ms.")
    model_calls: int = Field(description="Model calls in all.")
    prompt_tokens: int = Field(description="Prompt tokens in all.")
    completion_tokens: int = Field(description="Completion tokens in all.")
    tool_calls: int = Field(description="Tool calls made during these runs.")
    last_run_at: datetime | None = Field(None, description="When the latest run ended.")

    @computed_field(description="The agent's health in a line, for people.")
    @property
    def summary(self) -> str:
        flag = " - shows errors" if self.shows_errors else ""
        return (f"{self.agent}: {self.runs} runs, {self.errors} ended in error ({self.error_rate_pct}%), "
                f"p95 {self.p95_ms} ms, {self.prompt_tokens + self.completion_tokens} tokens{flag}")


class ErrorRuleOut(Schema):
    min_runs: int = Field(description="Runs an agent needs in the window to be judged (monitoring.errors_min_runs).")
    error_rate_pct: Number = Field(description="Error share it must exceed (monitoring.errors_rate_percent).")


class AgentHealthList(Schema):
    window: str = Field(description="The window.")
    since: datetime = Field(description="Start of the window.")
    rule: ErrorRuleOut = Field(description="When an agent shows errors.")
    agents: list[AgentHealthOut] = Field(description="Agents with runs in the window, by name.")


class OverviewOut(Schema):
    status: SystemStatus = Field(description="healthy, degraded, warning or critical.")
    reasons: list[str] = Field(description="Every condition that holds, most serious first.")
    window: str = Field(description="The window agent health is judged over.")
    open_alerts: dict[str, int] = Field(description="Unresolved alerts (open or acknowledged) per severity.")
    rule: ErrorRuleOut = Field(description="When an agent shows errors.")
    agents_judged: list[str] = Field(description="Agents with enough runs in the window to be judged.")
    agents_with_errors: list[str] = Field(description="Judged agents that show errors.")
    runs: int = Field(description="Chat turns in the window.")
    tool_calls: int = Field(description="Tool calls in the window.")
    tool_error_rate_pct: Number = Field(description="Share of those calls that failed, in percent.")


class CreateAlertIn(Schema):
    title: str = Field(min_length=3, max_length=200, description="What is wrong, in a line.",
                       examples=["Carrier tracking updates are late"])
    severity: AlertSeverity = Field(AlertSeverity.WARNING, description="info, warning or critical.")
    description: str = Field("", max_length=4000, description="Details: what was seen, since when.")
    source: str = Field("staff", min_length=2, max_length=64, description="Who or what raised it.",
                        examples=["staff", "payment"])
    agent: AgentName | None = Field(None, description="The agent it concerns, if any.",
                              examples=AGENT_EXAMPLES)


class ListAlertsIn(Page):
    status: AlertStatus | None = Field(None, description="Only this status; by default every unresolved alert.")
    severity: AlertSeverity | None = Field(None, description="Only this severity.")
    agent: AgentName | None = Field(None, description="Only alerts about this agent.")


class AlertRef(Schema):
    alert_id: int = Field(ge=1, le=2_000_000_000, description="System alert id.", examples=[3])


class AcknowledgeIn(AlertRef):
    note: str | None = Field(None, max_length=1000, description="Who is on it, what is being done.")


class ResolveIn(AlertRef):
    note: str | None = Field(None, max_length=1000, description="What fixed it, or why it was a false alarm.")
    outcome: Literal["resolved", "dismissed"] = Field(
        "resolved", description="resolved (the problem is fixed) or dismissed (it was a false alarm).")


class AlertOut(Schema):
    id: int = Field(description="Alert id.")
    title: str = Field(description="What is wrong.")
    severity: AlertSeverity = Field(description="info, warning or critical.")
    status: AlertStatus = Field(description="open, acknowledged, resolved or dismissed.")
    source: str = Field(description="Who or what raised it.")
    agent: str | None = Field(None, description="The agent it concerns.")
    description: str = Field(description="Details.")
    created_at: datetime = Field(description="When it was raised.")
    acknowledged_at: datetime | None = Field(None, description="When someone took it on.")
    acknowledged_by: str | None = Field(None, description="Who took it on.")
    resolved_at: datetime | None = Field(None, description="When it was closed.")
    resolved_by: str | None = Field(None, description="Who closed it.")
    resolution: str | None = Field(None, description="The closing note.")

    @computed_field(description="The alert in a line, for people.")
    @property
    def summary(self) -> str:
        about = f" (agent {self.agent})" if self.agent else ""
        return f"alert {self.id}, {self.severity} and {self.status}: {self.title}{about}"


class AlertList(Schema):
    alerts: list[AlertOut]
    total: int = Field(description="How many alerts match in all.")


class ToolCallsIn(Page):
    window: Window | None = Field(None, description="Only calls in this window (1h, 24h, 7d, 30d).")
    tool: ToolName | None = Field(None, description="Only this tool.")
    agent: AgentName | None = Field(None, description="Only this agent's tools.")
    role: Role | None = Field(None, description="Only calls by this role (customer, support...).")
    ok: bool | None = Field(None, description="true: only successful calls; false: only failed ones.")
    via: CallVia | None = Field(None, description="Only calls through this face: rest, chat or internal.")


class ToolCallOut(Schema):
    id: int = Field(description="Record id.")
    tool: str = Field(description="Tool name.")
    agent: str = Field(description="Agent the tool belongs to.")
    role: Role = Field(description="The caller's role.")
    principal: str = Field(description="The caller (customer:<email> or staff:<username>).")
    via: CallVia = Field(description="rest, chat or internal.")
    ok: bool = Field(description="True when the call succeeded.")
    error_code: str | None = Field(None, description="The refusal's code when it failed.")
    latency_ms: int = Field(description="Time the call took, ms.")
    created_at: datetime = Field(description="When it ended.")

    @computed_field(description="The call in a line, for people.")
    @property
    def summary(self) -> str:
        outcome = "ok" if self.ok else f"failed ({self.error_code})"
        return f"{self.tool} by {self.principal} via {self.via}: {outcome}, {self.latency_ms} ms"


class ToolCallList(Schema):
    calls: list[ToolCallOut]


class AuditEventsIn(Page):
    entity: str | None = Field(None, min_length=2, max_length=32, description="Kind of record.",
                               examples=["order", "system_alert"])
    entity_id: str | None = Field(None, min_length=1, max_length=64, description="The record's id.",
                                  examples=["#W2611340"])
    actor: str | None = Field(None, min_length=2, max_length=100, description="Who acted (any part of the label).",
                              examples=["staff:alice.admin"])
    action: str | None = Field(None, min_length=2, max_length=64, description="What was done.",
                               examples=["status_changed"])
    since: datetime | None = Field(None, description="On or after this moment (ISO 8601).")
    until: datetime | None = Field(None, description="Before this moment (ISO 8601).")


class AuditEventOut(Schema):
    id: int = Field(description="Audit row id.")
    entity: str = Field(description="Kind of record.")
    entity_id: str = Field(description="The record's id.")
    action: str = Field(description="What was done.")
    from_state: str | None = Field(None, description="Status before.")
    to_state: str | None = Field(None, description="Status after.")
    actor: str = Field(description="Who did it.")
    data: dict[str, Any] = Field(description="Facts recorded with it.")
    created_at: datetime = Field(description="When.")

    @computed_field(description="The event in a line, for people.")
    @property
    def summary(self) -> str:
        move = f" ({self.from_state or 'new'} -> {self.to_state})" if self.to_state else ""
        return f"{self.entity} {self.entity_id} {self.action.replace('_', ' ')}{move} by {self.actor}"


class AuditEventList(Schema):
    events: list[AuditEventOut]
    total: int = Field(description="How many rows match in all.")
