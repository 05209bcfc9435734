"""The retry lab's parameters (names carry units) and the checks that refuse impossible ones.

``RetryParams`` is the client library every experiment shares (policies, backoff, budget,
breaker); each experiment adds its own: an overloaded service with retrying clients
(``OverloadParams``), clients contending for one record (``ContentionParams``), and a chain of
services that each retry (``LayersParams``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dslab.errors import InputError
from dslab.labs.retries.rules import POLICIES
from dslab.params import param as _p
from dslab.sim.dist import Const, Dist, Exp, Uniform

TRIGGERS = ("spike", "capacity", "none")
MAX_ATTEMPTS = 1_500_000  # attempts one overload run may send, about ten seconds of simulation
MAX_CHAIN_CALLS = 2_000_000  # calls a layers run may make in the worst case
MIN_REQUESTS = 10  # requests an overload run must expect, or its rates and recovery are all 0/0
#: clients a contention run may race in all (client counts summed, times repeats and policies):
#: a thousand clients, twenty repeats and the jitter scenario's five policies make this many, and
#: take about 20 s
MAX_RACERS = 100_000


@dataclass(frozen=True)
class RetryParams:
    """The client library: how it retries, and what limits its retries."""

    policy: tuple[str, ...] = _p(("none", "immediate", "full-jitter"),
                                 "client retry policies, compared side by side on the same "
                                 f"traffic: {', '.join(POLICIES)}")
    retries: int = _p(3, "retries after the first attempt before a request fails")
    base_ms: float = _p(50.0, "backoff: the wait before the first retry (its ceiling, with jitter)")
    cap_ms: float = _p(2000.0, "backoff: no wait between retries is longer than this")
    budget_ratio: float | None = _p(None, "retry budget: retries may be at most this fraction "
                                    "of requests, e.g. 0.1 (none: no budget)")
    budget_tokens: float = _p(10.0, "retry budget: retries allowed in a burst before the ratio "
                              "binds (the token bucket's size)")
    breaker_failures: int | None = _p(None, "circuit breaker: this many failures in a row open it "
                                      "(none: no breaker)")
    breaker_open_ms: float = _p(1000.0, "circuit breaker: how long it stays open before a probe")
    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe an experiment."""
        if not self.policy:
            raise InputError("give at least one policy, e.g. --set policy=immediate,full-jitter.")
        for p in self.policy:
            if p not in POLICIES:
                raise InputError(f"'{p}' is not a retry policy; policies: {', '.join(POLICIES)}.")
        if len(set(self.policy)) != len(self.policy):
            raise InputError(f"a policy is listed twice in {','.join(self.policy)}.")
        if not 0 <= self.retries <= 100:
            raise InputError(f"retries must be between 0 and 100, got {self.retries}.")
        if self.base_ms <= 0:
            raise InputError(f"base_ms must be positive, got {self.base_ms}.")
        if self.cap_ms < self.base_ms:
            raise InputError(f"cap_ms ({self.cap_ms:g}) must be at least base_ms ({self.base_ms:g}).")
        if self.budget_ratio is not None and not 0 <= self.budget_ratio <= 10:
            raise InputError(f"budget_ratio is a fraction of requests in [0, 10], got "
                             f"{self.budget_ratio}.")
        if self.budget_tokens < 1:
            raise InputError(f"budget_tokens must be at least 1, got {self.budget_tokens}.")
        if self.breaker_failures is not None and self.breaker_failures < 1:
            raise InputError(f"breaker_failures must be at least 1, got {self.breaker_failures}.")
        if self.breaker_open_ms <= 0:
            raise InputError(f"breaker_open_ms must be positive, got {self.breaker_open_ms}.")


