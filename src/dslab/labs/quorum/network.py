"""The network of the quorum lab: the core's Network (partitions, crashes, loss), with a latency
drawn per leg of a request, as the WARS model has it, each leg from a stream of its own."""

from __future__ import annotations

from typing import Any

from dslab.labs.quorum.profiles import Legs
from dslab.sim.dist import Const, Draws
from dslab.sim.network import Network
from dslab.sim.simulation import Simulation

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
        self._draws = {
            WRITE: Draws(legs.write_ms, sim.rng("leg.write"), first=first),
            ACK: Draws(legs.ack_ms, sim.rng("leg.ack"), first=first),
            READ: Draws(legs.read_ms, sim.rng("leg.read"), first=first),
            RESPONSE: Draws(legs.response_ms, sim.rng("leg.response"), first=first),
        }
        background = Draws(legs.write_ms, sim.rng("leg.background"), first=first)
        for kind in (REPAIR, HINT, HINT_ACK, SYNC, SYNC_BACK):
            self._draws[kind] = background

    def send(self, src: int, dst: int, msg: Any) -> None:
        """The core's send, with the latency drawn from this message's leg."""
        self._latency = self._draws[msg[0]]
        super().send(src, dst, msg)

    def reachable(self, src: int, dst: int) -> bool:
        """Can ``src`` reach ``dst`` right now? (The failure detector every node consults: an
        oracle, so that the lab shows quorums and not the detector's mistakes.)"""
        return self.nodes[dst].up and self.connected(src, dst)
