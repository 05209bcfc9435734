"""The quorum lab's parameters (names carry units) and the checks that refuse impossible ones.

``QuorumParams`` is one cluster and a stream of write-then-read pairs; ``SweepParams`` adds the
replica counts whose every (R, W) a sweep compares.
"""

from __future__ import annotations

from dataclasses import dataclass

from dslab.errors import InputError
from dslab.lab import did_you_mean
from dslab.labs.quorum.profiles import PROFILES, Legs
from dslab.params import param as _p
from dslab.sim.dist import Dist

PROPAGATIONS = ("all", "quorum-only")
MAX_NODES = 20
MAX_WRITES = 100_000
MAX_DURATION_MS = 3_600_000.0
#: messages one run may send, about ten seconds of simulation
MAX_MESSAGES = 1_000_000


@dataclass(frozen=True)
class QuorumParams:
    """N replicas of a key-value store, coordinators and a stream of write-then-read pairs."""

    n: int = _p(3, "replicas of each key (N)")
    r: int = _p(2, "replicas a read waits for (R)")
    w: int = _p(2, "replicas a write waits for (W)")
    nodes: int = _p(5, "nodes in the cluster, 0 .. nodes-1, which is every key's preference "
                    "list: the first n are its home replicas, the rest stand in for a sloppy "
                    "quorum")
    latency_profile: str = _p("lan", "the four legs' latencies: " + ", ".join(PROFILES))
    write_ms: Dist | None = _p(None, "coordinator to replica with a write (none: the profile's)")
    ack_ms: Dist | None = _p(None, "replica back to coordinator with an ack (none: the profile's)")
    read_ms: Dist | None = _p(None, "coordinator to replica with a read (none: the profile's)")
    response_ms: Dist | None = _p(None, "replica back to coordinator with its version (none: the "
                                  "profile's)")
    read_delay_ms: float = _p(0.0, "the read of each pair starts this long after its write "
                              "committed")
    propagation: str = _p("all", "a write goes to all n replicas, or quorum-only to just w")
    sloppy: bool = _p(False, "sloppy quorum: writes and reads skip unreachable replicas for the "
                      "next healthy nodes, which keep hints and hand them back")
    read_repair: bool = _p(False, "a read that saw older versions writes the newest back")
    anti_entropy_ms: float | None = _p(None, "each replica syncs with the next every this many ms "
                                       "(none: never)")
    hint_ms: float = _p(100.0, "a stand-in tries to hand its hints back this often")
    clock_skew_ms: float = _p(0.0, "the clock of client 1 (of clients 0 and 1, which take turns "
                              "coordinating writes) runs this far behind")
    writes: int = _p(2000, "write-then-read pairs in a run")
    keys: int | None = _p(None, "keys the writes go to, in turn (none: each write a key of its "
                          "own)")
    duration_ms: float = _p(10_000.0, "writes start at random over this long")
    timeout_ms: float = _p(5000.0, "a coordinator gives up on a request after this long")
    loss: float = _p(0.0, "probability that a message is lost, in [0, 1)")
    down: tuple[int, ...] = _p((), "nodes down for the whole run, e.g. 2")
    partitioned: tuple[int, ...] = _p((1, 2), "nodes the partition cuts off from everyone else")
    partition_at_ms: float | None = _p(None, "the partition starts (none: never)")
    heal_at_ms: float | None = _p(None, "the partition heals (none: never)")

    def legs(self) -> Legs:
        """The four legs' distributions: the profile's, each overridden where given."""
        base = PROFILES[self.latency_profile]
        return Legs(*(getattr(self, name) or getattr(base, name) for name in Legs._fields))

    def end_ms(self) -> float:
        """When the run stops: past the last write, its read, and time for repairs to land."""
        tail = self.read_delay_ms + 2 * self.timeout_ms + 100.0
        if self.anti_entropy_ms is not None:
            tail += 4 * self.nodes * self.anti_entropy_ms
        if self.sloppy:
            tail += 4 * self.hint_ms
        return self.duration_ms + tail

    def messages(self) -> float:
        """About how many messages a run sends: a write and a read each ask every replica and
        hear back; anti-entropy and hints add a few per round."""
        per_pair = 4 * self.nodes
        rounds = 0.0
        if self.anti_entropy_ms is not None:
            rounds += self.end_ms() / self.anti_entropy_ms * self.nodes
        if self.sloppy:
            rounds += self.end_ms() / self.hint_ms * self.nodes
        return self.writes * per_pair + rounds

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe a run."""
        if not 1 <= self.n <= MAX_NODES:
            raise InputError(f"n, the replicas of a key, must be between 1 and {MAX_NODES}, "
                             f"got {self.n}.")
        for name in ("r", "w"):
            v = getattr(self, name)
            if not 1 <= v <= self.n:
                raise InputError(f"{name} must be between 1 and n = {self.n}, got {v}: a "
                                 f"{'read' if name == 'r' else 'write'} waits for at least one "
                                 "replica and cannot wait for more than there are.")
        if not self.n <= self.nodes <= MAX_NODES:
            raise InputError(f"nodes must be between n = {self.n} and {MAX_NODES}, got "
                             f"{self.nodes}.")
        if self.latency_profile not in PROFILES:
            raise InputError(f"'{self.latency_profile}' is not a latency profile."
                             f"{did_you_mean(self.latency_profile, PROFILES)} Profiles: "
                             f"{', '.join(PROFILES)}.")
        for name, dist in zip(Legs._fields, self.legs(), strict=True):
            if not 0 <= dist.mean() < self.timeout_ms:
                raise InputError(f"{name} averages {dist.mean():g} ms, not below timeout_ms "
                                 f"({self.timeout_ms:g}): hardly a request would finish.")
        if self.propagation not in PROPAGATIONS:
            raise InputError(f"propagation is one of {', '.join(PROPAGATIONS)}, got "
                             f"'{self.propagation}'.")
        if self.read_delay_ms < 0:
            raise InputError(f"read_delay_ms cannot be negative, got {self.read_delay_ms:g}.")
        for name in ("anti_entropy_ms", "hint_ms", "timeout_ms"):
            v = getattr(self, name)
            if v is not None and v <= 0:
                raise InputError(f"{name} must be positive, got {v:g}.")
        if self.clock_skew_ms < 0:
            raise InputError(f"clock_skew_ms is how far behind client 1's clock runs, at least "
                             f"0, got {self.clock_skew_ms:g}.")
        if not 1 <= self.writes <= MAX_WRITES:
            raise InputError(f"writes must be between 1 and {MAX_WRITES:,}, got {self.writes}.")
        if self.keys is not None and not 1 <= self.keys <= self.writes:
            raise InputError(f"keys must be between 1 and writes = {self.writes}, got {self.keys}.")
        if not 0 < self.duration_ms <= MAX_DURATION_MS:
            raise InputError(f"duration_ms must be in (0, {MAX_DURATION_MS:,.0f}], got "
                             f"{self.duration_ms:g}.")
        if not 0 <= self.loss < 1:
            raise InputError(f"loss is a probability in [0, 1), got {self.loss}.")
        for name in ("down", "partitioned"):
            ids = getattr(self, name)
            bad = [i for i in ids if not 0 <= i < self.nodes]
            if bad:
                raise InputError(f"{name} names node {bad[0]}, but the nodes are 0 .. "
                                 f"{self.nodes - 1}.")
            if len(set(ids)) != len(ids):
                raise InputError(f"{name} lists a node twice: {list(ids)}.")
        for name in ("partition_at_ms", "heal_at_ms"):
            t = getattr(self, name)
            if t is not None and not 0 <= t < self.end_ms():
                raise InputError(f"{name} must fall inside the run [0, {self.end_ms():g}), got "
                                 f"{t:g}.")
        if self.heal_at_ms is not None and (self.partition_at_ms is None
                                            or self.heal_at_ms <= self.partition_at_ms):
            raise InputError("heal_at_ms must come after partition_at_ms, which must be set.")
        if self.messages() > MAX_MESSAGES:
            raise InputError(f"{self.writes:,} pairs on {self.nodes} nodes, with the repairs "
                             f"asked for, come to about {self.messages():,.0f} messages, more than "
                             f"the {MAX_MESSAGES:,} one run may send; lower writes or nodes, or "
                             "raise anti_entropy_ms or hint_ms.")


@dataclass(frozen=True)
class SweepParams(QuorumParams):
    """Every (R, W) for each replica count, read off one simulation per count."""

    ns: tuple[int, ...] = _p((3, 5), "replica counts to sweep; each runs on a cluster of its own "
                             "size, with every (R, W)")

    def validate(self) -> None:
        super().validate()
        if not self.ns or any(not 1 <= k <= MAX_NODES for k in self.ns):
            raise InputError(f"ns lists replica counts between 1 and {MAX_NODES}, got "
                             f"{','.join(map(str, self.ns)) or 'none'}.")
        if list(self.ns) != sorted(set(self.ns)):
            raise InputError("list each replica count in ns once, smallest first, e.g. 3,5.")
        bad = [i for i in self.down if i >= min(self.ns)]
        if bad:
            raise InputError(f"down names node {bad[0]}, but the smallest cluster swept has "
                             f"{min(self.ns)} nodes.")
        if self.writes * 4 * sum(self.ns) > MAX_MESSAGES:
            raise InputError(f"{self.writes:,} pairs on clusters of {','.join(map(str, self.ns))} "
                             f"nodes send more than the {MAX_MESSAGES:,} messages a run may; "
                             "lower writes.")


MECHANISMS = ("none", "read-repair", "anti-entropy")


@dataclass(frozen=True)
class RepairParams(QuorumParams):
    """The same writes under each repair mechanism in turn, on the same seed."""

    anti_entropy_ms: float | None = _p(200.0, "under the anti-entropy mechanism, each replica "
                                       "syncs with the next every this many ms")
    mechanisms: tuple[str, ...] = _p(MECHANISMS, "repair mechanisms compared side by side: "
                                     + ", ".join(MECHANISMS))

    def validate(self) -> None:
        super().validate()
        if not self.mechanisms:
            raise InputError("give at least one mechanism, e.g. --set mechanisms=none,read-repair.")
        for m in self.mechanisms:
            if m not in MECHANISMS:
                raise InputError(f"'{m}' is not a repair mechanism.{did_you_mean(m, MECHANISMS)} "
                                 f"Mechanisms: {', '.join(MECHANISMS)}.")
        if len(set(self.mechanisms)) != len(self.mechanisms):
            raise InputError(f"a mechanism is listed twice in {','.join(self.mechanisms)}.")
        if "anti-entropy" in self.mechanisms and self.anti_entropy_ms is None:
            raise InputError("the anti-entropy mechanism needs anti_entropy_ms, e.g. "
                             "--set anti_entropy_ms=200.")
