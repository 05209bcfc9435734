"""The quorum experiment as a steppable model: N replicas (and stand-ins) on a network with a
latency per leg, two clients that coordinate a stream of write-then-read pairs, and the faults
the parameters ask for (nodes down, a partition, message loss)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dslab.errors import InputError
from dslab.labs.quorum.checks import Monitor
from dslab.labs.quorum.client import Client
from dslab.labs.quorum.measure import measure
from dslab.labs.quorum.network import ACK, KINDS, READ, RESPONSE, WRITE, LegNetwork
from dslab.labs.quorum.params import QuorumParams
from dslab.labs.quorum.records import Pair
from dslab.labs.quorum.replica import Replica
from dslab.labs.quorum.retime import Trace
from dslab.labs.quorum.rules import Rules, Version
from dslab.labs.quorum.theory import wars, wars_of, why_not
from dslab.run import Outcome
from dslab.sim.simulation import Simulation


class QuorumCluster:
    """One run: build it, step it with ``run_until``, measure it with ``outcome``."""

    def __init__(self, params: QuorumParams, seed: int, impl: Rules, events: bool = False) -> None:
        p = self.params = params
        self.sim = Simulation(seed)
        self.net = LegNetwork(self.sim, p.legs(), p.loss)
        self.keeps_events = events
        if events:  # keep every message and its fate, for events()
            self.net.keep = lambda msg: (msg[0], msg[1] if msg[0] in (ACK, RESPONSE) else
                                         msg[3] if msg[0] == WRITE else
                                         msg[2] if msg[0] == READ else None)
        self.monitor = Monitor(p.n, p.r, p.w, p.sloppy)
        phase = self.sim.rng("sync.phase")
        hint_phase = self.sim.rng("hint.phase")  # stand-ins hand hints back out of step
        self.replicas = []
        for i in range(p.nodes):
            start = float(phase.uniform(0, p.anti_entropy_ms)) if p.anti_entropy_ms else 0.0
            rep = Replica(i, impl, self.monitor.stored, n=p.n,
                          hint_ms=p.hint_ms if p.sloppy else None,
                          sync_ms=p.anti_entropy_ms, sync_phase_ms=start,
                          hint_phase_ms=float(hint_phase.uniform(0, p.hint_ms)))
            self.replicas.append(rep)
            self.net.add(rep)
        self.monitor.replicas = self.replicas
        self.clients = [Client(p.nodes + c, c, p, impl, p.clock_skew_ms if c == 1 else 0.0,
                               self._committed, self.monitor.read) for c in (0, 1)]
        for client in self.clients:
            self.net.add(client)
        for node in p.down:
            self.replicas[node].up = False
        self.net.start()
        self.pairs: list[Pair] = []
        starts = np.sort(self.sim.rng("arrivals").uniform(0.0, p.duration_ms, p.writes))
        keys = (np.arange(p.writes) if p.keys is None
                else self.sim.rng("keys").integers(0, p.keys, p.writes))
        writers = self.sim.rng("writers").integers(0, 2, p.writes)
        for i in range(p.writes):
            self.sim.call_at(float(starts[i]), self._start_pair, i, int(keys[i]), int(writers[i]))
        if p.partition_at_ms is not None:
            self.sim.call_at(p.partition_at_ms, self.net.partition, [list(p.partitioned)])
        if p.heal_at_ms is not None:
            self.sim.call_at(p.heal_at_ms, self.net.heal)
        self.end_ms = p.end_ms()

    def _start_pair(self, index: int, key: int, writer: int) -> None:
        client = self.clients[writer]
        version = Version(client.clock_ms(), client.number, index + 1)
        pair = Pair(index, key, client.id, self.clients[1 - writer].id, version, self.sim.now)
        self.pairs.append(pair)
        self.monitor.issued(version)
        client.write(pair)

    def _committed(self, pair: Pair) -> None:
        self.monitor.committed(pair, self.sim.now)
        reader = self.net.nodes[pair.reader]
        assert isinstance(reader, Client)
        self.sim.call_later(self.params.read_delay_ms, reader.read, pair)

    # -- the Model protocol ---------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.sim.now

    def run_until(self, t_ms: float) -> None:
        self.sim.run(min(t_ms, self.end_ms))

    def finish(self) -> None:
        self.sim.run(self.end_ms)

    def state(self) -> list[dict[str, Any]]:
        """Each node right now: up or down, reachable from the clients, keys stored, hints held."""
        rows = []
        for rep in self.replicas:
            rows.append({"node": rep.id, "role": "home" if rep.id < self.params.n else "stand-in",
                         "up": rep.up, "reachable": self.net.reachable(self.clients[0].id, rep.id),
                         "keys": len(rep.store),
                         "hints": sum(len(h) for h in rep.hints.values()), "t_ms": self.sim.now})
        return rows

    def events(self, since_ms: float = 0.0) -> list[dict[str, Any]]:
        """Every message settled from ``since_ms`` to now, in time order: when it was sent and
        settled, between which nodes, its kind (write, ack, read, response, repairs) and the pair
        it belongs to, and its fate (delivered, or dropped by a partition, loss or a down node).
        Nodes ``nodes`` and ``nodes + 1`` are the two clients. Only a run started with
        ``events=True`` keeps them."""
        if not self.keeps_events:
            raise InputError("A quorum run records no events; read its state() instead.")
        out = []
        for t, src, dst, sent, fate, _, kind, pair in self.net.settled:
            if t >= since_ms:
                out.append({"t_ms": t, "kind": KINDS[kind], "src": src, "dst": dst,
                            "sent_ms": sent, "fate": fate, "pair": pair})
        return out

    def outcome(self) -> Outcome:
        out = measure(self.params, self.pairs, self.monitor, self.sim.now)
        p = self.params
        out.series["hints"] = {x.id: list(x.hint_log) for x in self.replicas if x.hint_log}
        if why_not(p) is None:  # the model's curves, for the plot
            q = p.n // 2 + 1
            out.series["theory"] = {"run": wars_of(p), "strict": wars(p.legs(), p.n),
                                    "q": q}
            if p.propagation == "all" and not p.read_repair and (p.r, p.w) != (q, q):
                # the same messages read as a strict quorum (see retime.Trace)
                trace = Trace(p, self.pairs, self.monitor.history)
                out.series["strict_delay_ms"] = trace.fresh_delays(q, q, p.read_delay_ms)
        return out
