"""The retry lab's rules, the reference solution of its exercise: how long to back off before a
retry, a retry budget, and a circuit breaker. Pure logic: the clock is passed in, randomness
comes from the generator given, and nothing here knows about SimPy.

Times are in milliseconds. ``attempt`` counts retries from 0: the wait before the first retry is
``attempt=0``, so exponential backoff waits base, 2 base, 4 base, ... up to the cap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

#: the rules a learner writes in labs/retries/exercise.py
EXERCISE = ("backoff_delay", "RetryBudget", "CircuitBreaker")

NONE, IMMEDIATE, EXPONENTIAL = "none", "immediate", "exponential"
FULL_JITTER, EQUAL_JITTER, DECORRELATED = "full-jitter", "equal-jitter", "decorrelated-jitter"
#: every client policy, from the least careful to the most
POLICIES = (NONE, IMMEDIATE, EXPONENTIAL, FULL_JITTER, EQUAL_JITTER, DECORRELATED)
#: the policies that wait a growing time between retries (and so have a cap to respect)
BACKOFF = (EXPONENTIAL, FULL_JITTER, EQUAL_JITTER, DECORRELATED)

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"

#: past this many doublings base * 2**attempt is above any cap; stop before floats overflow
_MAX_DOUBLINGS = 64


def ceiling_ms(attempt: int, base_ms: float, cap_ms: float) -> float:
    """min(cap, base * 2**attempt): the exponential schedule, capped, without overflowing."""
    if attempt >= _MAX_DOUBLINGS:
        return cap_ms
    return min(cap_ms, base_ms * 2.0 ** attempt)


def backoff_delay(policy: str, attempt: int, base_ms: float, cap_ms: float,
                  previous_ms: float | None, rng: np.random.Generator) -> float:
    """How long to wait before retry number ``attempt`` (0 for the first retry), in ms.

    ``previous_ms`` is the wait before the previous retry (None before the first); only
    decorrelated jitter uses it. ``rng`` is a numpy Generator, the only source of randomness.
    """
    if attempt < 0:
        raise ValueError(f"attempt counts retries from 0, got {attempt}")
    if policy in (NONE, IMMEDIATE):
        return 0.0
    if policy == DECORRELATED:
        prev = base_ms if previous_ms is None else previous_ms
        return min(cap_ms, float(rng.uniform(base_ms, max(base_ms, 3.0 * prev))))
    top = ceiling_ms(attempt, base_ms, cap_ms)
    if policy == EXPONENTIAL:
        return top
    if policy == FULL_JITTER:
        return float(rng.uniform(0.0, top))
    if policy == EQUAL_JITTER:
        return top / 2.0 + float(rng.uniform(0.0, top / 2.0))
    raise ValueError(f"unknown policy {policy!r}; policies: {', '.join(POLICIES)}")


class RetryBudget:
    """A token bucket that keeps retries to a fraction of requests.

    Each first attempt (a new request) adds ``ratio`` of a token, up to ``max_tokens``; each
    retry takes a whole token, and without one the retry is refused. The bucket starts full, so
    over any stretch of time retries <= max_tokens + ratio * requests.
    """

    def __init__(self, ratio: float, max_tokens: float = 10.0) -> None:
        if ratio < 0 or max_tokens < 1:
            raise ValueError("the ratio cannot be negative and the bucket must hold a token")
        self.ratio = ratio
        self.max_tokens = max_tokens
        self.tokens = float(max_tokens)

    def on_request(self) -> None:
        """A new request (not a retry) was sent: deposit ``ratio`` of a token."""
        self.tokens = min(self.max_tokens, self.tokens + self.ratio)

    def try_retry(self) -> bool:
        """May a retry go out now? If so, it spends a token."""
        if self.tokens >= 1.0 - 1e-9:  # ten deposits of 0.1 make 0.9999999999999999
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False


class CircuitBreaker:
    """Stops calls to a dependency that keeps failing, and tries it again now and then.

    Closed: calls pass; ``failures`` failures in a row open it. Open: calls are refused until
    ``open_ms`` has passed since it opened; the next call then finds it half-open. Half-open: at
    most ``probes`` trial calls pass; a success closes it, a failure opens it again (and the
    wait starts over). The breaker changes state only when it is called.
    """

    def __init__(self, failures: int, open_ms: float, probes: int = 1) -> None:
        if failures < 1 or open_ms < 0 or probes < 1:
            raise ValueError("failures and probes are at least 1, and open_ms cannot be negative")
        self.threshold = failures
        self.open_ms = open_ms
        self.probes = probes
        self.state = CLOSED
        self.failures = 0  # in a row, while closed
        self.opened_at: float | None = None
        self.probing = 0  # trial calls let through since it went half-open

    def allow(self, now_ms: float) -> bool:
        """May a call go out at ``now_ms``? (A call let through while half-open is a probe.)"""
        if self.state == OPEN:
            assert self.opened_at is not None  # set whenever the breaker opens
            if now_ms - self.opened_at < self.open_ms:
                return False
            self.state, self.probing = HALF_OPEN, 0
        if self.state == HALF_OPEN:
            if self.probing >= self.probes:
                return False
            self.probing += 1
        return True

    def record_success(self, now_ms: float) -> None:
        """A call succeeded at ``now_ms``."""
        if self.state == HALF_OPEN:
            self.state, self.opened_at = CLOSED, None
        if self.state == CLOSED:
            self.failures = 0

    def record_failure(self, now_ms: float) -> None:
        """A call failed (or timed out) at ``now_ms``."""
        if self.state == HALF_OPEN:
            self._open(now_ms)
        elif self.state == CLOSED:
            self.failures += 1
            if self.failures >= self.threshold:
                self._open(now_ms)

    def _open(self, now_ms: float) -> None:
        self.state, self.opened_at, self.failures, self.probing = OPEN, now_ms, 0, 0


class Budget(Protocol):
    """A retry budget as the client library uses it (``RetryBudget`` is one)."""

    def on_request(self) -> None: ...
    def try_retry(self) -> bool: ...


class Breaker(Protocol):
    """A circuit breaker as the client library uses it (``CircuitBreaker`` is one)."""

    state: str

    def allow(self, now_ms: float) -> bool: ...
    def record_success(self, now_ms: float) -> None: ...
    def record_failure(self, now_ms: float) -> None: ...


@runtime_checkable
class Rules(Protocol):
    """What the client library calls: this module satisfies it, and so does a learner's overlay
    (``LAB.load_impl(path)``), whose backoff, budget and breaker replace these."""

    def backoff_delay(self, policy: str, attempt: int, base_ms: float, cap_ms: float,
                      previous_ms: float | None, rng: np.random.Generator) -> float: ...
    @property
    def RetryBudget(self) -> Callable[[float, float], Budget]: ...  # noqa: N802 (a class)
    @property
    def CircuitBreaker(self) -> Callable[[int, float], Breaker]: ...  # noqa: N802 (a class)


# -- what a learner's answers must also satisfy ----------------------------------------------------
# Beyond its type (checked from the annotations above), an answer of a learner's rule is checked
# against these as the simulation runs on it (dslab.impl): each takes the answer and the rule's
# arguments and says, as the end of the sentence "Your <rule> (file line N) ...", what is wrong,
# or returns None. Only answers the simulation could not go on with are refused here; a wrong but
# usable answer is for the run's checks and the checker to find.

STATES = (CLOSED, OPEN, HALF_OPEN)


def _a_wait(answer: float, *args: Any) -> str | None:
    return None if answer >= 0 else f"returned {answer:g}, but a wait cannot be negative"


def _a_known_state(answer: bool, breaker: Any, *args: Any) -> str | None:
    state = getattr(breaker, "state", None)
    if isinstance(state, str) and state in STATES:
        return None
    shown = "no state attribute" if not hasattr(breaker, "state") else f"state {state!r}"
    return (f"left the breaker with {shown}, but the client reads .state, one of "
            f"{', '.join(map(repr, STATES))}")


BOUNDS = {"backoff_delay": _a_wait, "CircuitBreaker.allow": _a_known_state}
