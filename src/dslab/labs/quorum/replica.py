"""A replica: it stores the newest version of each key, answers reads, keeps hints for the home
replicas it stands in for and hands them back, and syncs with its neighbour (anti-entropy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dslab.labs.quorum.network import (
    ACK,
    HINT,
    HINT_ACK,
    REPAIR,
    RESPONSE,
    SYNC,
    SYNC_BACK,
    WRITE,
    LegNetwork,
)
from dslab.labs.quorum.rules import Response, Rules, Version
from dslab.sim.network import Node

#: what a replica reports each change of a key to: (replica, key, old, new, t_ms)
OnStore = Callable[[int, int, "Version | None", Version, float], None]


class Replica(Node):
    """One storage node. Its store and hints survive a crash, as on disk."""

    def __init__(self, node_id: int, impl: Rules, on_store: OnStore, *, n: int,
                 hint_ms: float | None, sync_ms: float | None, sync_phase_ms: float,
                 hint_phase_ms: float = 0.0) -> None:
        super().__init__(node_id)
        self.impl = impl
        self.on_store = on_store
        self.n = n
        self.store: dict[int, Version] = {}
        self.hints: dict[int, dict[int, Version]] = {}  # home replica -> key -> version
        self.hint_log: list[tuple[float, int]] = []  # (t_ms, hints held) at each change
        self.hint_ms = hint_ms
        self.sync_ms = sync_ms
        self.sync_phase_ms = sync_phase_ms
        self.hint_phase_ms = hint_phase_ms

    @property
    def network(self) -> LegNetwork:
        net = self.net
        assert isinstance(net, LegNetwork)
        return net

    def on_start(self) -> None:
        if self.hint_ms is not None:
            self.set_timer("hints", self.hint_phase_ms or self.hint_ms, self._hand_back)
        if self.sync_ms is not None and self.id < self.n and self.n > 1:
            self.set_timer("sync", self.sync_phase_ms, self._sync)

    def apply(self, key: int, version: Version) -> None:
        """Keep the newer of what is stored and ``version`` (decided by the resolve rule)."""
        old = self.store.get(key)
        if old == version:
            return
        new = self.impl.resolve([Response(self.id, old), Response(self.id, version)])
        if new is not None and new != old:
            self.store[key] = new
            self.on_store(self.id, key, old, new, self.now)

    def on_message(self, src: int, msg: Any) -> None:
        kind = msg[0]
        if kind == WRITE:
            _, key, version, pair, hint_for = msg
            if hint_for is None:
                self.apply(key, version)
            else:
                held = self.hints.setdefault(hint_for, {})
                if key not in held or version > held[key]:
                    held[key] = version
                    self._log_hints()
            self.send(src, (ACK, pair, self.id))
        elif kind == "R":
            _, key, pair = msg
            self.send(src, (RESPONSE, pair, self.id, self.store.get(key), self.now))
        elif kind == REPAIR:
            self.apply(msg[1], msg[2])
        elif kind == HINT:
            for key, version in msg[1].items():
                self.apply(key, version)
            self.send(src, (HINT_ACK, self.id, msg[1]))
        elif kind == HINT_ACK:
            held = self.hints.get(msg[1], {})
            for key, version in msg[2].items():
                if held.get(key) == version:
                    del held[key]
            if not held:
                self.hints.pop(msg[1], None)
            self._log_hints()
        elif kind == SYNC:
            theirs: dict[int, Version] = msg[1]
            for key, version in theirs.items():
                self.apply(key, version)
            back = {k: v for k, v in self.store.items() if k not in theirs or v > theirs[k]}
            if back:
                self.send(src, (SYNC_BACK, back))
        elif kind == SYNC_BACK:
            for key, version in msg[1].items():
                self.apply(key, version)

    def _log_hints(self) -> None:
        self.hint_log.append((self.now, sum(len(h) for h in self.hints.values())))

    def _hand_back(self) -> None:
        """Offer each home replica it can reach the hints held for it."""
        for home in sorted(self.hints):
            if self.hints[home] and self.network.reachable(self.id, home):
                self.send(home, (HINT, dict(self.hints[home])))
        assert self.hint_ms is not None
        self.set_timer("hints", self.hint_ms, self._hand_back)

    def _sync(self) -> None:
        """Anti-entropy: send the next home replica everything held; it keeps what is newer and
        sends back what it holds newer (a Merkle tree would send only the differences)."""
        peer = (self.id + 1) % self.n
        if self.store:
            self.send(peer, (SYNC, dict(self.store)))
        assert self.sync_ms is not None
        self.set_timer("sync", self.sync_ms, self._sync)
