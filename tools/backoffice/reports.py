"""Stored reports: a sales report is computed once, kept as a Report row and read back as it was."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Report
from tools.audit import audit, emit
from tools.backoffice import report_schemas as s
from tools.backoffice.sales import RULE, Window, counted, figures, fmt
from tools.context import ToolContext
from tools.errors import NotFound

SALES = "sales"


def sales_title(w: Window) -> str:
    """'Sales 2026-10-01 to 2026-10-31 (EUR)'."""
    return f"Sales {w.start.isoformat()} to {w.end.isoformat()} ({w.currency})"


def sales_report(report_id: str, w: Window, data: dict[str, Any], created_by: str,
                 created_at: datetime) -> s.SalesReportOut:
    """A sales report from its window and figures."""
    return s.SalesReportOut(report_id=report_id, title=sales_title(w), start_date=w.start, end_date=w.end,
                            currency=w.currency, rule=RULE, created_by=created_by, created_at=created_at, **data)


def report_row(out: s.SalesReportOut) -> Report:
    """The Report row that keeps a sales report."""
    return Report(id=out.report_id, kind=SALES, created_by=out.created_by, created_at=out.created_at,
                  updated_at=out.created_at, data=out.model_dump(mode="json"),
                  parameters={"start_date": out.start_date.isoformat(), "end_date": out.end_date.isoformat(),
                              "currency": out.currency})


async def create_sales_report(ctx: ToolContext, w: Window) -> s.SalesReportOut:
    """Compute the sales report of the window and store it."""
    out = sales_report(str(uuid.uuid4()), w, await figures(ctx.session, w), ctx.actor, ctx.now())
    ctx.session.add(report_row(out))
    audit(ctx, "report", out.report_id, "created", data={"kind": SALES, **report_row(out).parameters})
    emit(ctx, "report.created", out.report_id, {"kind": SALES, "revenue": str(out.totals.revenue),
                                               "orders": out.totals.orders})
    return out


async def get_report(session: AsyncSession, report_id: str) -> Report:
    """A stored report by id."""
    report = await session.get(Report, report_id.strip().lower())
    if report is None:
        raise NotFound(f"report {report_id} not found")
    return report


def summary_of(report: Report) -> s.ReportSummary:
    """A stored report's headline in a listing."""
    data = report.data
    totals, currency = data.get("totals", {}), data.get("currency", "")
    words = (f"{data.get('title', report.kind)}: {counted(totals.get('orders', 0), 'order')}, "
             f"revenue {fmt(totals.get('revenue', 0), currency)}, net {fmt(totals.get('net', 0), currency)} "
             f"(asked by {report.created_by})")
    return s.ReportSummary(report_id=report.id, kind=report.kind, title=data.get("title", report.kind),
                           created_by=report.created_by, created_at=report.created_at, summary=words)


async def list_reports(session: AsyncSession, kind: str | None, limit: int, offset: int) -> s.ReportList:
    """Stored reports, newest first, with the total count."""
    criteria = [Report.kind == kind] if kind else []
    total = await session.scalar(select(func.count(Report.id)).where(*criteria))
    rows = await session.scalars(select(Report).where(*criteria)
                                 .order_by(Report.created_at.desc(), Report.id).limit(limit).offset(offset))
    return s.ReportList(reports=[summary_of(r) for r in rows], total=total or 0)
