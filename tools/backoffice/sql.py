"""SQL expressions the reports need that SQLite and PostgreSQL spell differently."""

from sqlalchemy import ColumnElement, Date, Integer, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801  (used like a SQL function)
    """The UTC calendar day of a timestamp as a date, on both backends.

    SQLite stores our timestamps as UTC text, so date() is the UTC day ('YYYY-MM-DD', read back as a date).
    PostgreSQL's ::date would use the session's time zone; converting AT TIME ZONE 'UTC' first makes the bucket
    independent of it. A date cast, not to_char: grouping a million orders by text cost several times more.
    """

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


def sum_cents(amount: ColumnElement) -> ColumnElement:
    """SUM of a money expression in whole cents: exact on SQLite (which sums REALs) as on PostgreSQL."""
    return func.coalesce(func.sum(cast(func.round(amount * 100), Integer)), 0)
