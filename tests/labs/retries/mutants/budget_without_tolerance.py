"""try_retry checks tokens >= 1.0 exactly, as the docstring warned against: ten deposits of 0.1
add up to 0.9999999999999999, so the retry those ten requests earned is refused."""

from dslab.labs.retries.rules import CircuitBreaker, backoff_delay  # noqa: F401


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self):
        self.tokens = min(self.max_tokens, self.tokens + self.ratio)

    def try_retry(self):
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
