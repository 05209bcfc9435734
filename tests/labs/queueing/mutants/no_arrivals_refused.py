"""servers_needed refuses a rate of 0 ("nothing to size"), though one server is the answer."""

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mean_wait_ms,
    mm1_percentile,
)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    if rate_per_s <= 0:
        raise ValueError("the rate must be positive")
    c = int(rate_per_s * service_ms / 1000) + 1
    while mean_wait_ms(c, rate_per_s, service_ms) > max_wait_ms:
        c += 1
    return c
