"""The overload clients' timeouts and retries: one timer over a queue of deadlines, and a retry
with no wait sent at once, give every request the same story, to the last bit, as a timeout
event per attempt and a retry event per retry, with a fraction of the events."""

from __future__ import annotations

import numpy as np
import pytest

from dslab.labs.retries import rules
from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.lab import LAB
from dslab.labs.retries.overload import Overload

# shorter than the scenarios' 30 to 60 s, with the trigger early enough to have an after
SHORT = {"duration_ms": "8000", "trigger_at_ms": "2000"}
CASES = {
    "spike": ("default", {}),
    "capacity drop": ("outage", {}),
    "shed": ("shed", {}),
    "budget": ("budget", {}),
    "breaker": ("breaker", {}),
    "backoff": ("default", {"policy": "exponential,equal-jitter,decorrelated-jitter"}),
    # a service time equal to the timeout: an attempt served at once is answered at the very
    # moment its client gives up, and the answer, scheduled first, must win as before
    "answer at the deadline": ("default", {"service_ms": "const(500)", "servers": "12",
                                           "arrival_rate_per_s": "20"}),
}


class PerAttemptTimeouts(Overload):
    """The clients as they were: a timeout event for every attempt, left to fire for nothing
    when the attempt was answered in time."""

    def _watch(self, rid: int, waited_ms: float | None) -> None:
        self.sim.call_later(self.params.timeout_ms, self._timed_out, rid, waited_ms)


class RetriesAsEvents(Overload):
    """Every retry sent by an event after its wait, even a wait of zero (the lab sends those at
    once, without a breaker)."""

    def _retry(self, uid: int, attempt: int, wait: float) -> None:
        self.sim.call_later(wait, self._send, uid, attempt, wait)


def _runs(case: str, seed: int, slow: type[Overload] = PerAttemptTimeouts
          ) -> list[tuple[Overload, Overload]]:
    scenario, overrides = CASES[case]
    params = LAB.make_params(scenario, {**SHORT, **overrides})
    pairs = []
    for policy in params.policy:
        models = []
        for cls in (Overload, slow):
            model = cls(params, policy, seed, rules,
                        Monitor(params.cap_ms, params.budget_ratio, params.budget_tokens))
            model.run()
            models.append(model)
        pairs.append((models[0], models[1]))
    return pairs


@pytest.mark.parametrize("plain", [PerAttemptTimeouts, RetriesAsEvents],
                         ids=["timeout per attempt", "retry events"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [1, 2])
def test_one_timer_over_the_deadlines_tells_every_request_the_same_story(case, seed, plain):
    for fast, slow in _runs(case, seed, plain):
        for name in ("arrived", "ended", "outcome", "attempts", "owner", "attempt_no", "waiting"):
            assert np.array_equal(np.array(getattr(fast, name)), np.array(getattr(slow, name)),
                                  equal_nan=name == "ended"), f"{fast.policy}: {name} differs"
        assert (fast.wasted, fast.refused_by_breaker) == (slow.wasted, slow.refused_by_breaker)
        assert fast.client.breaker_states == slow.client.breaker_states
        a, b = fast.station.records(), slow.station.records()
        for name in ("arrival", "start", "finish", "rejected", "shed"):
            assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True)
        assert fast.sim.now == slow.sim.now


def test_attempts_answered_in_time_leave_no_timeout_behind():
    # Without retries the service stays healthy but for the spike: nearly every attempt is
    # answered in time, so it costs its arrival and its completion, and the timer fires about
    # once per timeout_ms rather than once per attempt.
    (fast, slow), = [pair for pair in _runs("spike", 1) if pair[0].policy == "none"]
    attempts = fast.station.arrivals
    assert slow.sim.events_processed >= 3 * attempts  # arrival, completion, timeout
    assert fast.sim.events_processed < 2.1 * attempts
