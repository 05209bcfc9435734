"""p_s with R and W swapped where it matters: the denominator counts write sets, C(N, W), not
read sets, C(N, R). (C(N-W, R) / C(N, R) = C(N-R, W) / C(N, W), so swapping both is harmless;
swapping one is not.)"""

from math import comb

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, resolve, sloppy_targets  # noqa: F401


def stale_probability(n, r, w):
    return comb(n - w, r) / comb(n, w)
