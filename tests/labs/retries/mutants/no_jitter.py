"""The jitter policies return their ceiling instead of a random wait, so clients that failed
together retry together: every retry wave hits the recovering service at the same instant."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, 3.0 * prev)
    if attempt >= 64:
        return cap_ms
    return min(cap_ms, base_ms * 2.0 ** attempt)  # exponential, full and equal jitter alike
