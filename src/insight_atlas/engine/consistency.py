"""Careless-responding indices that use many items at once.

Pure arithmetic on one person's answers; the parameters (item means, the
covariance matrix, scale halves) come from ``validity_params``. The derivation
script (tools/derive_validity.py) calls these same functions on the reference
sample, so a shipped threshold is a quantile of exactly what the engine computes.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence

# Sums below are of lists, not generators: the same additions in the same order (so the
# same floats as the derivation got), at half the interpreter's cost on every report.


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Correlation, or None when it is undefined (fewer than 3 pairs or no variance)."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum([(x - mx) ** 2 for x in xs])
    syy = sum([(y - my) ** 2 for y in ys])
    if sxx == 0 or syy == 0:
        return None
    sxy = sum([(x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)])
    return sxy / math.sqrt(sxx * syy)


def pair_correlation(pairs: Sequence[tuple[str, str]], answers: Mapping[str, int]) -> float | None:
    """Within-person correlation across psychometric synonym (or antonym) pairs.

    Johnson (2005), J. Research in Personality 39, 103-129; Meade & Craig (2012),
    Psychological Methods 17(3), 437-455. Raw answers are used: an antonym pair is
    two items of opposite keying, so attentive answers correlate negatively.
    """
    complete = [(answers[a], answers[b]) for a, b in pairs if a in answers and b in answers]
    return pearson([float(a) for a, _ in complete], [float(b) for _, b in complete])


def even_odd(scales: Sequence[Sequence[str]], keyed: Mapping[str, int]) -> float | None:
    """Even-odd consistency (Johnson, 2005): each scale is split into its odd and even
    items (presentation order); the two half-score vectors are correlated across
    scales and stepped up with Spearman-Brown. Values below -1 are reported as -1.
    """
    odd: list[float] = []
    even: list[float] = []
    for items in scales:
        first = [keyed[i] for i in items[0::2] if i in keyed]
        second = [keyed[i] for i in items[1::2] if i in keyed]
        if first and second:
            odd.append(sum(first) / len(first))
            even.append(sum(second) / len(second))
    r = pearson(odd, even)
    if r is None:
        return None
    return max(-1.0, 2 * r / (1 + r)) if r > -1 else -1.0


def person_total(item_means: Sequence[float], values: Sequence[int | None]) -> float | None:
    """Person-total correlation (Curran, 2016, J. Experimental Social Psychology 66,
    4-19): the person's raw answers correlated with the reference sample's item means.
    Attentive answers follow the items' usual popularity; random answers do not.
    """
    pairs = [(m, float(v)) for m, v in zip(item_means, values, strict=True) if v is not None]
    return pearson([m for m, _ in pairs], [v for _, v in pairs])


def mahalanobis(
    mean: Sequence[float], inverse: Sequence[Sequence[float]], values: Sequence[int]
) -> float:
    """Squared Mahalanobis distance of the answer vector from the reference sample
    (Meade & Craig, 2012): how unusual the whole combination of answers is, given the
    items' means and how they go together."""
    d = [float(v) - m for v, m in zip(values, mean, strict=True)]
    total = 0.0
    for di, row in zip(d, inverse, strict=True):
        total += di * sum([r * dj for r, dj in zip(row, d, strict=True)])
    return total


def inter_item_sd(scales: Sequence[Sequence[str]], keyed: Mapping[str, int]) -> float | None:
    """Inter-item standard deviation (Marjanovic, Holden, Struthers, Cribbie &
    Greenglass, 2015, Personality and Individual Differences 84, 79-83): the spread of
    the keyed answers within each scale, averaged over scales. Items of one scale
    describe the same thing, so attentive answers to them sit close together.
    """
    sds: list[float] = []
    for items in scales:
        # Whole numbers: their sum and differences are the same floats without float().
        values = [keyed[i] for i in items if i in keyed]
        if len(values) >= 2:
            mean = sum(values) / len(values)
            sds.append(math.sqrt(sum([(v - mean) ** 2 for v in values]) / len(values)))
    return sum(sds) / len(sds) if sds else None


def invert(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    """Inverse of a symmetric positive-definite matrix (Gauss-Jordan, partial pivoting)."""
    n = len(matrix)
    a = [
        [float(x) for x in row] + [1.0 if i == j else 0.0 for j in range(n)]
        for i, row in enumerate(matrix)
    ]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            raise ValueError("covariance matrix is singular")
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        a[col] = [x / p for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0.0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [row[n:] for row in a]


def percentile_rank(value: float, percentiles: Sequence[float]) -> float:
    """Share (0-100) of the reference distribution at or below ``value``.

    ``percentiles`` holds the reference distribution's 0th, 1st, ..., 100th
    percentiles; the rank is interpolated between them.
    """
    if value < percentiles[0]:
        return 0.0
    if value >= percentiles[-1]:
        return 100.0
    # Last percentile point still at or below the value (ties: the upper end); the
    # points are in ascending order.
    k = bisect.bisect_right(percentiles, value) - 1
    lo, hi = percentiles[k], percentiles[k + 1]
    return k + ((value - lo) / (hi - lo) if hi > lo else 0.0)
