"""p_s taken as the share of replicas the write missed, (N-W)/N, whatever R: it ignores that a
read of more replicas is less likely to miss them all."""

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, resolve, sloppy_targets  # noqa: F401


def stale_probability(n, r, w):
    return (n - w) / n if r + w <= n else 0.0
