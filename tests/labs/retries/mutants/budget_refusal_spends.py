"""try_retry takes the token first and asks afterwards: a refused retry still empties what was
left (clamped at zero), so half a token saved up is thrown away at every refusal and the
budget grants fewer retries than the ratio promises."""

from dslab.labs.retries.rules import CircuitBreaker, backoff_delay  # noqa: F401


class RetryBudget:
    def __init__(self, ratio, max_tokens=10.0):
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self):
        self.tokens = min(self.max_tokens, self.tokens + self.ratio)

    def try_retry(self):
        had = self.tokens
        self.tokens = max(0.0, self.tokens - 1.0)
        return had >= 1.0 - 1e-9
