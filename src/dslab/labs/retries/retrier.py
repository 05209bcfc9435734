"""One client's retry machinery: the policy's wait, the retry budget's permission and the
circuit breaker, all taken from an implementation object (the reference rules or a learner's),
with every decision reported to the run's monitor."""

from __future__ import annotations

from typing import Any

import numpy as np

from dslab.labs.retries import rules
from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.params import RetryParams
from dslab.labs.retries.rules import NONE, Rules
from dslab.sim.dist import Uniforms


def backoff_source(impl: Rules, rng: np.random.Generator) -> Any:
    """What the backoff rule draws from, made once per stream and shared by every client that
    draws from it: for the reference rule, which asks only ``rng.uniform``, the same numbers read
    from blocks (``Uniforms``); for a learner's rule, the Generator itself, free to draw as it
    likes. Clients sharing a stream must share this object too, or the blocks would reorder the
    numbers between them."""
    return Uniforms(rng) if impl.backoff_delay is rules.backoff_delay else rng


class Retrier:
    """Decides, for one client, whether and when a failed attempt is tried again."""

    def __init__(self, impl: Rules, policy: str, params: RetryParams, rng: Any,
                 monitor: Monitor, *, budget: bool = True, breaker: bool = True) -> None:
        self.impl, self.policy, self.params, self.rng, self.monitor = impl, policy, params, rng, monitor
        self.budget = (impl.RetryBudget(params.budget_ratio, params.budget_tokens)
                       if budget and params.budget_ratio is not None else None)
        self.breaker = (impl.CircuitBreaker(params.breaker_failures, params.breaker_open_ms)
                        if breaker and params.breaker_failures is not None else None)
        self._budget_id = monitor.new_budget() if self.budget is not None else -1
        #: (time, state) at the start and at each change of the breaker's state, for the plot
        self.breaker_states: list[tuple[float, str]] = []
        self._note_breaker(0.0)

    def _note_breaker(self, now_ms: float) -> None:
        """Record the breaker's state if it changed (it changes only when called). Reading it
        changes nothing, so the run is the same with or without this record."""
        state = getattr(self.breaker, "state", None) if self.breaker is not None else None
        if isinstance(state, str) and (not self.breaker_states or self.breaker_states[-1][1] != state):
            self.breaker_states.append((now_ms, state))

    def new_request(self) -> None:
        """A new request (not a retry) is about to go out."""
        if self.budget is not None:
            self.budget.on_request()
            self.monitor.deposit(self._budget_id)

    def allow(self, now_ms: float) -> bool:
        """May an attempt go out now? Only the breaker can say no."""
        if self.breaker is None:
            return True
        ok = bool(self.breaker.allow(now_ms))
        self.monitor.breaker_call(ok, self.breaker.state)
        self._note_breaker(now_ms)
        return ok

    def succeeded(self, now_ms: float) -> None:
        if self.breaker is not None:
            self.breaker.record_success(now_ms)
            self._note_breaker(now_ms)

    def failed(self, now_ms: float) -> None:
        if self.breaker is not None:
            self.breaker.record_failure(now_ms)
            self._note_breaker(now_ms)

    def delay(self, attempt: int, previous_ms: float | None) -> float | None:
        """The wait before retry number ``attempt`` (from 0), or None when the request gives up:
        no retries in this policy, all of them used, or the budget has no token."""
        if self.policy == NONE or attempt >= self.params.retries:
            return None
        if self.budget is not None:
            granted = bool(self.budget.try_retry())
            self.monitor.spend(self._budget_id, granted)
            if not granted:
                return None
        p = self.params
        wait = float(self.impl.backoff_delay(self.policy, attempt, p.base_ms, p.cap_ms, previous_ms,
                                             self.rng))
        self.monitor.wait(self.policy, attempt, wait)
        return wait
