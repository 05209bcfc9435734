"""servers_needed stops one server late: it returns the first pool after the one that met the
target."""

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mean_wait_ms,
    mm1_percentile,
)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    c = int(rate_per_s * service_ms / 1000) + 1
    while True:
        c += 1
        if mean_wait_ms(c - 1, rate_per_s, service_ms) <= max_wait_ms:
            return c
