"""littles_law multiplies a rate per second by a time in milliseconds without converting."""

from dslab.labs.queueing.rules import erlang_c, mm1_percentile, servers_needed  # noqa: F401


def littles_law(L=None, lambda_per_s=None, W_ms=None):
    if [L, lambda_per_s, W_ms].count(None) != 1:
        raise ValueError("give exactly two")
    if L is None:
        return lambda_per_s * W_ms
    if lambda_per_s is None:
        return L / W_ms
    return L / lambda_per_s
