"""The queueing lab's parameters (names carry units) and the checks that refuse impossible ones."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dslab.errors import InputError
from dslab.params import param as _p
from dslab.sim.dist import Dist, Exp
from dslab.sim.station import DISCIPLINES

MAX_REQUESTS = 2_000_000  # requests one run may send (about ten seconds of simulation)
MAX_SERVERS = 10_000
MAX_USERS = 100_000


@dataclass(frozen=True)
class QueueParams:
    arrival_rate_per_s: float = _p(80.0, "requests arriving per second (open model)")
    service_ms: Dist = _p(Exp(10), "time one server spends on one request")
    servers: int = _p(1, "servers working in parallel on one shared queue")
    arrivals: Dist = _p(Exp(1), "shape of the gaps between arrivals, rescaled to mean "
                        "1000/arrival_rate_per_s: exp(1) is Poisson, const(1) evenly spaced")
    queue_limit: int | None = _p(None, "most requests that may wait; one more is turned away "
                                 "(none: no limit)")
    discipline: str = _p("fifo", "which waiting request is served next: fifo or lifo")
    customers: int | None = _p(50_000, "requests to send, after which the queue drains "
                               "(none: send for duration_ms instead)")
    duration_ms: float | None = _p(None, "send requests for this long, then let the queue drain "
                                   "(instead of customers)")
    warmup_ms: float = _p(2000.0, "leave out the requests that arrive before this, and the time "
                          "before it, while the queue settles from empty")
    users: int | None = _p(None, "closed model: this many users, each awaiting its answer before "
                           "thinking again (none: open model)")
    think_ms: Dist = _p(Exp(500), "closed model: a user's pause between an answer and the next "
                        "request")
    burst_at_ms: float | None = _p(None, "a spike of arrivals starts here (none: no spike)")
    burst_ms: float = _p(1000.0, "how long the spike lasts")
    burst_rate_per_s: float = _p(250.0, "arrival rate during the spike")

    @property
    def closed(self) -> bool:
        return self.users is not None

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe a queue."""
        if (self.customers is None) == (self.duration_ms is None):
            raise InputError(
                "set exactly one of customers and duration_ms: the run stops sending after a "
                "number of requests or after a time.",
                hint="For example --set customers=none --set duration_ms=60000.")
        if self.customers is not None and not 1 <= self.customers <= MAX_REQUESTS:
            raise InputError(f"customers must be between 1 and {MAX_REQUESTS:,}, got {self.customers}.")
        if self.duration_ms is not None and self.duration_ms <= 0:
            raise InputError(f"duration_ms must be positive, got {self.duration_ms}.")
        if not 1 <= self.servers <= MAX_SERVERS:
            raise InputError(f"servers must be between 1 and {MAX_SERVERS:,}, got {self.servers}.")
        if self.service_ms.mean() <= 0 or self.service_ms.mean() == float("inf"):
            raise InputError(f"service_ms must have a positive, finite mean; {self.service_ms} "
                             "does not.")
        if self.arrivals.mean() <= 0 or self.arrivals.mean() == float("inf"):
            raise InputError(f"arrivals must have a positive, finite mean; {self.arrivals} does not "
                             "(only its shape is used).")
        if self.discipline not in DISCIPLINES:
            raise InputError(f"discipline is fifo or lifo, got '{self.discipline}'.")
        if self.queue_limit is not None and self.queue_limit < 0:
            raise InputError(f"queue_limit cannot be negative, got {self.queue_limit}.")
        if self.warmup_ms < 0:
            raise InputError(f"warmup_ms cannot be negative, got {self.warmup_ms}.")
        if self.closed:
            self._validate_closed()
        else:
            self._validate_open()
        if self.closed and self.burst_at_ms is not None:
            raise InputError("burst_at_ms and users ask for different experiments; set one of them.")
        if self.burst_at_ms is not None:
            self._validate_burst()

    def _validate_open(self) -> None:
        if not 0 < self.arrival_rate_per_s <= 1e6:
            raise InputError(f"arrival_rate_per_s must be in (0, 1,000,000], got "
                             f"{self.arrival_rate_per_s}.")
        span = self.arrival_span_ms()
        if self.duration_ms is not None and self.open_requests() > MAX_REQUESTS:
            burst = "" if self.burst_at_ms is None else (
                f" and {self.burst_rate_per_s:g} per second during the burst")
            raise InputError(
                f"{self.arrival_rate_per_s:g} per second for {self.duration_ms:g} ms{burst} is "
                f"about {self.open_requests():,.0f} requests, more than the {MAX_REQUESTS:,} one "
                "run may send; shorten the run or lower the rate.")
        if self.warmup_ms >= span:
            raise InputError(
                f"warmup_ms ({self.warmup_ms:g}) covers the whole run, whose arrivals span about "
                f"{span:,.0f} ms: nothing would be measured.",
                hint="Send more customers, or lower warmup_ms.")
        measured = self.arrival_rate_per_s * (span - self.warmup_ms) / 1000
        if self.duration_ms is not None and self.burst_at_ms is None and measured < 1:
            raise InputError(
                f"{self.arrival_rate_per_s:g} per second would send about {measured:.2g} requests "
                f"between warmup_ms ({self.warmup_ms:g}) and duration_ms ({self.duration_ms:g}): "
                "nothing would be measured.", hint="Raise the rate, or lengthen the run.")

    def _validate_closed(self) -> None:
        assert self.users is not None
        if not 1 <= self.users <= MAX_USERS:
            raise InputError(f"users must be between 1 and {MAX_USERS:,}, got {self.users}.")
        if not self.think_ms.mean() < math.inf:
            raise InputError(f"think_ms must have a finite mean; {self.think_ms} does not, so "
                             "theory could not say how often a user sends.")
        if self.duration_ms is None:
            return
        if self.warmup_ms >= self.duration_ms:
            raise InputError(f"warmup_ms ({self.warmup_ms:g}) must be shorter than duration_ms "
                             f"({self.duration_ms:g}).")
        # A user sends at most once per think time plus service time, and the servers finish at
        # most servers / service_ms requests: the fewer of the two bounds what the run sends.
        cycle_ms = self.think_ms.mean() + self.service_ms.mean()
        per_ms = min(self.users / cycle_ms, self.servers / self.service_ms.mean())
        measured = self.users * (self.duration_ms - self.warmup_ms) / cycle_ms
        if measured < 1:
            raise InputError(
                f"{self.users} users who think {self.think_ms} ms would send about {measured:.2g} "
                f"requests between warmup_ms ({self.warmup_ms:g}) and duration_ms "
                f"({self.duration_ms:g}): nothing would be measured.",
                hint="Shorten think_ms, or add users or time.")
        if per_ms * self.duration_ms > MAX_REQUESTS:
            raise InputError(
                f"{self.users:,} users for {self.duration_ms:g} ms could send about "
                f"{per_ms * self.duration_ms:,.0f} requests, more than the {MAX_REQUESTS:,} one run "
                "may send; lower users or duration_ms, or lengthen think_ms.")

    def _validate_burst(self) -> None:
        assert self.burst_at_ms is not None
        if self.duration_ms is None:
            raise InputError("a burst needs a run of fixed length: set duration_ms (and "
                             "customers=none).")
        if not 0 <= self.burst_at_ms < self.duration_ms:
            raise InputError(f"burst_at_ms must fall inside the run [0, {self.duration_ms:g}), got "
                             f"{self.burst_at_ms}.")
        if self.burst_ms <= 0:
            raise InputError(f"burst_ms must be positive, got {self.burst_ms}.")
        if not 0 <= self.burst_rate_per_s <= 1e6:
            raise InputError(f"burst_rate_per_s must be in [0, 1,000,000], got {self.burst_rate_per_s}.")

    def _open_steady(self, what: str) -> None:
        """Refuse the closed model and the burst in an experiment of the open, steady queue."""
        for name, on in (("users", self.closed), ("burst_at_ms", self.burst_at_ms is not None)):
            if on:
                raise InputError(f"{what} runs the open queue at a steady rate; {name} asks for "
                                 "another experiment, so leave it at none.")

    def open_requests(self) -> float:
        """About how many requests the open model sends in a run of ``duration_ms``: the steady
        rate throughout, and the burst's extra within the run."""
        assert self.duration_ms is not None
        steady = self.arrival_rate_per_s * self.duration_ms / 1000
        if self.burst_at_ms is None:
            return steady
        lasts = max(0.0, min(self.burst_at_ms + self.burst_ms, self.duration_ms) - self.burst_at_ms)
        return steady + max(0.0, self.burst_rate_per_s - self.arrival_rate_per_s) * lasts / 1000

    def arrival_span_ms(self, rate_per_s: float | None = None) -> float:
        """How long the open model sends requests: duration_ms, or customers at the mean rate."""
        if self.duration_ms is not None:
            return self.duration_ms
        assert self.customers is not None  # validate() asks for exactly one of the two
        return 1000.0 * self.customers / (rate_per_s or self.arrival_rate_per_s)


SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)


@dataclass(frozen=True)
class SweepParams(QueueParams):
    """The queue once per utilization: the hockey stick."""

    utilizations: tuple[float, ...] = _p(SWEEP, "one run per utilization, e.g. 0.5,0.8,0.9 (sets "
                                         "the arrival rate of each)")

    def validate(self) -> None:
        super().validate()
        self._open_steady("a sweep")
        if not self.utilizations:
            raise InputError("give at least one utilization, e.g. --set utilizations=0.5,0.9.")
        for u in self.utilizations:
            if not 0 < u < 1:
                raise InputError(f"each utilization in the sweep must be in (0, 1), got {u}.")
        rates = [u * self.servers * 1000.0 / self.service_ms.mean() for u in self.utilizations]
        fastest = max(rates)
        if self.warmup_ms >= self.arrival_span_ms(fastest):
            raise InputError(
                f"warmup_ms ({self.warmup_ms:g}) covers the whole run at utilization "
                f"{max(self.utilizations):g}, whose arrivals span about "
                f"{self.arrival_span_ms(fastest):,.0f} ms: nothing would be measured there.",
                hint="Send more customers, or lower warmup_ms.")
        # One run per utilization: the sweep as a whole may send what one run may.
        total = sum(self.customers if self.customers is not None
                    else r * self.arrival_span_ms(r) / 1000 for r in rates)
        if total > MAX_REQUESTS:
            raise InputError(
                f"{len(rates)} utilizations would send about {total:,.0f} requests in all, more "
                f"than the {MAX_REQUESTS:,} a sweep may send; send fewer customers per "
                "utilization or list fewer utilizations.")


@dataclass(frozen=True)
class PoolParams(QueueParams):
    """A search for the fewest servers that keep the mean wait under a target."""

    max_wait_ms: float = _p(2.0, "the mean wait to meet; the run searches for the fewest servers "
                            "that meet it")

    def validate(self) -> None:
        super().validate()
        self._open_steady("pool sizing")
        if self.max_wait_ms <= 0:
            raise InputError(
                f"max_wait_ms must be positive, got {self.max_wait_ms:g}: with random arrivals "
                "some requests always wait, so no pool keeps the mean wait at 0.")
