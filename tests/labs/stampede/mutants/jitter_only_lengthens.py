"""The jitter only ever lengthens the TTL (ttl to ttl x (1 + jitter)) where the docstring asks
for a spread on both sides: the mean TTL grows and half the spread is lost."""

from dslab.labs.stampede.rules import Coalescer, should_refresh_early  # noqa: F401


def jittered_ttl_ms(ttl_ms, jitter, rng):
    return ttl_ms * (1.0 + jitter * rng.random())
