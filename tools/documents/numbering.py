"""Gapless document numbers (INV-YYYY-NNNNNN, CN-YYYY-NNNNNN), handed out inside the document's transaction.

The counter row of the (series, year) is created if missing (INSERT ... ON CONFLICT DO NOTHING) and bumped
with one atomic UPDATE ... RETURNING. On PostgreSQL that UPDATE holds the row lock until the transaction
ends, so concurrent issuers queue behind it and each reads the number the previous one committed; on
SQLite every transaction already begins IMMEDIATE (db/engine.py), so writers run one at a time. A
transaction that fails rolls its bump back with it: no number is ever skipped or used twice.
"""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentKind
from db.models import InvoiceSequence

PREFIXES = {DocumentKind.INVOICE: "INV", DocumentKind.CREDIT_NOTE: "CN"}
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def format_number(series: DocumentKind, year: int, number: int) -> str:
    """The printed number, e.g. INV-2026-000123."""
    return f"{PREFIXES[series]}-{year}-{number:06d}"


async def next_number(session: AsyncSession, series: DocumentKind, year: int) -> str:
    """Take the next number of the series for the year (the counter restarts at 1 each year)."""
    insert = INSERTS[session.get_bind().dialect.name]
    await session.execute(
        insert(InvoiceSequence).values(series=series, year=year, last_number=0).on_conflict_do_nothing()
    )
    number = await session.scalar(
        update(InvoiceSequence)
        .where(InvoiceSequence.series == series, InvoiceSequence.year == year)
        .values(last_number=InvoiceSequence.last_number + 1)
        .returning(InvoiceSequence.last_number)
    )
    return format_number(series, year, number)
