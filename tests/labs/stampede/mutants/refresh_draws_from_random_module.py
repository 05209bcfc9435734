"""U comes from Python's random module instead of the generator given: the same seed no longer
replays the same run."""

import math
import random

from dslab.labs.stampede.rules import Coalescer, jittered_ttl_ms  # noqa: F401


def should_refresh_early(now_ms, expiry_ms, delta_ms, beta, rng):
    u = 1.0 - random.random()
    return now_ms - delta_ms * beta * math.log(u) >= expiry_ms
