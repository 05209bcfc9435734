"""try_retry returns True when there is a token and falls off the end otherwise: it answers
None, not False (it works in an if, but the answer asked for is True or False)."""

from dslab.labs.retries.rules import CircuitBreaker, backoff_delay  # noqa: F401


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self):
        self.tokens = min(self.max_tokens, self.tokens + self.ratio)

    def try_retry(self):
        if self.tokens >= 1.0 - 1e-9:
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
