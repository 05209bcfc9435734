"""Retry storms, backoff with jitter, retry budgets, circuit breakers and metastable failure."""
