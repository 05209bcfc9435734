"""erlang_c straight from the textbook formula, a^c / c! and all: right for small pools, an
OverflowError from about 170 servers on."""

import math

from dslab.labs.queueing.rules import littles_law, mm1_percentile, servers_needed  # noqa: F401


def erlang_c(servers, offered_load):
    if offered_load >= servers:
        raise ValueError("unstable")
    a, c = offered_load, servers
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
