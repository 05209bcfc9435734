"""Nodes and the network between them: latency, loss, partitions, crashes, timers.

The network knows nothing about what the messages mean. A node subclasses :class:`Node` and
overrides ``on_start``, ``on_message``, ``on_crash`` and ``on_restart``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dslab.errors import InputError
from dslab.sim.dist import Dist, Draws, Uniform
from dslab.sim.simulation import CallbackTimeout, Simulation

#: the loss coin: a message is lost when its draw falls below the loss probability
COIN = Uniform(0.0, 1.0)


class Node:
    """A process with an id, an up/down state, and named timers that can be reset or cancelled.

    A crash cancels every timer and calls ``on_crash`` (drop volatile state there); attributes the
    subclass does not reset are its persistent state, kept across the crash as if on disk.
    """

    def __init__(self, node_id: int) -> None:
        self.id = node_id
        self.up = True
        self.net: Network | None = None
        self._timers: dict[str, int] = {}
        self._timer_seq = 0

    # -- to override -------------------------------------------------------------------------
    def on_start(self) -> None:
        """Called once at time 0 if the node is up, and after each restart."""

    def on_message(self, src: int, msg: Any) -> None:
        """Called when a message from ``src`` is delivered to this (live) node."""

    def on_crash(self) -> None:
        """Forget volatile state; timers are already cancelled."""

    def on_restart(self) -> None:
        """Come back; by default, start again as at time 0."""
        self.on_start()

    # -- helpers -----------------------------------------------------------------------------
    def _network(self) -> Network:
        assert self.net is not None, "add the node to a Network first"
        return self.net

    @property
    def sim(self) -> Simulation:
        assert self.net is not None, "add the node to a Network first"
        return self.net.sim

    @property
    def now(self) -> float:
        return self.sim.now

    def send(self, dst: int, msg: Any) -> None:
        if self.up:
            net = self.net
            assert net is not None, "add the node to a Network first"
            net.send(self.id, dst, msg)

    def peers(self) -> list[int]:
        """Every other node id, in sorted order."""
        return [i for i in self._network().node_ids if i != self.id]

    def set_timer(self, name: str, delay_ms: float, fn: Callable[[], None]) -> None:
        """Arm timer ``name`` to call ``fn`` after ``delay_ms``, replacing any armed one."""
        self._timer_seq += 1
        token = self._timer_seq
        self._timers[name] = token
        self.sim.call_later(delay_ms, self._fire, name, token, fn)

    def cancel_timer(self, name: str) -> None:
        self._timers.pop(name, None)

    def cancel_all_timers(self) -> None:
        """Disarm every timer (a crash does this): their pending firings then fall through."""
        self._timers.clear()

    def timer_armed(self, name: str) -> bool:
        return name in self._timers

    def _fire(self, name: str, token: int, fn: Callable[[], None]) -> None:
        # A reset or cancel replaced the token, so stale firings fall through here.
        if self.up and self._timers.get(name) == token:
            del self._timers[name]
            fn()


class Network:
    """Delivers messages between nodes after a sampled latency, unless lost, cut or crashed.

    A message is dropped if its endpoints are in different partition groups either when it is
    sent or when it would arrive, or if the receiver is down on arrival.
    """

    def __init__(self, sim: Simulation, latency_ms: Dist, loss: float = 0.0) -> None:
        self.sim = sim
        self._env = sim.env
        self._on_arrival = self._deliver  # bound once: send() runs for every message
        # Each random quantity has a stream of its own, drawn in blocks: the latencies come from
        # "network" (the stream both shared before the loss coin got its own, so a run without
        # loss draws the latencies it always drew) and the loss coin from "network.loss".
        self._latency_stream = sim.rng("network")
        self._coin = Draws(COIN, sim.rng("network.loss"), first=Draws.SMALL_FIRST)
        self.latency_ms = latency_ms
        self.loss = loss
        self.nodes: dict[int, Node] = {}
        self.node_ids: list[int] = []
        self._group: dict[int, int] | None = None
        self.slow: dict[int, float] = {}
        self.sent = self.delivered = 0
        self.dropped = {"partition": 0, "loss": 0, "down": 0}
        #: when set, every message is kept in ``settled`` where its fate was settled, as a plain
        #: tuple ``(t_ms, src, dst, sent_ms, fate, records_before) + keep(msg)``: ``fate`` is
        #: ``delivered`` or why it was dropped (as in ``dropped``), ``records_before`` the trace's
        #: length then, to merge the two in order. ``keep`` reduces a message to numbers and
        #: strings, so a long list of them costs the garbage collector nothing.
        self.keep: Callable[[Any], tuple[Any, ...]] | None = None
        self.settled: list[tuple[Any, ...]] = []

    def add(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"node {node.id} is already in the network")
        node.net = self
        self.nodes[node.id] = node
        self.node_ids = sorted(self.nodes)
        return node

    def start(self) -> None:
        for i in self.node_ids:
            if self.nodes[i].up:
                self.nodes[i].on_start()

    # -- delivery ----------------------------------------------------------------------------
    def connected(self, a: int, b: int) -> bool:
        g = self._group
        return g is None or g[a] == g[b]

    @property
    def latency_ms(self) -> Dist:
        return self._latency.dist

    @latency_ms.setter
    def latency_ms(self, dist: Dist) -> None:
        """A new latency distribution takes over from the next message, on the same stream."""
        self._latency = Draws(dist, self._latency_stream, first=Draws.SMALL_FIRST)

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
        delay = self._latency()
        if self.slow:
            delay *= max(self.slow.get(src, 1.0), self.slow.get(dst, 1.0))
        env = self._env
        CallbackTimeout(env, delay, self._on_arrival, (src, dst, msg, env.now))

    def _deliver(self, ev: CallbackTimeout) -> None:
        """A message's latency has passed: deliver it, or drop it if it cannot arrive now."""
        src, dst, msg, sent_ms = ev.payload
        node = self.nodes[dst]
        g = self._group
        if not node.up:
            self.dropped["down"] += 1
            self._record(src, dst, msg, sent_ms, "down")
        elif g is not None and g[src] != g[dst]:
            self.dropped["partition"] += 1
            self._record(src, dst, msg, sent_ms, "partition")
        else:
            self.delivered += 1
            if self.keep is not None:
                self._record(src, dst, msg, sent_ms, "delivered")  # before the replies it causes
            node.on_message(src, msg)

    def _record(self, src: int, dst: int, msg: Any, sent_ms: float, fate: str) -> None:
        if self.keep is not None:
            self.settled.append((self.sim.now, src, dst, float(sent_ms), fate, len(self.sim.trace),
                                 *self.keep(msg)))

    # -- faults ------------------------------------------------------------------------------
    @property
    def groups(self) -> list[list[int]] | None:
        """The current partition as sorted groups, or None when every node can reach every other."""
        if self._group is None:
            return None
        out: dict[int, list[int]] = {}
        for node, g in sorted(self._group.items()):
            out.setdefault(g, []).append(node)
        return sorted(out.values())

    def partition(self, groups: Iterable[Iterable[int]]) -> None:
        """Split the nodes into groups that cannot talk; nodes not named form one more group."""
        mapping: dict[int, int] = {}
        listed = [sorted(set(g)) for g in groups]
        for gi, group in enumerate(listed):
            for n in group:
                if n not in self.nodes:
                    raise InputError(f"partition names node {n}, but the nodes are {self.node_ids}.")
                if n in mapping:
                    raise InputError(f"partition puts node {n} in two groups.")
                mapping[n] = gi
        rest = [n for n in self.node_ids if n not in mapping]
        for n in rest:
            mapping[n] = len(listed)
        self._group = mapping
        self.sim.trace.emit(self.sim.now, "partition", groups=self.groups)

    def heal(self) -> None:
        self._group = None
        self.sim.trace.emit(self.sim.now, "heal")

    def crash(self, node_id: int) -> None:
        node = self.nodes[node_id]
        if not node.up:
            return
        node.up = False
        node.cancel_all_timers()
        node.on_crash()
        self.sim.trace.emit(self.sim.now, "crash", node_id)

    def restart(self, node_id: int) -> None:
        node = self.nodes[node_id]
        if node.up:
            return
        node.up = True
        self.sim.trace.emit(self.sim.now, "restart", node_id)
        node.on_restart()

    def set_loss(self, p: float) -> None:
        if not 0 <= p < 1:
            raise InputError(f"loss must be in [0, 1), got {p}.")
        self.loss = p
        self.sim.trace.emit(self.sim.now, "loss", p=p)

    def set_slow(self, node_id: int, factor: float) -> None:
        if factor == 1.0:
            self.slow.pop(node_id, None)
        else:
            self.slow[node_id] = factor
        self.sim.trace.emit(self.sim.now, "slow", node_id, factor=factor)
