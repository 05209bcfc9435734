"""Equal jitter halves the ceiling with //, out of habit: with round numbers (a 10 ms base, a
1000 ms cap) nothing changes, but a 7.5 ms ceiling gives waits from 3 to 6.75 ms instead of 3.75
to 7.5."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, float(rng.uniform(base_ms, max(base_ms, 3.0 * prev))))
    top = cap_ms if attempt >= 64 else min(cap_ms, base_ms * 2.0 ** attempt)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return float(rng.uniform(0.0, top))
    if policy == "equal-jitter":
        return top // 2 + float(rng.uniform(0.0, top // 2))
    raise ValueError(f"unknown policy {policy!r}")
