"""Estimators and tests: pass^k and pass@k, bootstrap intervals, McNemar's exact test, the sign test."""

from collections.abc import Sequence
from math import comb

import numpy as np

BOOTSTRAP_SEED = 20_260_611
BOOTSTRAP_RESAMPLES = 2000


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Unbiased chance that k trials drawn from n (c successful) all succeed: C(c,k)/C(n,k), as in tau-bench."""
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of trials {n}")
    return comb(c, k) / comb(n, k)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased chance that at least one of k trials drawn from n (c successful) succeeds: 1 - C(n-c,k)/C(n,k)."""
    if not 1 <= k <= n:
        raise ValueError(f"k={k} must be between 1 and the number of trials {n}")
    return 1 - comb(n - c, k) / comb(n, k)


def bootstrap_ci(
    values: Sequence[float], *, level: float = 0.95, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, resampling the values (one per case) with a fixed seed."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return (float(low), float(high))


def binomial_two_sided(successes: int, n: int) -> float:
    """Exact two-sided p-value of `successes` out of `n` under p = 1/2 (doubling the smaller tail)."""
    if n == 0:
        return 1.0
    tail = sum(comb(n, i) for i in range(min(successes, n - successes) + 1)) / 2**n
    return min(1.0, 2 * tail)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """McNemar's exact test on discordant pairs: cases only A solved versus cases only B solved."""
    return binomial_two_sided(only_a, only_a + only_b)


def sign_test(differences: Sequence[float]) -> float:
    """Exact two-sided sign test of paired differences (ties dropped)."""
    positive = sum(1 for d in differences if d > 0)
    negative = sum(1 for d in differences if d < 0)
    return binomial_two_sided(positive, positive + negative)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), or None when there are no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None
