"""servers_needed counts its servers with numpy and returns a numpy.int64, not an int."""

import numpy as np

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mean_wait_ms,
    mm1_percentile,
)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    c = np.floor(rate_per_s * service_ms / 1000).astype(np.int64) + 1
    while mean_wait_ms(int(c), rate_per_s, service_ms) > max_wait_ms:
        c += 1
    return c
