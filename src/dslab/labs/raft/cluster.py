"""A Raft cluster on the simulated network, steppable (a ``dslab.run.Model``): build it, advance
it a little at a time, look at each server, and measure it at any point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dslab.errors import InputError
from dslab.labs.raft import rules
from dslab.labs.raft.checks import SafetyMonitor
from dslab.labs.raft.measure import metrics, series
from dslab.labs.raft.model import FIELDS, RaftServer, client_process, summary
from dslab.labs.raft.params import RaftParams
from dslab.labs.raft.rules import LEADER, Rules
from dslab.labs.raft.tiers import with_fallback
from dslab.run import Outcome
from dslab.sim.faults import Crash, Fault, Partition, schedule
from dslab.sim.network import Network
from dslab.sim.simulation import Simulation


class RaftCluster:
    """``nodes`` Raft servers, their clients, and the scenario's faults, ready to run."""

    def __init__(self, params: RaftParams, seed: int = 1, impl: Rules | None = None,
                 faults: Sequence[Fault] = (), events: bool = False, strict: bool = False) -> None:
        """``faults`` are laid on top of the scenario's own (any mix of partitions, crashes,
        restarts, loss and slow links, as data), for notebooks and generated schedules.
        ``events=True`` keeps every message for :meth:`events`, which a notebook reads and a
        plain run does not (keeping them costs about a sixth of the run's time). A learner's
        second-tier rule that is still a stub runs as the reference (``tiers.py``), unless
        ``strict``, as the checker's tests of those rules ask."""
        self.params = params
        self.seed = seed
        self.impl = impl if impl is not None else rules
        if not strict:
            self.impl = with_fallback(self.impl)
        self.sim = Simulation(seed)
        self.net = Network(self.sim, params.latency_ms, params.loss)
        self.recording = events
        if events:
            self.net.keep = summary  # every message, for events()
        self.monitor = SafetyMonitor(list(range(params.nodes)), rules.quorum(params.nodes),
                                     groups_now=lambda: self.net.groups, logs_now=self.logs,
                                     could_win=self.could_win)
        self.servers: list[RaftServer] = []
        for i in range(params.nodes):
            s = RaftServer(i, params.nodes, self.impl, params.election_timeout_ms,
                           params.heartbeat_ms, self.monitor, params.pre_vote)
            self.net.add(s)
            self.servers.append(s)
        for i in sorted(params.failed):
            self.servers[i].up = False
            self.monitor.on_role(0.0, i, "down", 0)
        #: fault time -> (server, term) of the leader it hit, or None if nobody led then
        self.hit: dict[float, tuple[int, int] | None] = {}
        self.extra_faults = tuple(faults)
        schedule(self.net, [*self.faults(), *self.extra_faults], resolve=self._resolve)
        self.net.start()
        self.sim.env.process(client_process(self.sim, self.servers, params.client_rate_per_s))

    def faults(self) -> list:
        """The scenario's faults as data; "leader" is whoever leads when the fault fires,
        "follower" the first server up and not yet placed, "not-leader" the same but never
        the leader."""
        p = self.params
        out: list = []
        if p.crash_leader_at_ms is not None:
            out.append(Crash(p.crash_leader_at_ms, "leader"))
        if p.partition_at_ms is not None:
            side = ("leader",) + ("follower",) * (p.minority - 1)
            out.append(Partition(p.partition_at_ms, (side, ("rest",)), p.heal_at_ms))
        if p.isolate_at_ms is not None:
            out.append(Partition(p.isolate_at_ms, (("not-leader",), ("rest",)), p.rejoin_at_ms))
        return out

    def leader(self) -> RaftServer | None:
        """The live server that believes it leads in the highest term, if any."""
        leaders = [s for s in self.servers if s.up and s.role == LEADER]
        return max(leaders, key=lambda s: (s.current_term, -s.id)) if leaders else None

    def _resolve(self, name: str, taken: set[int]) -> int | None:
        if name == "leader":
            lead = self.leader()
            self.hit[self.sim.now] = (lead.id, lead.current_term) if lead else None
            return lead.id if lead else None
        if name == "follower":
            for s in self.servers:
                if s.up and s.id not in taken:
                    return s.id
            return None
        if name == "not-leader":  # the first up server that does not lead
            lead = self.leader()
            return next((s.id for s in self.servers if s.up and s.id not in taken and s is not lead),
                        None)
        raise ValueError(f"unknown role name {name!r}")

    def could_win(self, node: int) -> bool:
        """Whether ``node`` could win an election now: the up servers on its side of any
        partition, itself included, whose logs its own is at least as up to date as (by the
        reference rule, whatever the implementation) make a majority of the whole cluster."""
        me, groups = self.servers[node], self.net.groups
        side = next((set(g) for g in groups if node in g), None) if groups else None
        backers = sum(1 for s in self.servers
                      if s.up and (side is None or s.id in side)
                      and rules.log_is_up_to_date(me.last_term, me.last_index,
                                                  s.last_term, s.last_index))
        return backers >= rules.quorum(self.params.nodes)

    def logs(self) -> dict[int, list[tuple[int, int]]]:
        return {s.id: s.log for s in self.servers}

    @property
    def now(self) -> float:
        return self.sim.now

    def run_until(self, t_ms: float) -> None:
        """Advance the simulation to ``t_ms`` (capped at the run's duration)."""
        self.sim.run(min(t_ms, self.params.duration_ms))

    def state(self) -> list[dict[str, Any]]:
        """One row per server: what it believes right now."""
        return [
            {"server": s.id, "up": s.up, "role": s.role if s.up else "down", "term": s.current_term,
             "voted_for": s.voted_for, "log_length": len(s.log), "commit_index": s.commit_index,
             "last_log_term": s.last_term}
            for s in self.servers
        ]

    def events(self, since_ms: float = 0.0) -> list[dict[str, Any]]:
        """What happened from ``since_ms`` (included) to now, in order, one dict per event: each
        message where its fate was settled (``fate`` is ``delivered``, or why it was dropped:
        ``partition``, ``loss``, ``down``), each election timeout, election won and step-down,
        and the faults (partition, heal, crash, restart)."""
        if not self.recording:
            raise InputError("This raft run was started without events=True, so it kept no "
                             "events to read; start it with LAB.start(params, seed, events=True).")
        records, done = self.sim.trace.records, 0
        rows: list[dict[str, Any]] = []
        for t, src, dst, sent, fate, before, kind, *values in self.net.settled:
            rows += [r.to_dict() for r in records[done:before] if r.t_ms >= since_ms]
            done = max(done, before)
            if t >= since_ms:
                rows.append({"t_ms": round(t, 6), "kind": kind, "src": src, "dst": dst,
                             "sent_ms": round(sent, 6), "fate": fate,
                             **dict(zip(FIELDS.get(kind, ()), values, strict=True))})
        return rows + [r.to_dict() for r in records[done:] if r.t_ms >= since_ms]

    def finish(self) -> None:
        self.run_until(self.params.duration_ms)
        self.monitor.check_logs(self.now, self.logs())

    def outcome(self) -> Outcome:
        """Metrics, checks and series of what has run; the story reads the cluster itself."""
        return Outcome(metrics(self), self.monitor.verdicts(), series(self), facts=self)
