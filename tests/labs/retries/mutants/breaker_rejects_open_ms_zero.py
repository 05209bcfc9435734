"""The constructor insists on a positive open_ms and raises ValueError for 0, which the rule
allows (a breaker that probes again at once): the crash shows up far from its cause."""

from dslab.labs.retries.rules import RetryBudget, backoff_delay  # noqa: F401


class CircuitBreaker:
    def __init__(self, failures, open_ms, probes=1):
        if open_ms <= 0:
            raise ValueError(f"open_ms must be positive, got {open_ms}")
        self.threshold, self.open_ms, self.probes = failures, open_ms, probes
        self.state, self.failures, self.opened_at, self.probing = "closed", 0, None, 0

    def allow(self, now_ms):
        if self.state == "open":
            if now_ms - self.opened_at < self.open_ms:
                return False
            self.state, self.probing = "half-open", 0
        if self.state == "half-open":
            if self.probing >= self.probes:
                return False
            self.probing += 1
        return True

    def record_success(self, now_ms):
        if self.state in ("closed", "half-open"):
            self.state, self.failures = "closed", 0

    def record_failure(self, now_ms):
        if self.state == "half-open":
            self.state, self.opened_at, self.failures = "open", now_ms, 0
        elif self.state == "closed":
            self.failures += 1
            if self.failures >= self.threshold:
                self.state, self.opened_at, self.failures = "open", now_ms, 0
