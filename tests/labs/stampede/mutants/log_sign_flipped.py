"""The logarithm's sign flipped: now + delta x beta x ln(U) is never later than now, so no read
refreshes before the expiry and XFetch is no protection at all."""

import math

from dslab.labs.stampede.rules import Coalescer, jittered_ttl_ms  # noqa: F401


def should_refresh_early(now_ms, expiry_ms, delta_ms, beta, rng):
    u = 1.0 - rng.random()
    return now_ms + delta_ms * beta * math.log(u) >= expiry_ms
