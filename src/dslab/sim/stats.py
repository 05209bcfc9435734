"""Summary statistics for many trials and for time series: percentiles, confidence intervals,
time-weighted averages."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# Two-sided 95% Student-t critical values for 1..30 degrees of freedom; beyond, the expansion
# in t95() is within 1e-7 of the exact quantile.
_T95 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]

PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


_Z975 = 1.959963984540054  # the normal's 97.5% quantile


def t95(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom.

    From the table up to 30; beyond, the Cornish-Fisher expansion of t about the normal quantile
    (Abramowitz and Stegun 26.7.5), so a CI from 31..120 trials is not quietly too narrow.
    """
    if df < 1:
        return math.inf
    if df <= len(_T95):
        return _T95[df - 1]
    z = _Z975
    terms = [
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    ]
    return z + sum(g / df ** (k + 1) for k, g in enumerate(terms))


def percentile(values: Sequence[float] | np.ndarray, q: float) -> float:
    """The q-th percentile (0..100), linear interpolation; NaN for no values."""
    if len(values) == 0:
        return math.nan
    return float(np.percentile(np.asarray(values, dtype=float), q))


def mean_ci95(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and the 95% confidence interval of the mean, (mean, low, high)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if n == 1:
        return (m, math.nan, math.nan)
    half = t95(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return (m, m - half, m + half)


def proportion_ci95(successes: int, n: int) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion: inside [0, 1], and not of zero width when
    every trial went one way (where the mean's t interval would give [0, 0] or cross 0)."""
    if n == 0:
        return (math.nan, math.nan)
    z = 1.959963984540054
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def summarize(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Distribution of one metric over trials: n, mean, p50..p99.9, max, ci95; None-valued trials
    (a metric that had no value in that run) are counted in ``missing``. A metric that is 0 or 1
    in every trial (a yes/no outcome) gets the Wilson interval of its proportion."""
    present = [float(v) for v in values if v is not None and not _isnan(v)]
    out: dict[str, float | int | None] = {"n": len(present), "missing": len(values) - len(present)}
    if not present:
        out.update({k: None for k in ("mean", *PERCENTILES, "max", "ci95_low", "ci95_high")})
        return out
    with np.errstate(invalid="ignore"):  # an infinite value ("never") makes the spread NaN
        m, lo, hi = mean_ci95(present)
        out["mean"] = m
        for name, q in PERCENTILES.items():
            out[name] = percentile(present, q)
    if len(present) > 1 and all(v in (0.0, 1.0) for v in present):
        lo, hi = proportion_ci95(int(sum(present)), len(present))
    out["max"] = max(present)
    out["ci95_low"] = None if math.isnan(lo) else lo
    out["ci95_high"] = None if math.isnan(hi) else hi
    return out


def time_weighted_mean(times: Sequence[float], values: Sequence[float], end: float) -> float:
    """Average of a step function that takes ``values[i]`` from ``times[i]`` until the next time
    (the last until ``end``), weighted by how long it held each value."""
    if len(times) != len(values):
        raise ValueError("times and values must have the same length")
    if not times:
        return math.nan
    t = np.asarray(list(times) + [end], dtype=float)
    if np.any(np.diff(t) < 0):
        raise ValueError("times must be non-decreasing and end after the last time")
    span = t[-1] - t[0]
    if span <= 0:
        return float(values[-1])
    return float(np.sum(np.diff(t) * np.asarray(values, dtype=float)) / span)


def _isnan(v: float) -> bool:
    return isinstance(v, float) and math.isnan(v)
