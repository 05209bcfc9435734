"""servers_needed keeps adding servers while the wait is at the target, not only above it."""

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mm1_percentile,
)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    a = rate_per_s * service_ms / 1000
    if a == 0:
        return 1  # nobody arrives, nobody waits
    c = int(a) + 1
    while True:
        wait = erlang_c(c, a) / (c / service_ms - rate_per_s / 1000)
        if wait < max_wait_ms:
            return c
        c += 1
