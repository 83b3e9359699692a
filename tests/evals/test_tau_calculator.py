"""The benchmark's calculate tool, ours: plain decimal arithmetic, never eval."""

from decimal import Decimal

import pytest

from evals.tau.calculator import CalculationError, calculate


@pytest.mark.parametrize("expression, value", [
    ("3131.1 + 4777.75 + 367.38", "8276.23"),  # task 16's gold call
    ("135.24 - 153.23", "-17.99"),
    ("(1 + 2) * 3 / 4", "2.25"),
    ("-(2.5) + +1", "-1.50"),
    ("0.1 + 0.2", "0.30"),  # decimal, so no binary float noise
    ("1 / 3", "0.33"),
    ("2.675 * 1", "2.68"),  # half up on the exact decimal (a float would give 2.67)
    ("  7 ", "7.00"),
])
def test_values_to_the_cent(expression, value):
    assert calculate(expression) == Decimal(value)


@pytest.mark.parametrize("expression", [
    "2 ** 10", "__import__('os').system('true')", "x + 1", "abs(-1)", "True + 1", "'1' + '2'", "1 if 1 else 2",
    "[1][0]", "1 % 2", "1 // 2", "(1).real", "", "1 +", "1e999 * 1",
])
def test_anything_but_arithmetic_is_refused(expression):
    with pytest.raises(CalculationError):
        calculate(expression)


def test_division_by_zero_and_huge_values_are_errors():
    with pytest.raises(CalculationError, match="divides by zero"):
        calculate("1 / (2 - 2)")
    with pytest.raises(CalculationError, match="too large"):
        calculate("1e30 * 1e30")
    with pytest.raises(CalculationError, match="longer than"):
        calculate("1+" * 600 + "1")
