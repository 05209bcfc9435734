"""Decorrelated jitter caps the top of the draw, uniform(base, min(cap, 3 x previous)), instead
of the wait: it never exceeds the cap, but once the waits near it they spread over the whole
range instead of sitting at the cap, and a third of them are shorter than they should be."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return float(rng.uniform(base_ms, max(base_ms, min(cap_ms, 3.0 * prev))))
    top = cap_ms if attempt >= 64 else min(cap_ms, base_ms * 2.0 ** attempt)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return float(rng.uniform(0.0, top))
    if policy == "equal-jitter":
        return top / 2.0 + float(rng.uniform(0.0, top / 2.0))
    raise ValueError(f"unknown policy {policy!r}")
