"""A correct solution in another style: the ceiling doubled in a loop that stops at the cap,
policies looked up in a table, the budget kept in exact fractions, and the breaker remembering
the moment it may probe again (a deadline) rather than when it opened, its state a name derived
from a number."""

from fractions import Fraction

WHOLE = 1 - Fraction(1, 10**9)  # a whole token, give or take the float dust in ratio


def _ceiling(attempt, base_ms, cap_ms):
    top = base_ms
    for _ in range(attempt):
        if top >= cap_ms:
            break
        top *= 2
    return min(cap_ms, top)


def _wait(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    top = _ceiling(attempt, base_ms, cap_ms)
    if policy == "exponential":
        return top
    if policy == "full-jitter":
        return top * rng.random()
    return rng.uniform(top / 2, top)  # equal jitter


def _decorrelated(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    last = base_ms if previous_ms is None else previous_ms
    return min(cap_ms, rng.uniform(base_ms, max(base_ms, 3 * last)))


_POLICIES = {
    "none": lambda *args: 0.0,
    "immediate": lambda *args: 0.0,
    "exponential": _wait,
    "full-jitter": _wait,
    "equal-jitter": _wait,
    "decorrelated-jitter": _decorrelated,
}


def backoff_delay(policy, attempt, base_ms, cap_ms, previous_ms, rng):
    return float(_POLICIES[policy](policy, attempt, base_ms, cap_ms, previous_ms, rng))


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.deposit = Fraction(ratio)
        self.most = Fraction(max_tokens)
        self.tokens = self.most

    def on_request(self):
        self.tokens = min(self.most, self.tokens + self.deposit)

    def try_retry(self):
        if self.tokens < WHOLE:
            return False
        self.tokens = max(Fraction(0), self.tokens - 1)
        return True


class CircuitBreaker:
    NAMES = ("closed", "open", "half-open")
    CLOSED, OPEN, HALF_OPEN = range(3)

    def __init__(self, failures, open_ms, probes=1):
        self.limit, self.pause, self.probes = failures, open_ms, probes
        self.mode, self.streak, self.probe_at, self.sent = self.CLOSED, 0, 0.0, 0

    @property
    def state(self):
        return self.NAMES[self.mode]

    def _trip(self, now_ms):
        self.mode, self.streak, self.probe_at = self.OPEN, 0, now_ms + self.pause

    def allow(self, now_ms):
        if self.mode == self.OPEN and now_ms >= self.probe_at:
            self.mode, self.sent = self.HALF_OPEN, 0
        if self.mode == self.CLOSED:
            return True
        if self.mode == self.OPEN or self.sent == self.probes:
            return False
        self.sent += 1
        return True

    def record_success(self, now_ms):
        if self.mode != self.OPEN:
            self.mode, self.streak = self.CLOSED, 0

    def record_failure(self, now_ms):
        if self.mode == self.HALF_OPEN:
            self._trip(now_ms)
        elif self.mode == self.CLOSED:
            self.streak += 1
            if self.streak == self.limit:
                self._trip(now_ms)
