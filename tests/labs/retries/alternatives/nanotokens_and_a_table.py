"""A correct solution in another style: the ceiling by math.ldexp with the overflow caught, the
budget counted in whole nanotokens (integers, so no float dust at all), and the breaker as a
table of transitions keyed by (state, event)."""

import math

NANO = 10**9


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    if policy == "none" or policy == "immediate":
        return 0
    if policy == "decorrelated-jitter":
        low = base_ms
        high = 3 * (base_ms if previous_ms is None else previous_ms)
        wait = rng.uniform(low, high) if high > low else low
        return wait if wait < cap_ms else cap_ms
    try:
        top = min(cap_ms, math.ldexp(base_ms, attempt))
    except OverflowError:
        top = cap_ms
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return rng.uniform(0, 1) * top
    if policy == "equal-jitter":
        return top * (1 + rng.uniform(0, 1)) / 2
    raise ValueError(f"no such policy: {policy}")


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.per_request = round(ratio * NANO)
        self.full = round(max_tokens * NANO)
        self.nanotokens = self.full

    @property
    def tokens(self):
        return self.nanotokens / NANO

    def on_request(self):
        self.nanotokens = min(self.full, self.nanotokens + self.per_request)

    def try_retry(self):
        if self.nanotokens + 1 < NANO:  # one nanotoken of slack for the rounding of ratio
            return False
        self.nanotokens = max(0, self.nanotokens - NANO)
        return True


class CircuitBreaker:
    # (state, event) -> next state; events: "failure", "enough failures", "success"
    NEXT = {
        ("closed", "success"): "closed",
        ("closed", "failure"): "closed",
        ("closed", "enough failures"): "open",
        ("half-open", "success"): "closed",
        ("half-open", "failure"): "open",
        ("half-open", "enough failures"): "open",
        ("open", "success"): "open",
        ("open", "failure"): "open",
        ("open", "enough failures"): "open",
    }

    def __init__(self, failures, open_ms, probes=1):
        self.need, self.open_ms, self.probes = failures, open_ms, probes
        self.state, self.count, self.since, self.trials = "closed", 0, None, 0

    def _go(self, event, now_ms):
        before, self.state = self.state, self.NEXT[(self.state, event)]
        if self.state == "open" and before != "open":
            self.since, self.count = now_ms, 0
        if self.state == "closed" and event == "success":
            self.count = 0

    def allow(self, now_ms):
        if self.state == "open":
            if now_ms < self.since + self.open_ms:
                return False
            self.state, self.trials = "half-open", 0
        if self.state == "closed":
            return True
        self.trials += 1
        return self.trials <= self.probes

    def record_success(self, now_ms):
        self._go("success", now_ms)

    def record_failure(self, now_ms):
        if self.state == "closed":
            self.count += 1
        self._go("enough failures" if self.count >= self.need else "failure", now_ms)
