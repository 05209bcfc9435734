"""servers_needed gives up at 10 000 servers, a guard of my own against a loop that never ends."""

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mean_wait_ms,
    mm1_percentile,
)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    for c in range(int(rate_per_s * service_ms / 1000) + 1, 10_001):
        if mean_wait_ms(c, rate_per_s, service_ms) <= max_wait_ms:
            return c
    raise ValueError("no pool of up to 10000 servers meets that wait")
