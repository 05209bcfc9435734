"""erlang_c returns Erlang B: the chance a request is turned away when nobody may wait."""

from dslab.labs.queueing.rules import littles_law, mm1_percentile, servers_needed  # noqa: F401


def erlang_c(servers, offered_load):
    if offered_load >= servers:
        raise ValueError("unstable")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b
