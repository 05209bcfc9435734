"""A client that coordinates writes and reads: it sends a write to the replicas and acknowledges
it after w acks, and a read that asks the replicas and answers with the newest version among the
first r responses, then repairs the replicas that answered with older ones (if asked to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dslab.labs.quorum.network import ACK, READ, REPAIR, RESPONSE, WRITE, LegNetwork
from dslab.labs.quorum.params import QuorumParams
from dslab.labs.quorum.records import Answer, Pair
from dslab.labs.quorum.rules import Response, Rules
from dslab.sim.network import Node


class Client(Node):
    """A coordinator with its own clock, ``skew_ms`` behind the simulation's."""

    def __init__(self, node_id: int, number: int, p: QuorumParams, impl: Rules,
                 skew_ms: float, on_commit: Callable[[Pair], None],
                 on_read: Callable[[Pair], None]) -> None:
        super().__init__(node_id)
        self.number = number  # 0 or 1: the writer id in each version
        self.p = p
        self.impl = impl
        self.skew_ms = skew_ms
        self.on_commit = on_commit
        self.on_read = on_read
        self.writing: dict[int, Pair] = {}  # pair index -> pair, while its write is open
        self.reading: dict[int, Pair] = {}  # ... while its read still hears answers
        self.asked: dict[int, list[int]] = {}  # pair index -> the replicas its read asked

    @property
    def network(self) -> LegNetwork:
        net = self.net
        assert isinstance(net, LegNetwork)
        return net

    def clock_ms(self) -> float:
        """This client's clock: the simulation's, minus its skew."""
        return self.now - self.skew_ms

    def targets(self) -> tuple[list[int], list[int]]:
        """Where a request goes: the n home replicas, or with a sloppy quorum the first n nodes
        this client can reach; and which home replicas that leaves out."""
        p = self.p
        if not p.sloppy:
            return list(range(p.n)), []
        preference = list(range(p.nodes))
        down = [x for x in preference if not self.network.reachable(self.id, x)]
        chosen = [int(x) for x in self.impl.sloppy_targets(preference, down, p.n)]
        missing = [h for h in range(p.n) if h not in chosen]
        return chosen, missing

    # -- writes -------------------------------------------------------------------------------

    def write(self, pair: Pair) -> None:
        targets, missing = self.targets()
        if self.p.propagation == "quorum-only":
            targets = targets[:self.p.w]
        stand_ins = [x for x in targets if x >= self.p.n]
        hint_for = dict(zip(stand_ins, missing, strict=False))
        pair.targets = targets
        self.writing[pair.index] = pair
        for x in targets:
            self.send(x, (WRITE, pair.key, pair.version, pair.index, hint_for.get(x)))
        self.sim.call_later(self.p.timeout_ms, self._write_timeout, pair)

    def _write_timeout(self, pair: Pair) -> None:
        if self.writing.pop(pair.index, None) is not None and pair.commit_ms is None:
            pair.failed = True

    def _ack(self, index: int, replica: int) -> None:
        pair = self.writing.get(index)
        if pair is None:
            return
        pair.acks[replica] = self.now
        if pair.commit_ms is None and len(pair.acks) >= self.p.w:
            pair.commit_ms = self.now
            pair.stand_ins = sum(1 for x in pair.acks if x >= self.p.n)
            self.on_commit(pair)

    # -- reads --------------------------------------------------------------------------------

    def read(self, pair: Pair) -> None:
        targets, _ = self.targets()
        pair.read_start_ms = self.now
        self.reading[pair.index] = pair
        self.asked[pair.index] = targets
        for x in targets:
            self.send(x, (READ, pair.key, pair.index))
        self.sim.call_later(self.p.timeout_ms, self._read_timeout, pair)

    def _response(self, msg: Any) -> None:
        _, index, replica, version, asked_ms = msg
        pair = self.reading.get(index)
        if pair is None:
            return
        pair.answers.append(Answer(replica, version, asked_ms, self.now))
        r = self.p.r
        if len(pair.answers) == r:
            pair.answer = self.impl.resolve([Response(a.replica, a.version)
                                             for a in pair.answers[:r]])
            pair.read_done_ms = self.now
            self.on_read(pair)
        if len(pair.answers) == len(self.asked[index]):
            self._close_read(pair)

    def _read_timeout(self, pair: Pair) -> None:
        if pair.index in self.reading:
            if pair.read_done_ms is None:
                pair.read_failed = True
            self._close_read(pair)

    def _close_read(self, pair: Pair) -> None:
        """Every replica asked has answered (or the read timed out): repair, if asked to."""
        del self.reading[pair.index]
        del self.asked[pair.index]
        if not self.p.read_repair or pair.read_done_ms is None:
            return
        responses = [Response(a.replica, a.version) for a in pair.answers]
        newest = self.impl.resolve(responses)
        if newest is None:
            return
        pair.repaired = sorted(int(x) for x in self.impl.repair_targets(responses, self.p.r))
        for x in pair.repaired:
            self.send(x, (REPAIR, pair.key, newest))

    def on_message(self, src: int, msg: Any) -> None:
        if msg[0] == ACK:
            self._ack(msg[1], msg[2])
        elif msg[0] == RESPONSE:
            self._response(msg)
        elif msg[0] == READ:  # a client holds no data
            pass
