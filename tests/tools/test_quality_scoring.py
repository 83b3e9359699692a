"""The quality rules exactly as the policy states them: deductions, result thresholds, supplier ratings, sampling."""

from decimal import Decimal

import pytest

from db.enums import DefectSeverity as Sev
from tools.quality.scoring import defect_rate_pct, rating, result, sample_size_for, score


@pytest.mark.parametrize(("defects", "points", "outcome"), [
    ([], 100, "pass"),
    ([(Sev.MAJOR, 1), (Sev.MINOR, 1)], 80, "pass"),
    ([(Sev.MAJOR, 1), (Sev.MINOR, 1), (Sev.TRIVIAL, 1)], 79, "conditional_pass"),
    ([(Sev.MAJOR, 1), (Sev.MINOR, 2)], 75, "conditional_pass"),  # the policy's own example
    ([(Sev.MAJOR, 2), (Sev.MINOR, 2)], 60, "conditional_pass"),
    ([(Sev.MAJOR, 2), (Sev.MINOR, 2), (Sev.TRIVIAL, 1)], 59, "fail"),
    ([(Sev.CRITICAL, 1)], 60, "fail"),
    ([(Sev.CRITICAL, 3)], 0, "fail"),
    ([(Sev.TRIVIAL, 20)], 80, "pass"),
])
def test_score_and_result_from_defects(defects, points, outcome):
    assert score(defects) == points
    assert result(points, any(s is Sev.CRITICAL for s, _ in defects)) == outcome


@pytest.mark.parametrize(("defective", "checked", "expected"), [
    (0, 100, "excellent"), (99, 10000, "excellent"), (1, 100, "good"), (299, 10000, "good"),
    (3, 100, "fair"), (499, 10000, "fair"), (5, 100, "poor"), (40, 100, "poor"), (0, 0, "unrated"),
])
def test_supplier_rating_boundaries(defective, checked, expected):
    assert rating(defect_rate_pct(defective, checked)) == expected


def test_rate_is_rounded_to_hundredths():
    assert defect_rate_pct(1, 3) == Decimal("33.33")


@pytest.mark.parametrize(("received", "sample"), [(3, 3), (40, 5), (100, 5), (101, 6), (400, 20), (2000, 50)])
def test_receiving_sample_is_five_percent_between_five_and_fifty(received, sample):
    assert sample_size_for(received) == sample
