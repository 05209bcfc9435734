"""The reference rules, as a learner's file would present them: the checker must pass this."""

from dslab.labs.retries.rules import (  # noqa: F401
    CircuitBreaker,
    RetryBudget,
    backoff_delay,
)
