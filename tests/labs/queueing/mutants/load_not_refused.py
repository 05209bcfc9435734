"""erlang_c answers for a load the pool cannot carry (utilization >= 1) instead of refusing."""

from dslab.labs.queueing.rules import littles_law, mm1_percentile, servers_needed  # noqa: F401


def erlang_c(servers, offered_load):
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1.0 - rho * (1.0 - b))
