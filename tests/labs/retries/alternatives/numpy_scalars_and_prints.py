"""A correct solution in another style: numpy scalars everywhere (np.float64 waits and tokens,
np.bool_ answers), the ceiling in closed form through a logarithm, the budget rounded to 12
decimals instead of compared with a tolerance, and a print at every step, as a learner
debugging would leave them."""

import numpy as np


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    print(f"backoff_delay({policy}, {attempt}, {base_ms}, {cap_ms}, {previous_ms})")
    if policy in ("none", "immediate"):
        return np.float64(0)
    if policy == "decorrelated-jitter":
        prev = np.float64(base_ms if previous_ms is None else previous_ms)
        return np.minimum(np.float64(cap_ms), rng.uniform(base_ms, np.maximum(base_ms, 3 * prev)))
    if attempt >= np.log2(np.float64(cap_ms) / base_ms):
        top = np.float64(cap_ms)
    else:
        top = np.minimum(np.float64(cap_ms), np.float64(base_ms) * np.float64(2) ** attempt)
    print("  ceiling", top)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return np.float64(rng.uniform(0, top))
    if policy == "equal-jitter":
        half = top / np.float64(2)
        return half + rng.uniform(0, half)
    raise ValueError(policy)


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = np.float64(ratio)
        self.max_tokens = np.float64(max_tokens)
        self.tokens = self.max_tokens
        print("budget", ratio, max_tokens)

    def on_request(self):
        self.tokens = np.minimum(self.max_tokens, np.round(self.tokens + self.ratio, 12))
        print("deposit ->", self.tokens)

    def try_retry(self):
        ok = self.tokens >= 1
        if ok:
            self.tokens = np.maximum(np.float64(0), self.tokens - 1)
        print("retry?", ok, self.tokens)
        return ok


class CircuitBreaker:
    def __init__(self, failures, open_ms, probes=1):
        self.failures_to_open = np.int64(failures)
        self.open_ms = np.float64(open_ms)
        self.probes = np.int64(probes)
        self.state = "closed"
        self.in_a_row = np.int64(0)
        self.opened_at = np.float64(0)
        self.probes_out = np.int64(0)

    def allow(self, now_ms):
        if self.state == "open" and not np.less(now_ms - self.opened_at, self.open_ms):
            print("half-open at", now_ms)
            self.state, self.probes_out = "half-open", np.int64(0)
        if self.state == "open":
            return np.bool_(False)
        if self.state == "half-open":
            if self.probes_out >= self.probes:
                return np.bool_(False)
            self.probes_out += 1
        return np.bool_(True)

    def record_success(self, now_ms):
        if self.state != "open":
            print("closed at", now_ms)
            self.state, self.in_a_row = "closed", np.int64(0)

    def record_failure(self, now_ms):
        if self.state == "open":
            return
        self.in_a_row += 1
        if self.state == "half-open" or self.in_a_row >= self.failures_to_open:
            print("open at", now_ms)
            self.state, self.opened_at, self.in_a_row = "open", np.float64(now_ms), np.int64(0)
