"""mm1_percentile returns the mean time in system, whatever percentile is asked for."""

from dslab.labs.queueing.rules import erlang_c, littles_law, servers_needed  # noqa: F401


def mm1_percentile(rate_per_s, service_ms, q):
    if not 0 < q < 1:
        raise ValueError("q in (0, 1)")
    spare = 1 / service_ms - rate_per_s / 1000
    if spare <= 0:
        raise ValueError("unstable")
    return 1 / spare
