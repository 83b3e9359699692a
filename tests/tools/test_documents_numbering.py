"""Gapless numbering: concurrent issues take consecutive numbers; each series and year counts on its own."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.engine import unit_of_work
from db.enums import DocumentKind
from db.models import Invoice, InvoiceSequence
from tests import factories as f
from tests.tools.documents_helpers import keyboard, parcel
from tools.context import ToolContext
from tools.documents import invoices
from tools.documents.numbering import next_number
from tools.runner import execute


async def test_twenty_simultaneous_invoices_take_twenty_consecutive_numbers(sessions, support):
    product = await keyboard(sessions)
    customer = await f.customer(sessions)
    orders = [(await parcel(sessions, customer=customer, product=product)).order.id for _ in range(20)]
    results = await asyncio.gather(*(execute(sessions, support, "issue_invoice", {"order_id": o}) for o in orders))
    numbers = sorted(int(r.number.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, 21))
    async with sessions() as s:
        stored = sorted((await s.scalars(select(Invoice.number))).all())
        counter = await s.scalar(select(InvoiceSequence.last_number).where(
            InvoiceSequence.series == DocumentKind.INVOICE))
    assert stored == sorted(r.number for r in results) and len(set(stored)) == 20
    assert counter == 20


async def test_a_failed_transaction_leaves_no_gap(sessions, support, monkeypatch):
    first, failing, second = await parcel(sessions), await parcel(sessions), await parcel(sessions)
    assert (await execute(sessions, support, "issue_invoice", {"order_id": first.order.id})).number.endswith("000001")

    async def broken_render(*args, **kwargs):
        raise RuntimeError("renderer crashed after the number was taken")

    monkeypatch.setattr(invoices, "render", broken_render)
    with pytest.raises(RuntimeError):
        await execute(sessions, support, "issue_invoice", {"order_id": failing.order.id})
    monkeypatch.undo()
    assert (await execute(sessions, support, "issue_invoice", {"order_id": second.order.id})).number.endswith("000002")


async def test_series_and_years_count_separately(sessions, support):
    async with unit_of_work(sessions) as s:
        taken = [await next_number(s, DocumentKind.INVOICE, 2026), await next_number(s, DocumentKind.CREDIT_NOTE, 2026),
                 await next_number(s, DocumentKind.INVOICE, 2026), await next_number(s, DocumentKind.INVOICE, 2027)]
    assert taken == ["INV-2026-000001", "CN-2026-000001", "INV-2026-000002", "INV-2027-000001"]


async def test_invoice_number_takes_the_year_of_issue(sessions, support):
    p = await parcel(sessions)
    async with unit_of_work(sessions) as s:
        ctx = ToolContext(session=s, principal=support, clock=lambda: datetime(2027, 1, 1, 0, 5, tzinfo=UTC))
        invoice = await invoices.issue_invoice(ctx, p.order.id)
    assert invoice.number == "INV-2027-000001"
