"""The network of the quorum lab: the core's Network (partitions, crashes, loss), with a latency
drawn per leg of a request, as the WARS model has it, each leg from a stream of its own."""

from __future__ import annotations

from typing import Any

from dslab.labs.quorum.profiles import Legs
from dslab.sim.dist import Const, Draws
from dslab.sim.network import Network
from dslab.sim.simulation import CallbackTimeout, Simulation

#: message kinds: write, ack, read, response; everything else (repairs, hints, anti-entropy)
#: travels replica to replica like a write, on a stream of its own
WRITE, ACK, READ, RESPONSE = "W", "A", "R", "S"
REPAIR, HINT, HINT_ACK, SYNC, SYNC_BACK = "RR", "H", "HA", "E", "EB"
#: each kind of message in words, for a run's events
KINDS = {WRITE: "write", ACK: "ack", READ: "read", RESPONSE: "response", REPAIR: "read repair",
         HINT: "hinted handoff", HINT_ACK: "handoff ack", SYNC: "anti-entropy",
         SYNC_BACK: "anti-entropy reply"}


class LegNetwork(Network):
    """Delivers each message after a latency drawn from its leg's distribution."""

    def __init__(self, sim: Simulation, legs: Legs, loss: float = 0.0) -> None:
        super().__init__(sim, Const(0.0), loss)
        first = Draws.SMALL_FIRST
        w = Draws(legs.write_ms, sim.rng("leg.write"), first=first)
        a = Draws(legs.ack_ms, sim.rng("leg.ack"), first=first)
        self._draws = {
            WRITE: w.next, ACK: a.next,
            READ: Draws(legs.read_ms, sim.rng("leg.read"), first=first).next,
            RESPONSE: Draws(legs.response_ms, sim.rng("leg.response"), first=first).next,
        }
        background = Draws(legs.write_ms, sim.rng("leg.background"), first=first).next
        for kind in (REPAIR, HINT, HINT_ACK, SYNC, SYNC_BACK):
            self._draws[kind] = background

    def send(self, src: int, dst: int, msg: Any) -> None:
        self.sent += 1
        g = self._group
        if g is not None and g[src] != g[dst]:
            self.dropped["partition"] += 1
            self._record(src, dst, msg, self.sim.now, "partition")
            return
        if self.loss > 0 and self._coin() < self.loss:
            self.dropped["loss"] += 1
            self._record(src, dst, msg, self.sim.now, "loss")
            return
        delay = self._draws[msg[0]]()
        env = self._env
        CallbackTimeout(env, delay, self._on_arrival, (src, dst, msg, env.now))

    def reachable(self, src: int, dst: int) -> bool:
        """Can ``src`` reach ``dst`` right now? (The failure detector every node consults: an
        oracle, so that the lab shows quorums and not the detector's mistakes.)"""
        return self.nodes[dst].up and self.connected(src, dst)
