"""The quality rules (knowledge/corpus/quality-inspections.md and supplier-rating.md) as plain functions.

Score: 100 less the points of every defective unit (critical 40, major 15, minor 5, trivial 1), never below 0.
Result: any critical defect, or a score under 60, fails; 60-79 is a conditional pass; 80 or more passes.
Supplier rating by defect rate in percent: < 1 excellent, < 3 good, < 5 fair, otherwise poor.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from db.enums import DefectSeverity, InspectionResult

DEDUCTIONS = {DefectSeverity.CRITICAL: 40, DefectSeverity.MAJOR: 15, DefectSeverity.MINOR: 5,
              DefectSeverity.TRIVIAL: 1}
PASS_FROM, CONDITIONAL_FROM = 80, 60
RATINGS = ((Decimal("1"), "excellent"), (Decimal("3"), "good"), (Decimal("5"), "fair"))


def score(defects: Iterable[tuple[DefectSeverity, int]]) -> int:
    """The inspection score from (severity, defective units) pairs: each unit deducts its severity's points."""
    return max(0, 100 - sum(DEDUCTIONS[DefectSeverity(severity)] * quantity for severity, quantity in defects))


def result(points: int, any_critical: bool) -> InspectionResult:
    """pass (>= 80), conditional_pass (60-79) or fail (< 60, or any critical defect)."""
    if any_critical or points < CONDITIONAL_FROM:
        return InspectionResult.FAIL
    return InspectionResult.PASS if points >= PASS_FROM else InspectionResult.CONDITIONAL_PASS


def defect_rate_pct(defective: int, checked: int) -> Decimal | None:
    """Defective units per 100 units checked, to two decimals (None when nothing was checked)."""
    if checked <= 0:
        return None
    return (Decimal(defective) * 100 / Decimal(checked)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rating(rate_pct: Decimal | None) -> str:
    """excellent, good, fair or poor for a defect rate; unrated without one."""
    if rate_pct is None:
        return "unrated"
    return next((name for limit, name in RATINGS if rate_pct < limit), "poor")


def sample_size_for(units_received: int) -> int:
    """The receiving sample: 5 % of the units delivered, at least 5 and at most 50, never more than arrived."""
    wanted = -(-units_received * 5 // 100)  # 5 %, rounded up
    return max(1, min(units_received, max(5, min(50, wanted))))
