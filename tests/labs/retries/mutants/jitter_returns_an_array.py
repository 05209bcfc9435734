"""The jitter policies draw with rng.uniform(low, high, size=1), which returns a numpy array of
one wait instead of the wait: a float was asked for."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, rng.uniform(base_ms, max(base_ms, 3.0 * prev), size=1))
    top = cap_ms if attempt >= 64 else min(cap_ms, base_ms * 2.0 ** attempt)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return rng.uniform(0.0, top, size=1)
    if policy == "equal-jitter":
        return top / 2.0 + rng.uniform(0.0, top / 2.0, size=1)
    raise ValueError(f"unknown policy {policy!r}")
