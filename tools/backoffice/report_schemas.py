"""Inputs and outputs of the sales report and dashboard tools."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from tools.schemas import Money, Page, Schema

MAX_REPORT_DAYS = 1096  # three years of days per report


def Currency():  # noqa: N802  (reads like a type where it is used)
    """The currency a report or dashboard counts in."""
    return Field("EUR", pattern=r"^[A-Z]{3}$", description="Only orders and refunds in this currency (ISO code).",
                 examples=["EUR"])


class SalesReportIn(Schema):
    start_date: date = Field(description="First day of the report (UTC, included).", examples=["2026-10-01"])
    end_date: date = Field(description="Last day of the report (UTC, included).", examples=["2026-10-31"])
    currency: str = Currency()

    @model_validator(mode="after")
    def a_real_range(self) -> "SalesReportIn":
        """The range runs forward and spans at most three years."""
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        if (self.end_date - self.start_date).days + 1 > MAX_REPORT_DAYS:
            raise ValueError(f"a report covers at most {MAX_REPORT_DAYS} days")
        return self


class SalesTotals(Schema):
    orders: int = Field(description="Orders placed in the range that were not cancelled.")
    revenue: Money = Field(description="Their order totals (items + shipping).")
    items_revenue: Money = Field(description="Their item subtotals (the part split by category).")
    shipping: Money = Field(description="Their shipping charges.")
    average_order_value: Money = Field(description="revenue / orders (0 without orders).")
    refund_count: int = Field(description="Successful refunds dated in the range, on orders not cancelled.")
    refunds: Money = Field(description="Amount of those refunds.")
    net: Money = Field(description="revenue - refunds.")


class DayRow(Schema):
    day: date = Field(description="UTC day.")
    orders: int = Field(description="Orders placed that day (not cancelled).")
    revenue: Money = Field(description="Their totals.")
    refunds: Money = Field(description="Refunds made that day.")
    net: Money = Field(description="revenue - refunds.")
    summary: str = Field(description="The row in words.")


class CategoryRow(Schema):
    category_name: str = Field(description="Product category ('Uncategorised' for products without one).")
    orders: int = Field(description="Orders with at least one item of the category.")
    units: int = Field(description="Units of the category ordered.")
    revenue: Money = Field(description="Item revenue of the category (unit price x quantity; no shipping).")
    summary: str = Field(description="The row in words.")


class ChannelRow(Schema):
    channel: str = Field(description="Sales channel: web, marketplace or staff.")
    orders: int = Field(description="Orders placed through it.")
    revenue: Money = Field(description="Their totals.")
    refunds: Money = Field(description="Refunds on orders of this channel made in the range.")
    net: Money = Field(description="revenue - refunds.")
    summary: str = Field(description="The row in words.")


class SalesReportOut(Schema):
    report_id: str = Field(description="Id of the stored report (GET /reports/{report_id}).")
    title: str = Field(description="What the report covers.")
    start_date: date = Field(description="First day (UTC, included).")
    end_date: date = Field(description="Last day (UTC, included).")
    currency: str = Field(description="Currency of every amount.")
    timezone: Literal["UTC"] = Field("UTC", description="Days are UTC calendar days.")
    rule: str = Field(description="Which orders and refunds count.")
    totals: SalesTotals = Field(description="Figures over the whole range.")
    by_day: list[DayRow] = Field(description="Days with orders or refunds, oldest first.")
    by_category: list[CategoryRow] = Field(description="Categories by item revenue, highest first.")
    by_channel: list[ChannelRow] = Field(description="Channels by revenue, highest first.")
    created_by: str = Field(description="Who asked for it.")
    created_at: datetime = Field(description="When it was computed.")


class ReportRef(Schema):
    report_id: str = Field(min_length=8, max_length=36, description="Report id, from create_sales_report or "
                           "list_reports.", examples=["0b7c6f7e-3f1c-5b8a-9d2e-4c1a7e9f0d11"])


class ListReportsIn(Page):
    kind: Literal["sales"] | None = Field(None, description="Only reports of this kind.")


class ReportSummary(Schema):
    report_id: str = Field(description="Report id.")
    kind: str = Field(description="Report kind, e.g. sales.")
    title: str = Field(description="What it covers.")
    created_by: str = Field(description="Who asked for it.")
    created_at: datetime = Field(description="When it was computed.")
    summary: str = Field(description="Its headline figures in words.")


class ReportList(Schema):
    reports: list[ReportSummary] = Field(description="Stored reports, newest first.")
    total: int = Field(description="How many match in all.")


class DashboardIn(Schema):
    currency: str = Currency()


class PeriodFigures(Schema):
    period: Literal["today", "7d", "30d"] = Field(description="today, the last 7 days or the last 30 days "
                                                  "(UTC calendar days, today included).")
    since: date = Field(description="First day of the period.")
    orders: int = Field(description="Orders placed (not cancelled), counted as in the sales report.")
    revenue: Money = Field(description="Their totals.")
    summary: str = Field(description="The period in words.")


class DashboardOut(Schema):
    generated_at: datetime = Field(description="When the figures were read.")
    currency: str = Field(description="Currency of the revenue figures.")
    periods: list[PeriodFigures] = Field(description="Orders and revenue today, over 7 and over 30 days.")
    open_returns: int = Field(description="Return requests not yet settled (requested, approved, in transit, "
                              "received or inspected).")
    low_stock: int = Field(description="Stock rows at or below their reorder point (the low-stock report's rule).")
    critical_stock: int = Field(description="Of which at half the reorder point or below.")
    open_system_alerts: int = Field(description="System alerts open or acknowledged.")
    open_risk_alerts: int = Field(description="Risk alerts open or acknowledged.")
    open_alerts: int = Field(description="Both together.")
    on_hold_orders: int = Field(description="Orders on hold for fraud review.")
    pending_approvals: int = Field(description="Approval requests waiting for a merchant or admin.")
    summary: str = Field(description="The current state in a sentence.")
