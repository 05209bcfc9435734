"""The invariants checked on every retry run. A Monitor watches each decision as it is made
(every wait, every token spent, every call a breaker lets through) and the request counts at the
end, and turns what it saw into the run's checks."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import NamedTuple

from dslab.result import Check
from dslab.wording import count

CONSERVED = "every request ends as a success, a failure, or still in flight"
CAPPED = "no wait between retries is longer than cap_ms"
BUDGET = "retries never exceed the retry budget"
BREAKER = "an open circuit breaker lets no call through"

#: float slack when comparing sums of fractional tokens
SLACK = 1e-6


class Tally(NamedTuple):
    """The request counts at the end of one experiment, ``what``, each from its own counter."""

    what: str
    requests: int
    succeeded: int
    failed: int
    in_flight: int


class Monitor:
    """Records what the clients did and whether any invariant broke, with the first example."""

    def __init__(self, cap_ms: float, budget_ratio: float | None, budget_tokens: float) -> None:
        self.cap_ms = cap_ms
        self.ratio, self.tokens = budget_ratio, budget_tokens
        self.waits = 0
        self.longest_wait = 0.0
        self.bad_wait: str | None = None
        self.wait_sum: dict[tuple[str, int], float] = defaultdict(float)
        self.wait_n: dict[tuple[str, int], int] = defaultdict(int)
        self.wait_sq: dict[tuple[str, int], float] = defaultdict(float)
        self._deposits: list[int] = []
        self._granted: list[int] = []
        self.refused = 0
        self.bad_budget: str | None = None
        self.breaker_calls = 0
        self.breaker_refused = 0
        self.bad_breaker: str | None = None
        self._tallies: list[Tally] = []

    # -- as the run goes ------------------------------------------------------------------------

    def wait(self, policy: str, attempt: int, wait_ms: float) -> None:
        self.waits += 1
        self.wait_sum[policy, attempt] += wait_ms
        self.wait_n[policy, attempt] += 1
        self.wait_sq[policy, attempt] += wait_ms * wait_ms
        if math.isfinite(wait_ms) and wait_ms > self.longest_wait:
            self.longest_wait = wait_ms
        if self.bad_wait is None and not (0 <= wait_ms <= self.cap_ms * (1 + 1e-12)):
            self.bad_wait = (f"{policy} waited {wait_ms:,.1f} ms before retry {attempt + 1}, "
                             f"beyond cap_ms = {self.cap_ms:g}")

    def new_budget(self) -> int:
        self._deposits.append(0)
        self._granted.append(0)
        return len(self._deposits) - 1

    def deposit(self, budget: int) -> None:
        self._deposits[budget] += 1

    def spend(self, budget: int, granted: bool) -> None:
        if not granted:
            self.refused += 1
            return
        self._granted[budget] += 1
        assert self.ratio is not None, "a budget is only made when the run has a budget_ratio"
        allowed = self.tokens + self.ratio * self._deposits[budget]
        if self.bad_budget is None and self._granted[budget] > allowed + SLACK:
            self.bad_budget = (f"a client's budget granted retry {self._granted[budget]:,} after "
                               f"{count(self._deposits[budget], 'request')}: at most "
                               f"{self.tokens:g} + {self.ratio:g} x requests = {allowed:,.1f} "
                               "were allowed")

    def breaker_call(self, allowed: bool, state: str) -> None:
        self.breaker_calls += 1
        if not allowed:
            self.breaker_refused += 1
        elif state == "open" and self.bad_breaker is None:
            self.bad_breaker = (f"call {self.breaker_calls:,} went through while the breaker said "
                                "it was open")

    def clear_tallies(self) -> None:
        """Forget the tallies taken so far: an experiment measured again tallies afresh."""
        self._tallies.clear()

    def tally(self, what: str, requests: int, succeeded: int, failed: int, in_flight: int) -> None:
        """The end of one experiment: its request counts, each kept by a separate counter."""
        self._tallies.append(Tally(what, requests, succeeded, failed, in_flight))

    def mean_wait(self, policy: str, attempt: int) -> float:
        n = self.wait_n.get((policy, attempt), 0)
        return self.wait_sum[policy, attempt] / n if n else math.nan

    def wait_se(self, policy: str, attempt: int) -> float:
        """The standard error of ``mean_wait`` (NaN with fewer than two waits)."""
        n = self.wait_n.get((policy, attempt), 0)
        if n < 2:
            return math.nan
        mean = self.wait_sum[policy, attempt] / n
        var = max(0.0, (self.wait_sq[policy, attempt] - n * mean * mean) / (n - 1))
        return math.sqrt(var / n)

    # -- the verdicts ---------------------------------------------------------------------------

    def verdicts(self) -> list[Check]:
        return [self._conserved(), self._capped(), self._budget(), self._breaker()]

    def _conserved(self) -> Check:
        for t in self._tallies:
            ended = t.succeeded + t.failed + t.in_flight
            if t.requests != ended:
                return Check(CONSERVED, False,
                             f"{t.what}: {t.requests:,} requests but {t.succeeded:,} succeeded + "
                             f"{t.failed:,} failed + {t.in_flight:,} in flight = {ended:,}")
        req = sum(t.requests for t in self._tallies)
        ok = sum(t.succeeded for t in self._tallies)
        bad = sum(t.failed for t in self._tallies)
        flying = sum(t.in_flight for t in self._tallies)
        return Check(CONSERVED, True, f"{req:,} requests: {ok:,} succeeded, {bad:,} failed, "
                     f"{flying:,} in flight")

    def _capped(self) -> Check:
        if self.bad_wait:
            return Check(CAPPED, False, self.bad_wait)
        if not self.waits:
            return Check(CAPPED, True, "no client waited before a retry in this run")
        return Check(CAPPED, True, f"{count(self.waits, 'wait')}, the longest {self.longest_wait:,.1f} ms "
                     f"against a cap of {self.cap_ms:g} ms")

    def _budget(self) -> Check:
        if self.ratio is None:
            return Check(BUDGET, True, "no retry budget in this run (budget_ratio is none)")
        if self.bad_budget:
            return Check(BUDGET, False, self.bad_budget)
        granted, deposits = sum(self._granted), sum(self._deposits)
        return Check(BUDGET, True, f"{count(granted, 'retry')} granted and "
                     f"{self.refused:,} refused, for {count(deposits, 'request')}: within "
                     f"{self.tokens:g} + {self.ratio:g} x requests at every step")

    def _breaker(self) -> Check:
        if not self.breaker_calls:
            return Check(BREAKER, True, "no circuit breaker in this run (breaker_failures is none)")
        if self.bad_breaker:
            return Check(BREAKER, False, self.bad_breaker)
        return Check(BREAKER, True, f"{self.breaker_calls:,} calls asked the breaker, "
                     f"{self.breaker_refused:,} were refused")
