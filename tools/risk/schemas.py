"""Inputs and outputs of the risk tools."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from db.enums import AlertSeverity, AlertStatus
from tools.schemas import ROW_ID_MAX, Number, Page, Schema

MetricName = Literal["orders", "revenue", "refunds", "payment_failures", "return_rate"]


def days_field(default: int, description: str, maximum: int = 90):
    """A window length in days, ending today."""
    return Field(default, ge=1, le=maximum, description=description)


def history_field():
    """How many days before the period make its history."""
    return Field(28, ge=5, le=365, description="How many days before the period its usual range is taken from.")


class DetectIn(Schema):
    metric: MetricName | None = Field(None, description="One metric; all five when left out.")
    days: int = days_field(7, "How many days to judge, ending today (today so far included).")
    history_days: int = history_field()


class AssessIn(Schema):
    days: int = days_field(7, "The period to assess, in days ending today.")
    history_days: int = history_field()


class PointOut(Schema):
    day: date = Field(description="Day (UTC).")
    value: Number = Field(description="The metric's value that day.")
    partial: bool = Field(description="True for today, which is not over yet (judged against the upper fence only).")
    anomalous: bool = Field(description="True when outside the fences.")
    direction: Literal["above", "below"] | None = Field(None, description="Which fence it crossed.")
    severity: AlertSeverity | None = Field(None, description="warning, or critical beyond 3 IQR.")
    alert_id: int | None = Field(None, description="The risk alert raised for it.")


class MetricVerdictOut(Schema):
    metric: MetricName = Field(description="The metric.")
    description: str = Field(description="What it measures.")
    unit: str = Field(description="Its unit.")
    judged: bool = Field(description="False when the history has fewer than 5 points.")
    reason: str = Field("", description="Why it could not be judged.")
    history_points: int = Field(description="Days of history the fences come from.")
    q1: Number | None = Field(None, description="First quartile of the history.")
    q3: Number | None = Field(None, description="Third quartile of the history.")
    iqr: Number | None = Field(None, description="Q3 - Q1.")
    lower_fence: Number | None = Field(None, description="Q1 - 1.5 IQR.")
    upper_fence: Number | None = Field(None, description="Q3 + 1.5 IQR.")
    points: list[PointOut] = Field(description="Every day of the period.")
    anomalies: list[PointOut] = Field(description="The days outside the fences.")


class DetectOut(Schema):
    period_start: date = Field(description="First day judged.")
    period_end: date = Field(description="Last day judged (today).")
    history_days: int = Field(description="Days of history asked for.")
    metrics: list[MetricVerdictOut]
    anomalies_found: int = Field(description="Days outside the fences, over all metrics.")
    alerts_raised: int = Field(description="New risk alerts (one per metric and day; existing ones are reused).")
    summary: str = Field(description="What was found, in a few sentences.")


class AssessOut(Schema):
    level: Literal["unknown", "low", "medium", "high", "critical"] = Field(
        description="low: nothing anomalous; medium: one metric; high: two; critical: three or a far-out value.")
    explanation: str = Field(description="Why, in a few sentences.")
    anomalous_metrics: list[str] = Field(description="Metrics with at least one anomalous day.")
    open_alerts: int = Field(description="Risk alerts still open or acknowledged.")
    alerts_raised: int = Field(description="New risk alerts raised by this assessment.")
    period_start: date = Field(description="First day assessed.")
    period_end: date = Field(description="Last day assessed (today).")
    metrics: list[MetricVerdictOut]


class HistoryIn(Schema):
    metric: MetricName = Field(description="The metric.")
    days: int = days_field(30, "How many days, ending today.", maximum=365)


class DayValue(Schema):
    day: date = Field(description="Day (UTC).")
    value: Number = Field(description="Value that day (today: so far).")


class HistoryOut(Schema):
    metric: MetricName = Field(description="The metric.")
    description: str = Field(description="What it measures.")
    unit: str = Field(description="Its unit.")
    points: list[DayValue] = Field(description="One value per day, oldest first.")
    minimum: Number = Field(description="Lowest daily value.")
    maximum: Number = Field(description="Highest daily value.")
    average: Number = Field(description="Mean daily value.")
    total: Number = Field(description="Sum over the days.")


class ListAlertsIn(Page):
    status: AlertStatus | None = Field(None, description="Only this status; open and acknowledged when left out.")
    metric: MetricName | None = Field(None, description="Only alerts on this metric.")
    severity: AlertSeverity | None = Field(None, description="Only this severity.")


class RiskAlertOut(Schema):
    id: int = Field(description="Alert id.")
    metric: str = Field(description="The metric.")
    day: date | None = Field(None, description="The day it is about.")
    severity: AlertSeverity = Field(description="warning or critical.")
    status: AlertStatus = Field(description="open, acknowledged, resolved or dismissed.")
    value: Number = Field(description="The value that crossed a fence.")
    lower_fence: Number | None = Field(None, description="Lower fence then.")
    upper_fence: Number | None = Field(None, description="Upper fence then.")
    description: str = Field(description="What happened, in a sentence.")
    detected_at: datetime = Field(description="When it was raised.")
    acknowledged_by: str | None = Field(None, description="Who acknowledged it.")
    acknowledged_at: datetime | None = Field(None, description="When.")
    resolved_by: str | None = Field(None, description="Who resolved or dismissed it.")
    resolved_at: datetime | None = Field(None, description="When.")


class AlertListOut(Schema):
    alerts: list[RiskAlertOut]
    total: int = Field(description="How many alerts match in all.")


class AcknowledgeIn(Schema):
    alert_id: int = Field(ge=1, le=ROW_ID_MAX, description="Risk alert id.", examples=[3])
    note: str = Field("", max_length=500, description="What is being done about it.")


class ResolveIn(Schema):
    alert_id: int = Field(ge=1, le=ROW_ID_MAX, description="Risk alert id.", examples=[3])
    outcome: Literal["resolved", "dismissed"] = Field(
        "resolved", description="resolved (dealt with) or dismissed (a false alarm).")
    note: str = Field("", max_length=500, description="How it was dealt with.")


class BackfillIn(Schema):
    days: int = days_field(90, "How many days of history to store, ending today.", maximum=3650)


class BackfillOut(Schema):
    first_day: date = Field(description="First day stored.")
    last_day: date = Field(description="Last day stored (today, so far).")
    metrics: list[str] = Field(description="The metrics stored.")
    samples_written: int = Field(description="Metric samples written (one per metric and day).")
