"""Once open, allow() refuses for ever: it never checks whether open_ms has passed, so no probe
goes out and a dependency that recovered in seconds stays cut off until someone restarts the
caller."""

from dslab.labs.retries.rules import RetryBudget, backoff_delay  # noqa: F401


class CircuitBreaker:
    def __init__(self, failures, open_ms, probes=1):
        self.threshold = failures
        self.open_ms = open_ms
        self.probes = probes
        self.state = "closed"
        self.failures = 0
        self.probing = 0

    def allow(self, now_ms):
        if self.state == "open":
            return False
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
            self.state, self.failures = "open", 0
        elif self.state == "closed":
            self.failures += 1
            if self.failures >= self.threshold:
                self.state, self.failures = "open", 0
