"""try_retry allows a retry whenever the balance is not negative and clamps it at zero, so an
empty bucket still says yes: in an outage every failure is retried, exactly the storm the budget
exists to stop."""

from dslab.labs.retries.rules import CircuitBreaker, backoff_delay  # noqa: F401


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self):
        self.tokens = min(self.max_tokens, self.tokens + self.ratio)

    def try_retry(self):
        if self.tokens >= 0:
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False
