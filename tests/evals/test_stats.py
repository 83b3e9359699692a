"""pass^k / pass@k on known inputs, bootstrap intervals, and the paired tests."""

from math import isclose

import pytest

from evals.stats import bootstrap_ci, mcnemar_exact, pass_at_k, pass_hat_k, percentile, sign_test


def test_pass_hat_k_known_values():
    assert pass_hat_k(4, 2, 1) == 0.5
    assert isclose(pass_hat_k(4, 2, 2), 1 / 6)  # C(2,2)/C(4,2)
    assert pass_hat_k(4, 2, 3) == 0.0
    assert pass_hat_k(5, 5, 5) == 1.0
    assert isclose(pass_hat_k(5, 4, 3), 4 / 10)  # C(4,3)/C(5,3)


def test_pass_at_k_known_values():
    assert pass_at_k(4, 2, 1) == 0.5
    assert isclose(pass_at_k(4, 2, 2), 5 / 6)  # 1 - C(2,2)/C(4,2)
    assert pass_at_k(4, 2, 3) == 1.0
    assert pass_at_k(5, 0, 5) == 0.0
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_bootstrap_interval_contains_the_mean_and_is_reproducible():
    values = [1, 0, 1, 1, 0, 1, 0.5, 1, 0, 1]
    low, high = bootstrap_ci(values)
    assert low <= sum(values) / len(values) <= high
    assert 0 <= low < high <= 1
    assert bootstrap_ci(values) == (low, high)
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)


def test_mcnemar_exact():
    assert isclose(mcnemar_exact(0, 6), 2 / 64)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0
    assert isclose(mcnemar_exact(1, 9), 2 * 11 / 1024)


def test_sign_test_drops_ties():
    assert isclose(sign_test([-5, -3, -1, -2, -8, 0, 0]), 2 / 32)
    assert sign_test([1, -1]) == 1.0


def test_percentile():
    assert percentile([100, 200, 300, 400], 50) == 250
    assert percentile([], 95) is None
