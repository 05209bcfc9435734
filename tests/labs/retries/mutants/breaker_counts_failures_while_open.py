"""record_failure counts every failure that is not a probe's, open or closed: late failures of
calls made before it opened pile up and open it again, restarting the wait, so a burst of
timeouts keeps the breaker open well past open_ms."""

from dslab.labs.retries.rules import RetryBudget, backoff_delay  # noqa: F401


class CircuitBreaker:
    def __init__(self, failures, open_ms, probes=1):
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
        else:
            self.failures += 1
            if self.failures >= self.threshold:
                self.state, self.opened_at, self.failures = "open", now_ms, 0
