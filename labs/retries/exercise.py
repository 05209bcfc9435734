"""Retries exercise: the three rules that decide whether a retry helps or makes things worse.

``backoff_delay`` says how long a client waits before it tries again, ``RetryBudget`` caps
retries at a fraction of new requests, and ``CircuitBreaker`` stops calling a dependency that
keeps failing and tries it again now and then. All three are pure logic: the clock is passed
in, and randomness comes only from the numpy Generator you are handed. Times are in ms.

Replace each ``raise NotImplementedError`` with your code and check the rules in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check retries

Then let your rules drive the simulated clients, so a mistake shows up as a storm, a
synchronized herd or a service that never recovers:

    dslab run retries --budget --impl exercise.py
    dslab run retries --jitter --impl exercise.py
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (rng is a numpy Generator: rng.uniform(low, high))


def backoff_delay(policy: str, attempt: int, base_ms: float, cap_ms: float,
                  previous_ms: float | None, rng: np.random.Generator) -> float:
    """How long to wait (ms) before retry number ``attempt``; ``attempt`` counts retries from 0.

    The ceiling is min(cap_ms, base_ms x 2^attempt): base before the first retry (attempt 0),
    then 2 base, 4 base, ... until it reaches the cap. The policies:

    - ``"none"`` and ``"immediate"``: wait 0.
    - ``"exponential"``: the ceiling itself, no randomness.
    - ``"full-jitter"``: uniform on [0, ceiling].
    - ``"equal-jitter"``: half the ceiling, plus uniform on [0, ceiling / 2] (so the wait lies
      in [ceiling / 2, ceiling]).
    - ``"decorrelated-jitter"``: min(cap_ms, uniform(base_ms, 3 x previous)), where previous is
      ``previous_ms``, the wait before the last retry (take previous = base_ms when it is None,
      before the first retry). It ignores ``attempt``.

    Draw every random number from ``rng`` (e.g. ``rng.uniform(low, high)``), never from the
    ``random`` module: the same seed must give the same run. No wait may ever exceed cap_ms.
    Return the wait as one number (a float), not an array; compare policy names with ==.

    Hint: attempt can be in the thousands; base_ms x 2.0 ** 2000 overflows a float. Once the
    ceiling has reached the cap, stop doubling.
    """
    raise NotImplementedError("not implemented yet")


class RetryBudget:
    """A token bucket that keeps retries to a fraction ``ratio`` of new requests.

    The bucket starts full, holding ``max_tokens`` tokens. Each new request (a first attempt,
    not a retry) deposits ``ratio`` of a token, but the bucket never holds more than
    ``max_tokens``. Each retry spends one whole token; with less than one token left the retry
    is refused. So over any run, retries <= max_tokens + ratio x requests: with ratio = 0.1 a
    long outage costs at most about one retry per ten requests, not three retries per request.

    Keep the current balance in the attribute ``tokens``. ``ratio`` may be 0: then nothing is
    ever deposited and only the starting tokens can be spent.

    Hint: ten deposits of 0.1 add up to 0.9999999999999999, not 1.0. Comparing with a tiny
    tolerance (tokens >= 1 - 1e-9) lets that retry through.
    """

    def __init__(self, ratio: float, max_tokens: float = 10.0) -> None:
        raise NotImplementedError("not implemented yet")

    def on_request(self) -> None:
        """A new request was sent: deposit ``ratio`` of a token, up to ``max_tokens``."""
        raise NotImplementedError("not implemented yet")

    def try_retry(self) -> bool:
        """May a retry go out now? If there is a whole token, spend it and return True;
        otherwise return False and spend nothing."""
        raise NotImplementedError("not implemented yet")


class CircuitBreaker:
    """Stops calls to a dependency that keeps failing, and tests it again after a pause.

    Keep the attribute ``state``, one of ``"closed"``, ``"open"`` or ``"half-open"``:

    - Closed (the start): every call is allowed. ``failures`` failures in a row open it; a
      success resets that count to 0.
    - Open: allow() refuses every call until ``open_ms`` has passed since it opened, that is
      while now_ms < opened_at + open_ms (``open_ms`` may be 0: then the next call is already a
      probe). Results recorded while it is open (late answers to calls made before it opened)
      change nothing: they neither count as failures nor restart the wait.
    - Half-open: the first allow() at or after opened_at + open_ms finds it half-open. At most
      ``probes`` trial calls are allowed; further calls are refused. A success closes it (with
      a fresh failure count); a failure opens it again, and the wait starts over from that
      moment.

    The breaker changes state only inside its methods, never on its own as time passes: it
    learns the time from the ``now_ms`` it is given.
    """

    def __init__(self, failures: int, open_ms: float, probes: int = 1) -> None:
        raise NotImplementedError("not implemented yet")

    def allow(self, now_ms: float) -> bool:
        """May a call go out at ``now_ms``? (A call allowed while half-open is a probe.)"""
        raise NotImplementedError("not implemented yet")

    def record_success(self, now_ms: float) -> None:
        """A call succeeded at ``now_ms``."""
        raise NotImplementedError("not implemented yet")

    def record_failure(self, now_ms: float) -> None:
        """A call failed (or timed out) at ``now_ms``."""
        raise NotImplementedError("not implemented yet")