@dataclass(frozen=True)
class OverloadParams(RetryParams):
    """A service pushed past capacity by a trigger, and users whose clients time out and retry."""

    timeout_ms: float = _p(500.0, "a client gives up on an attempt after this long")
    shed: bool = _p(False, "server-side: drop a request that has already waited longer than "
                    "timeout_ms instead of serving it")
    arrival_rate_per_s: float = _p(400.0, "new requests per second from users")
    servers: int = _p(10, "the service's workers")
    service_ms: Dist = _p(Exp(20), "time one worker spends on one attempt")
    trigger: str = _p("spike", "what pushes the service over: spike (more arrivals), capacity "
                      "(fewer workers) or none")
    trigger_at_ms: float = _p(5000.0, "when the trigger starts")
    trigger_ms: float = _p(1000.0, "how long the trigger lasts")
    trigger_size: float = _p(2.0, "spike: arrivals multiplied by this; capacity: workers divided "
                             "by this")
    duration_ms: float = _p(30_000.0, "how long users send requests")

    @property
    def capacity_per_s(self) -> float:
        """Attempts per second the service can finish with every worker busy."""
        return self.servers * 1000.0 / self.service_ms.mean()

    def validate(self) -> None:
        super().validate()
        if self.timeout_ms <= 0:
            raise InputError(f"timeout_ms must be positive, got {self.timeout_ms}.")
        if not 0 < self.arrival_rate_per_s <= 100_000:
            raise InputError(f"arrival_rate_per_s must be in (0, 100,000], got "
                             f"{self.arrival_rate_per_s}.")
        if not 1 <= self.servers <= 10_000:
            raise InputError(f"servers must be between 1 and 10,000, got {self.servers}.")
        mean = self.service_ms.mean()
        if not 0 < mean < float("inf"):
            raise InputError(f"service_ms must have a positive, finite mean; {self.service_ms} "
                             "does not.")
        if not 0 < self.duration_ms <= 3_600_000:
            raise InputError(f"duration_ms must be in (0, 3,600,000], got {self.duration_ms}.")
        sent = self.arrival_rate_per_s * self.duration_ms / 1000
        if sent < MIN_REQUESTS:
            raise InputError(
                f"{self.arrival_rate_per_s:g} requests per second for {self.duration_ms:g} ms is "
                f"about {sent:.2g} requests, fewer than the {MIN_REQUESTS} a run needs to show "
                "anything; raise arrival_rate_per_s or duration_ms.")
        if self.trigger not in TRIGGERS:
            raise InputError(f"trigger is one of {', '.join(TRIGGERS)}, got '{self.trigger}'.")
        if self.trigger != "none":
            if not 0 <= self.trigger_at_ms < self.duration_ms:
                raise InputError(f"trigger_at_ms must fall inside the run [0, "
                                 f"{self.duration_ms:g}), got {self.trigger_at_ms:g}.")
            if self.trigger_ms <= 0 or self.trigger_at_ms + self.trigger_ms >= self.duration_ms:
                raise InputError(
                    f"the trigger ({self.trigger_at_ms:g} to "
                    f"{self.trigger_at_ms + self.trigger_ms:g} ms) must end before the run does "
                    f"({self.duration_ms:g} ms), so there is an after to watch.")
            if self.trigger_size < 1:
                raise InputError(f"trigger_size is a factor of at least 1, got {self.trigger_size}.")
        peak = self.arrival_rate_per_s * (self.trigger_size if self.trigger == "spike" else 1)
        worst = peak * self.duration_ms / 1000 * (self.retries + 1) * len(self.policy)
        if worst > MAX_ATTEMPTS:
            raise InputError(
                f"{self.arrival_rate_per_s:g} requests per second for {self.duration_ms:g} ms "
                f"with {self.retries} retries and {len(self.policy)} policies could send "
                f"{worst:,.0f} attempts, more than {MAX_ATTEMPTS:,}; shorten the run, lower the "
                "rate or compare fewer policies.")



@dataclass(frozen=True)
class ContentionParams(RetryParams):
    """Clients racing to update one record with a read and a conditional write."""

    clients: tuple[int, ...] = _p((2, 5, 10, 25, 50, 100), "numbers of clients that "
                                  "race to update one record, one experiment each")
    work_ms: Dist = _p(Uniform(4, 6), "time from reading the record to its "
                       "conditional write arriving")
    repeats: int = _p(20, "runs per client count (each client count's numbers are "
                      "their mean)")

    def validate(self) -> None:
        super().validate()
        if not self.clients:
            raise InputError("give at least one client count, e.g. --set clients=10,50.")
        if any(not 1 <= c <= 1000 for c in self.clients):
            raise InputError(f"each client count must be between 1 and 1,000, got "
                             f"{','.join(map(str, self.clients))}.")
        if list(self.clients) != sorted(set(self.clients)):
            raise InputError("list client counts once each, smallest first, e.g. 5,10,50.")
        if not 0 < self.work_ms.mean() < float("inf"):
            raise InputError(f"work_ms must have a positive, finite mean; {self.work_ms} does not.")
        if not 1 <= self.repeats <= 1000:
            raise InputError(f"repeats must be between 1 and 1,000, got {self.repeats}.")
        racers = sum(self.clients) * self.repeats * len(self.policy)
        if racers > MAX_RACERS:
            raise InputError(
                f"client counts adding up to {sum(self.clients):,}, {self.repeats} repeats and "
                f"{len(self.policy)} policies make {racers:,} clients to race, more than the "
                f"{MAX_RACERS:,} one run may race; list fewer or smaller client counts, or lower "
                "repeats.")



@dataclass(frozen=True)
class LayersParams(RetryParams):
    """A chain of services, each retrying the one below, over a failing dependency."""

    layers: int = _p(3, "services in the call chain, each retrying the one below")
    bottom_failure: float = _p(1.0, "probability that a call to the bottom service fails")
    hop_ms: Dist = _p(Const(2), "time for one call to reach the next service and return")
    requests: int = _p(200, "user requests sent into the chain")

    def validate(self) -> None:
        super().validate()
        if not 1 <= self.layers <= 8:
            raise InputError(f"layers must be between 1 and 8, got {self.layers}.")
        if not 0 <= self.bottom_failure <= 1:
            raise InputError(f"bottom_failure is a probability in [0, 1], got {self.bottom_failure}.")
        if not 1 <= self.requests <= 100_000:
            raise InputError(f"requests must be between 1 and 100,000, got {self.requests}.")
        worst = self.requests * (self.retries + 1) ** self.layers * len(self.policy)
        if worst > MAX_CHAIN_CALLS:
            raise InputError(
                f"{self.requests} requests through {self.layers} layers with {self.retries} "
                f"retries each could make {worst:,} calls at the bottom, more than "
                f"{MAX_CHAIN_CALLS:,}: that is the amplification this lab warns about. Send "
                "fewer requests or use fewer layers or retries.")
        if not 0 <= self.hop_ms.mean() < float("inf"):
            raise InputError(f"hop_ms must have a finite mean; {self.hop_ms} does not.")
