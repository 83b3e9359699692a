"""Anomalies by Tukey's IQR fences (DESIGN 6: Q1 - 1.5 IQR, Q3 + 1.5 IQR, at least 5 history points).

The period judged is the last N days (today so far included); the history is the days before it, back
to the shop's first trading day. A partial today can only grow, so it is judged against the upper fence only.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from db.enums import AlertSeverity
from tools.risk.metrics import days_between

MIN_HISTORY = 5
FENCE = Decimal("1.5")
# Beyond 3 IQR (Tukey's "far out") an anomaly is critical.
FAR = Decimal(3)


class NotEnoughHistory(ValueError):
    """Fewer history points than the detector needs to judge."""


@dataclass(frozen=True)
class Fences:
    """Quartiles and fences of a history."""

    q1: Decimal
    q3: Decimal
    points: int

    @property
    def iqr(self) -> Decimal:
        """Q3 - Q1."""
        return self.q3 - self.q1

    @property
    def lower(self) -> Decimal:
        """Q1 - 1.5 IQR."""
        return self.q1 - FENCE * self.iqr

    @property
    def upper(self) -> Decimal:
        """Q3 + 1.5 IQR."""
        return self.q3 + FENCE * self.iqr


def fences(history: Sequence[Decimal]) -> Fences:
    """The fences of a history of at least 5 points (quartiles by linear interpolation); refuses fewer."""
    if len(history) < MIN_HISTORY:
        raise NotEnoughHistory(f"only {len(history)} history points; at least {MIN_HISTORY} are needed")
    q1, _, q3 = statistics.quantiles([Decimal(v) for v in history], n=4, method="inclusive")
    return Fences(Decimal(q1), Decimal(q3), len(history))


@dataclass(frozen=True)
class Point:
    """One day of the period, judged."""

    day: date
    value: Decimal
    partial: bool = False
    direction: str | None = None  # above or below, when outside the fences
    severity: AlertSeverity | None = None

    @property
    def anomalous(self) -> bool:
        """True when outside the fences."""
        return self.direction is not None


def judge(value: Decimal, limits: Fences, partial: bool = False) -> tuple[str | None, AlertSeverity | None]:
    """Where a value stands against the fences: (above|below|None, warning|critical|None)."""
    if value > limits.upper:
        far = limits.q3 + FAR * limits.iqr
        return "above", AlertSeverity.CRITICAL if limits.iqr > 0 and value > far else AlertSeverity.WARNING
    if value < limits.lower and not partial:
        far = limits.q1 - FAR * limits.iqr
        return "below", AlertSeverity.CRITICAL if limits.iqr > 0 and value < far else AlertSeverity.WARNING
    return None, None


@dataclass
class Verdict:
    """One metric over a period: its fences (when it could be judged) and its points."""

    metric: str
    fences: Fences | None
    points: list[Point] = field(default_factory=list)
    reason: str = ""

    @property
    def anomalies(self) -> list[Point]:
        """The offending points."""
        return [p for p in self.points if p.anomalous]


def window(now: datetime, days: int, history_days: int, opened: date | None) -> tuple[list[date], list[date]]:
    """(history days, period days): the period is the last `days` days (today included), the history the
    `history_days` days before it, never before the shop's first trading day."""
    today = now.date()
    period = days_between(today - timedelta(days=days - 1), today)
    start = period[0] - timedelta(days=history_days)
    if opened is None or opened >= period[0]:
        return [], period
    return days_between(max(start, opened), period[0] - timedelta(days=1)), period


def verdict(metric: str, values: dict[date, Decimal], history: list[date], period: list[date],
            today: date) -> Verdict:
    """Judge the period's values of one metric against the fences of its history."""
    try:
        limits = fences([values[d] for d in history])
    except NotEnoughHistory as refusal:
        points = [Point(d, values[d], d == today) for d in period]
        return Verdict(metric, None, points, str(refusal))
    points = [Point(d, values[d], d == today, *judge(values[d], limits, d == today)) for d in period]
    return Verdict(metric, limits, points)
