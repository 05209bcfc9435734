"""The jitter is spread over half the range it should cover (within jitter / 2 of the base)."""

from dslab.labs.stampede.rules import Coalescer, should_refresh_early  # noqa: F401


def jittered_ttl_ms(ttl_ms, jitter, rng):
    return ttl_ms * (1.0 + jitter / 2 * rng.uniform(-1.0, 1.0))
