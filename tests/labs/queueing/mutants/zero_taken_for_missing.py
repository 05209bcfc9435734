"""littles_law looks for the unknown with ``if not L``, so a known L (or rate, or time) of 0 is
taken for the missing one."""

from dslab.labs.queueing.rules import erlang_c, mm1_percentile, servers_needed  # noqa: F401


def littles_law(L=None, lambda_per_s=None, W_ms=None):
    if [L, lambda_per_s, W_ms].count(None) != 1:
        raise ValueError("give exactly two")
    if not L:
        return lambda_per_s * W_ms / 1000
    if not lambda_per_s:
        return 1000 * L / W_ms
    return 1000 * L / lambda_per_s
