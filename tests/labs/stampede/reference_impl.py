"""The reference rules, as a learner's file would present them: the checker must pass this."""

from dslab.labs.stampede.rules import (  # noqa: F401
    Coalescer,
    jittered_ttl_ms,
    should_refresh_early,
)
