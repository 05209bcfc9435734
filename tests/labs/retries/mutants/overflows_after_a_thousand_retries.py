"""min(cap, base * 2 ** attempt) is right on paper, but 2.0 ** 1024 does not fit in a float: a
client that keeps retrying through a long outage crashes with OverflowError instead of waiting
the cap."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy in ("none", "immediate"):
        return 0.0
    if policy == "decorrelated-jitter":
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, float(rng.uniform(base_ms, max(base_ms, 3.0 * prev))))
    top = min(cap_ms, base_ms * 2.0 ** attempt)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return float(rng.uniform(0.0, top))
    if policy == "equal-jitter":
        return top / 2.0 + float(rng.uniform(0.0, top / 2.0))
    raise ValueError(f"unknown policy {policy!r}")
