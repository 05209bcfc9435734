"""on_request forgets to deposit: the first burst of retries empties the bucket for good, so
after one bad minute the clients never retry again and every ordinary transient error reaches
a user."""

from dslab.labs.retries.rules import CircuitBreaker, backoff_delay  # noqa: F401


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self):
        pass  # the deposit of ratio was meant to go here

    def try_retry(self):
        if self.tokens >= 1.0 - 1e-9:
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False
