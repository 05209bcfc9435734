"""Family one, metastable overload: open-loop users, clients that time out and retry, and the
queueing station doing the work, including work for clients that have already given up.

One ``Overload`` is one policy on one seed; the lab runs one per policy with the same seed, so
every policy faces the same users arriving at the same moments.
"""

from __future__ import annotations

from array import array
from collections import deque

from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.params import MAX_ATTEMPTS, OverloadParams
from dslab.labs.retries.retrier import Retrier, backoff_source
from dslab.labs.retries.rules import Rules
from dslab.sim.simulation import CallbackTimeout, Simulation
from dslab.sim.sources import OpenArrivals
from dslab.sim.station import Station

IN_FLIGHT, SUCCEEDED, FAILED = 0, 1, 2
#: events per attempt (arrival, completion, client timeout) and some slack
EVENTS_PER_ATTEMPT = 4


class Overload:
    """Users arriving at ``arrival_rate_per_s`` (more during a spike), a client library that
    times out after ``timeout_ms`` and retries by ``policy``, and ``servers`` workers."""

    def __init__(self, params: OverloadParams, policy: str, seed: int, impl: Rules,
                 monitor: Monitor) -> None:
        self.params, self.policy, self.seed = params, policy, seed
        self.sim = Simulation(seed, event_budget=EVENTS_PER_ATTEMPT * MAX_ATTEMPTS + 10_000)
        self._env = self.sim.env  # its clock read directly on the hot paths (``sim.now`` wraps it)
        p = params
        self.station = Station(self.sim, p.servers, p.service_ms,
                               shed_after_ms=p.timeout_ms if p.shed else None)
        self.station.on_done = self._answered
        self.client = Retrier(impl, policy, p, backoff_source(impl, self.sim.rng("backoff")),
                              monitor)
        self._breaker = self.client.breaker is not None  # without one, every attempt may go
        # per user request
        self.arrived, self.ended, self.outcome = array("d"), array("d"), array("b")
        self.attempts = array("l")
        self.refused_by_breaker = 0
        # per attempt (indexed like the station's records)
        self.owner, self.attempt_no = array("l"), array("l")
        self.waiting = bytearray()  # 1 while the client still awaits this attempt's answer
        self.wasted = 0  # attempts served after their client gave up
        #: (deadline, attempt, wait before it) of attempts sent, in deadline order
        self._deadlines: deque[tuple[float, int, float | None]] = deque()
        self._timer_set = False
        self.end_ms = p.duration_ms + self.lifetime_ms()
        self.source = OpenArrivals(self.sim, self._new_request, self.rates(), stop_ms=p.duration_ms)
        if p.trigger == "capacity":
            low = max(1, round(p.servers / p.trigger_size))
            self.sim.call_at(p.trigger_at_ms, self.station.set_servers, low)
            self.sim.call_at(p.trigger_at_ms + p.trigger_ms, self.station.set_servers, p.servers)
        self.source.start()

    def rates(self) -> list[tuple[float, float]]:
        """Users' arrival rate over time: steady, with the spike if the trigger is one."""
        p = self.params
        if p.trigger != "spike":
            return [(0.0, p.arrival_rate_per_s)]
        spike = [(p.trigger_at_ms, p.arrival_rate_per_s * p.trigger_size),
                 (p.trigger_at_ms + p.trigger_ms, p.arrival_rate_per_s)]
        return ([(0.0, p.arrival_rate_per_s)] if p.trigger_at_ms > 0 else []) + spike

    def lifetime_ms(self) -> float:
        """The longest a request can last: every attempt timing out, every wait at the cap."""
        p = self.params
        retries = 0 if self.policy == "none" else p.retries
        return (retries + 1) * p.timeout_ms + retries * p.cap_ms + 1.0

    def run(self, until_ms: float | None = None) -> None:
        """Run to ``until_ms`` (default: until every request has ended)."""
        self.sim.run(self.end_ms if until_ms is None else min(until_ms, self.end_ms))

    # -- the client library -----------------------------------------------------------------------

    def _new_request(self) -> None:
        uid = len(self.arrived)
        self.arrived.append(self._env.now)
        self.ended.append(float("nan"))
        self.outcome.append(IN_FLIGHT)
        self.attempts.append(0)
        self.client.new_request()
        self._send(uid, 0, None)

    def _send(self, uid: int, attempt: int, waited_ms: float | None) -> None:
        env = self._env
        if self._breaker and not self.client.allow(env.now):
            self.refused_by_breaker += 1
            self._end(uid, FAILED)
            return
        self.attempts[uid] += 1
        rid = self.station.arrive()
        self.owner.append(uid)
        self.attempt_no.append(attempt)
        self.waiting.append(1)
        self._watch(rid, waited_ms)

    # -- the client's timeouts: one timer over a queue of deadlines ------------------------------

    def _watch(self, rid: int, waited_ms: float | None) -> None:
        """Give up on attempt ``rid`` after ``timeout_ms`` unless it is answered first.

        Most attempts are answered in time, so a timeout event per attempt would mostly fire for
        nothing (SimPy cannot take an event back). Every attempt waits the same ``timeout_ms``,
        so deadlines come in the order the attempts went out: they join a queue, and one timer
        stands at the earliest deadline still awaited. Each deadline is the sum SimPy forms for
        a timeout sent now (``now + timeout_ms``), so the clock reads the same when it passes.
        """
        timeout = self.params.timeout_ms
        self._deadlines.append((self._env.now + timeout, rid, waited_ms))
        if not self._timer_set:
            self._timer_set = True
            CallbackTimeout(self._env, timeout, self._expire, None)

    def _expire(self, _: object = None) -> None:
        """The timer: time out every attempt due now and still unanswered, then stand at the
        next deadline still awaited."""
        now = self._env.now
        queue, waiting = self._deadlines, self.waiting
        while queue and queue[0][0] <= now:
            _, rid, waited_ms = queue.popleft()
            self._timed_out(rid, waited_ms)
        while queue and not waiting[queue[0][1]]:
            queue.popleft()  # answered in time: nothing to do at its deadline
        if not queue:
            self._timer_set = False
            return
        deadline = queue[0][0]
        delay = deadline - now
        if now + delay != deadline:
            # now is small next to the deadline and the sum rounds away from it: stop three
            # quarters of the way first, from where the rest of the gap is exact (Sterbenz)
            delay = 0.75 * deadline - now
        CallbackTimeout(self._env, delay, self._expire, None)

    def _answered(self, rid: int) -> None:
        if not self.waiting[rid]:
            self.wasted += 1
            return
        self.waiting[rid] = 0
        if self._breaker:
            self.client.succeeded(self._env.now)
        self._end(self.owner[rid], SUCCEEDED)

    def _timed_out(self, rid: int, waited_ms: float | None) -> None:
        if not self.waiting[rid]:
            return
        self.waiting[rid] = 0
        if self._breaker:
            self.client.failed(self._env.now)
        uid, attempt = self.owner[rid], self.attempt_no[rid]
        wait = self.client.delay(attempt, waited_ms)
        if wait is None:
            self._end(uid, FAILED)
        else:
            self._retry(uid, attempt + 1, wait)

    def _retry(self, uid: int, attempt: int, wait: float) -> None:
        """Send attempt number ``attempt`` of ``uid`` after ``wait`` ms. A retry with no wait
        goes at once rather than as an event due now: it comes out the same, since nothing it
        touches (the station's queue, in order; the budget; the draws) can change in between,
        unless a breaker could be tripped by a timeout still to be handled at this instant."""
        if wait == 0 and not self._breaker:
            self._send(uid, attempt, wait)
        else:
            CallbackTimeout(self._env, wait, self._resend, (uid, attempt, wait))

    def _resend(self, ev: CallbackTimeout) -> None:
        self._send(*ev.payload)

    def _end(self, uid: int, outcome: int) -> None:
        self.outcome[uid] = outcome
        self.ended[uid] = self._env.now
