"""The Raft lab's parameters (names carry units) and the checks that refuse impossible ones."""

from __future__ import annotations

from dataclasses import dataclass

from dslab.errors import InputError
from dslab.labs.raft.rules import quorum
from dslab.params import param as _p
from dslab.sim.dist import Dist, Uniform
from dslab.sim.simulation import Simulation

MAX_NODES = 25
MAX_DURATION_MS = 600_000.0
#: events a run may process (the simulation's budget, read once here so that a test which lowers
#: the budget to provoke a runaway still gets to run)
MAX_EVENTS = Simulation.DEFAULT_EVENT_BUDGET


@dataclass(frozen=True)
class RaftParams:
    nodes: int = _p(5, "servers in the cluster")
    election_timeout_ms: Dist = _p(Uniform(150, 300), "election timeout, drawn afresh at each reset")
    heartbeat_ms: float = _p(50.0, "interval between the leader's AppendEntries")
    latency_ms: Dist = _p(Uniform(2, 8), "one-way message delay")
    loss: float = _p(0.0, "probability that a message is lost, in [0, 1)")
    client_rate_per_s: float = _p(20.0, "client commands per second (Poisson)")
    duration_ms: float = _p(5000.0, "simulated time to run")
    crash_leader_at_ms: float | None = _p(None, "crash whoever leads at this time (none: never)")
    failed: tuple[int, ...] = _p((), "servers down from the start, e.g. 3,4")
    partition_at_ms: float | None = _p(None, "cut the leader's side off at this time (none: never)")
    heal_at_ms: float | None = _p(None, "heal the partition at this time (none: never)")
    minority: int = _p(2, "servers on the old leader's side of the partition, itself included")
    isolate_at_ms: float | None = _p(None, "cut one follower off alone at this time (none: never)")
    rejoin_at_ms: float | None = _p(None, "let the isolated follower back at this time (none: never)")
    pre_vote: bool = _p(False, "PreVote: ask for a majority's yes before raising the term")

    def events(self) -> float:
        """About how many simulation events a run takes: one per client command, and per
        heartbeat one for the timer and three per follower (the AppendEntries, its reply, and
        their delivery). Elections add a few; a run that ends up over the budget still stops."""
        per_ms = self.client_rate_per_s / 1000 + (3 * (self.nodes - 1) + 1) / self.heartbeat_ms
        return per_ms * self.duration_ms

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe a Raft cluster."""
        if not 2 <= self.nodes <= MAX_NODES:
            raise InputError(
                f"nodes must be between 2 and {MAX_NODES}, got {self.nodes}: one server needs no "
                "election, and elections are about agreeing with others."
            )
        if self.heartbeat_ms <= 0:
            raise InputError(f"heartbeat_ms must be positive, got {self.heartbeat_ms}.")
        if self.election_timeout_ms.low() <= self.heartbeat_ms:
            raise InputError(
                f"every election timeout must exceed heartbeat_ms ({self.heartbeat_ms:g} ms), but "
                f"{self.election_timeout_ms} can be {self.election_timeout_ms.low():g} ms: followers "
                "would start elections while the leader is healthy.",
                hint="Raft wants heartbeat_ms well below the timeout, e.g. 50 against uniform(150,300).",
            )
        if not 0 <= self.loss < 1:
            raise InputError(f"loss is a probability in [0, 1), got {self.loss}.")
        if self.client_rate_per_s < 0:
            raise InputError(f"client_rate_per_s cannot be negative, got {self.client_rate_per_s}.")
        if not 0 < self.duration_ms <= MAX_DURATION_MS:
            raise InputError(
                f"duration_ms must be in (0, {MAX_DURATION_MS:.0f}], got {self.duration_ms}."
            )
        if self.election_timeout_ms.mean() >= self.duration_ms:
            raise InputError(
                f"election_timeout_ms averages {self.election_timeout_ms.mean():g} ms, as long as "
                f"the whole run or longer (duration_ms={self.duration_ms:g}): servers would rarely "
                "time out, so there would be no election to watch or to set beside theory.",
                hint="Raft's timeouts are a few heartbeats long, e.g. uniform(150,300); or "
                     "lengthen duration_ms.")
        if self.latency_ms.mean() >= self.duration_ms:
            raise InputError(
                f"latency_ms averages {self.latency_ms.mean():g} ms, as long as the whole run or "
                f"longer (duration_ms={self.duration_ms:g}): hardly a message would arrive.")
        if self.events() > MAX_EVENTS:
            raise InputError(
                f"{self.client_rate_per_s:g} commands per second and a heartbeat every "
                f"{self.heartbeat_ms:g} ms to {self.nodes - 1} followers for {self.duration_ms:g} "
                f"ms come to about {self.events():,.0f} events, more than the {MAX_EVENTS:,} one "
                "run may process; lower client_rate_per_s or duration_ms, or raise heartbeat_ms.")
        for name in ("crash_leader_at_ms", "partition_at_ms", "heal_at_ms", "isolate_at_ms",
                     "rejoin_at_ms"):
            t = getattr(self, name)
            if t is not None and not 0 <= t < self.duration_ms:
                raise InputError(f"{name} must fall inside the run [0, {self.duration_ms:g}), got {t}.")
        if self.heal_at_ms is not None:
            if self.partition_at_ms is None:
                raise InputError("heal_at_ms is set but partition_at_ms is not: there is nothing to heal.")
            if self.heal_at_ms <= self.partition_at_ms:
                raise InputError(
                    f"heal_at_ms ({self.heal_at_ms:g}) must come after partition_at_ms "
                    f"({self.partition_at_ms:g})."
                )
        if self.rejoin_at_ms is not None:
            if self.isolate_at_ms is None:
                raise InputError("rejoin_at_ms is set but isolate_at_ms is not: nobody was cut off.")
            if self.rejoin_at_ms <= self.isolate_at_ms:
                raise InputError(f"rejoin_at_ms ({self.rejoin_at_ms:g}) must come after "
                                 f"isolate_at_ms ({self.isolate_at_ms:g}).")
        if self.isolate_at_ms is not None and self.partition_at_ms is not None:
            raise InputError("isolate_at_ms and partition_at_ms each cut the network; set one "
                             "of them, not both.")
        bad = [i for i in self.failed if not 0 <= i < self.nodes]
        if bad:
            raise InputError(f"failed names server {bad[0]}, but servers are 0..{self.nodes - 1}.")
        if len(set(self.failed)) != len(self.failed):
            raise InputError(f"failed lists a server twice: {list(self.failed)}.")
        if len(self.failed) >= self.nodes:
            raise InputError("failed takes down every server; leave at least one up.")
        if self.partition_at_ms is not None and not 1 <= self.minority < quorum(self.nodes):
            raise InputError(
                f"minority must be between 1 and {quorum(self.nodes) - 1} for {self.nodes} servers "
                f"(a side with {quorum(self.nodes)} or more is a majority), got {self.minority}."
            )
