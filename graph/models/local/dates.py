"""Dates and periods in a request: ISO dates, 'yesterday', 'last 30 days', 'this month', 'in October'."""

import calendar
import re
from datetime import date, timedelta

from graph.models.local.entities import Found, Request
from graph.models.local.text import NUMBER_WORDS

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "last 30 days", "the past two weeks", "over the last fortnight" (two weeks: no number needed).
COUNT = r"\d+|" + "|".join(NUMBER_WORDS)
LAST_N = re.compile(rf"\b(?:last|past|previous)\s+(?:({COUNT})\s+(day|week|month|year|fortnight)s?|(fortnight))\b",
                    re.I)
NAMED = re.compile(r"\b(today|yesterday|(?:this|last|past)\s+(?:week|month|year))\b", re.I)
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH = re.compile(rf"\b({_MONTH_NAMES})\b\.?(?:\s+(\d{{4}}))?", re.I)
# A day of a month ("4 December", "Dec 4th", "the 4th of december"): a date, never a count or a record's number.
DAY_OF_MONTH = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAMES})\b\.?"
                          rf"|\b(?P<named>{_MONTH_NAMES})\.?\s+(?:the\s+)?(?P<after>\d{{1,2}})(?:st|nd|rd|th)?\b"
                          rf"(?![.,]?\d)"
                          # "the one from the 4th": a day of whichever month the records are of ("the 2nd one" is
                          # the second of a list).
                          rf"|\b(?:on|from|since|of|for|dated)\s+the\s+(?P<bare>\d{{1,2}})(?:st|nd|rd|th)\b"
                          rf"(?!\s+(?:of\s+)?(?:{_MONTH_NAMES}|one|ones)\b)",
                          re.I)
# The month of a day named without one ("the 4th"): any.
ANY_MONTH = 0
# What is on its way arrives "today" or "this week" ahead, no period past: "is my parcel coming today?" asks of
# parcels whenever they were sent.
ARRIVING = re.compile(r"\b(?:com(?:e|es|ing)|comming|arriv(?:e|es|ing)|deliver(?:ed|ing)?|get(?:s|ting)? here"
                      r"|turn(?:s|ing)? up|show(?:s|ing)? up|out for delivery)(?:\s+[\w'-]+){0,2}\s+$", re.I)
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}
NAMED_DAYS = {"today": 1, "yesterday": 2, **UNIT_DAYS}


def _month_period(month: int, year: int | None, today: date) -> tuple[date, date]:
    # A month named without a year is the latest one that has started ("October" in March means last October).
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _named_period(phrase: str, today: date) -> tuple[date, date]:
    phrase = re.sub(r"\s+", " ", phrase.lower()).replace("past", "last")
    if phrase == "today":
        return today, today
    if phrase == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if phrase == "this week":
        return today - timedelta(days=today.weekday()), today
    if phrase == "last week":
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if phrase == "this month":
        return today.replace(day=1), today
    if phrase == "last month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if phrase == "this year":
        return today.replace(month=1, day=1), today
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def periods(request: Request, today: date) -> list[tuple[Found, date, date]]:
    """Every unused date or period in the request, in order, as (match, first day, last day)."""
    out = []
    for f in request.find(ISO):
        try:
            day = date.fromisoformat(f.text)
        except ValueError:
            continue
        out.append((f, day, day))
    for m in LAST_N.finditer(request.text):
        if request.free(m.start(), m.end()):
            count, unit = (m.group(1), m.group(2)) if m.group(1) else ("1", m.group(3))
            days = int(NUMBER_WORDS.get(count.lower(), count)) * UNIT_DAYS[unit.lower()]
            out.append((Found(m.group(0), days, m.start(), m.end()), today - timedelta(days=days), today))
    for f in request.find(NAMED):
        if f.text.lower().startswith(("today", "this")) and ARRIVING.search(request.text[:f.start]):
            continue
        start, end = _named_period(f.text, today)
        out.append((f, start, end))
    for m in MONTH.finditer(request.text):
        # "may" and "march" are also ordinary words: a month needs a capital or a year next to it.
        if request.free(m.start(), m.end()) and (m.group(1)[0].isupper() or m.group(2)):
            start, end = _month_period(MONTHS[m.group(1).lower()], int(m.group(2)) if m.group(2) else None, today)
            out.append((Found(m.group(0), None, m.start(), m.end()), start, end))
    return sorted(out, key=lambda item: item[0].start)


def period_days(request: Request, today: date) -> tuple[Found, int] | None:
    """The first period as a number of days back from today ('last 30 days' -> 30, 'this week' -> 7)."""
    for found, start, _end in periods(request, today):
        if isinstance(found.value, int):
            return found, found.value
        named = NAMED_DAYS.get(re.sub(r"\s+", " ", found.text.lower()).split(" ")[-1])
        return found, named or max(1, (today - start).days + 1)
    return None


# The named periods that are one day.
DAY_WORDS = ("today", "yesterday")


def near_days(text: str, today: date) -> set[tuple[int, int]]:
    """The days a text names by where they stand from today ("yesterday's bump", "today's spike"), as (month, day)."""
    days = [_named_period(m.group(1), today)[0] for m in NAMED.finditer(text) if m.group(1).lower() in DAY_WORDS]
    return {(d.month, d.day) for d in days}


def near_periods(text: str, today: date) -> list[tuple[date, date]]:
    """The weeks, months and years a text names by where they stand from today ("the DAC I bought last week")."""
    return [_named_period(m.group(1), today) for m in NAMED.finditer(text) if m.group(1).lower() not in DAY_WORDS]


def named_weekdays(text: str) -> set[int]:
    """The days of the week a text names ("the order I placed on thursday"), Monday being 0."""
    return {WEEKDAYS[m.group(1).lower()] for m in WEEKDAY.finditer(text)}


def _a_month(word: str) -> bool:
    """Whether a month's word names the month: "may" and "march" only with a capital, short forms too."""
    return word[0].isupper() or len(word) > 3 and word.lower() not in ("may", "march")


def named_months(text: str) -> set[int]:
    """The months a text names in full ("at the end of august"); "may" and "march" only with a capital."""
    return {MONTHS[m.group(1).lower()] for m in MONTH.finditer(text) if _a_month(m.group(1))}


def days_of_month(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The days of a month a text names ("the spike on 4 December", "Dec 4th", "the 4th"): (month, day) and the day's
    span; a day named without its month has the month ANY_MONTH."""
    found = []
    for m in DAY_OF_MONTH.finditer(text):
        if m.group("bare"):
            found.append(((ANY_MONTH, int(m.group("bare"))), m.span("bare")))
            continue
        month, day = (m.group("month"), "day") if m.group("day") else (m.group("named"), "after")
        if _a_month(month) and 1 <= int(m.group(day)) <= 31:
            found.append(((MONTHS[month.lower()], int(m.group(day))), m.span(day)))
    return found
