"""Decorrelated jitter draws uniform(base, 3 x previous) but never applies min(cap, ...): once
the previous wait nears the cap, some waits land above it, so the cap an operator set (and
sized timeouts and alerts by) holds only most of the time."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return float(rng.uniform(base_ms, 3.0 * prev))
    top = cap_ms if attempt >= 64 else min(cap_ms, base_ms * 2.0 ** attempt)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return float(rng.uniform(0.0, top))
    if policy == "equal-jitter":
        return top / 2.0 + float(rng.uniform(0.0, top / 2.0))
    raise ValueError(f"unknown policy {policy!r}")
