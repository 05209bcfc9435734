"""Placement schemes behind one interface: ``owner(key)``, ``holders(key, count)``, ``add(node)``,
``remove(node)``, and ``place(keys)`` for a whole key set.

Each scheme decides through ``impl`` (the reference rules or a learner's overlay of them), so a
wrong rule shows up in the lab's loads, movements and checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from dslab.labs.hashing.hashes import mix64_array, stable_hash
from dslab.labs.hashing.rules import Rules

SCHEMES = ("modulo", "ring", "rendezvous", "jump", "bounded")
#: Schemes that promise a membership change moves keys only to or from the changed node.
CONSISTENT = ("ring", "rendezvous", "jump")


class Scheme:
    """What every scheme shares: the members, and the key-set and routing helpers."""

    name = "scheme"
    consistent = False

    def __init__(self, nodes: Sequence[str], impl: Rules) -> None:
        self.impl = impl
        self.members: list[str] = list(nodes)
        self._rebuild()

    def _rebuild(self) -> None:
        """Recompute whatever the scheme derives from its members."""

    def owner(self, key: str) -> str:
        raise NotImplementedError

    def holders(self, key: str, count: int) -> list[str]:
        """The ``count`` distinct nodes holding ``key``: its owner first, then its replicas."""
        raise NotImplementedError

    def add(self, node: str) -> None:
        self.members.append(node)
        self._rebuild()

    def remove(self, node: str) -> None:
        self.members.remove(node)
        self._rebuild()

    def place(self, keys: Sequence[str]) -> dict[str, str]:
        """Every key's owner."""
        return {k: self.owner(k) for k in keys}

    def route(self, key: str, loads: Mapping[str, int]) -> str:
        """Where a request for ``key`` goes, given each node's requests in flight."""
        return self.owner(key)


class Modulo(Scheme):
    """Hash mod N over the members in the order they joined."""

    name = "modulo"

    def owner(self, key: str) -> str:
        return self.impl.modulo_owner(self.members, stable_hash(key))

    def holders(self, key: str, count: int) -> list[str]:
        i = self.members.index(self.owner(key))
        n = len(self.members)
        return [self.members[(i + j) % n] for j in range(count)]


class Ring(Scheme):
    """Consistent hashing: ``vnodes`` points per node, a key to the next point clockwise, its
    replicas to the next distinct nodes after that."""

    name = "ring"
    consistent = True

    def __init__(self, nodes: Sequence[str], impl: Rules, vnodes: int) -> None:
        self.vnodes = vnodes
        super().__init__(nodes, impl)

    def _rebuild(self) -> None:
        self.ring = list(self.impl.build_ring(sorted(self.members), self.vnodes))

    def owner(self, key: str) -> str:
        return self.impl.ring_owner(self.ring, stable_hash(key))

    def holders(self, key: str, count: int) -> list[str]:
        return self.impl.ring_walk(self.ring, stable_hash(key), count)


class Rendezvous(Scheme):
    """Highest random weight: each node scores each key; the best score owns it."""

    name = "rendezvous"
    consistent = True

    def _rebuild(self) -> None:
        self.node_hashes = {n: stable_hash(n) for n in sorted(self.members)}

    def owner(self, key: str) -> str:
        return self.impl.rendezvous_rank(self.node_hashes, stable_hash(key), 1)[0]

    def holders(self, key: str, count: int) -> list[str]:
        return self.impl.rendezvous_rank(self.node_hashes, stable_hash(key), count)

    def place(self, keys: Sequence[str]) -> dict[str, str]:
        """The same answer as ``owner`` for every key, scored as arrays: a key set costs
        keys × nodes weights, too many to score one at a time in Python."""
        names = sorted(self.node_hashes)  # argmax keeps the first of equal scores, as the rule does
        nodes = np.array([self.node_hashes[n] for n in names], dtype=np.uint64)
        hashes = np.array([stable_hash(k) for k in keys], dtype=np.uint64)
        best = np.concatenate([np.argmax(mix64_array(hashes[i:i + 4096, None] ^ nodes[None, :]), axis=1)
                               for i in range(0, len(keys), 4096)] or [np.zeros(0, dtype=int)])
        return {k: names[b] for k, b in zip(keys, best.tolist(), strict=True)}


class Jump(Scheme):
    """Jump consistent hash over numbered buckets (members in join order). Buckets are numbers,
    so only the last one can leave without renumbering the rest."""

    name = "jump"
    consistent = True

    def owner(self, key: str) -> str:
        return self.members[self.impl.jump_hash(stable_hash(key), len(self.members))]

    def holders(self, key: str, count: int) -> list[str]:
        i = self.members.index(self.owner(key))
        n = len(self.members)
        return [self.members[(i + j) % n] for j in range(count)]

    def remove(self, node: str) -> None:
        if node != self.members[-1]:
            raise ValueError(f"jump hash can only remove its last bucket ({self.members[-1]}), "
                             f"not {node}")
        super().remove(node)


class Bounded(Ring):
    """Consistent hashing with bounded loads: the ring, but no node takes more than
    ``ceil(c * load / n)``; a key (or request) that finds its owner full walks on clockwise."""

    name = "bounded"
    consistent = False  # a full node passes keys on, so a change can ripple between others

    def __init__(self, nodes: Sequence[str], impl: Rules, vnodes: int, c: float) -> None:
        self.c = c
        self.assigned: dict[str, str] = {}
        self.cap = 0
        super().__init__(nodes, impl, vnodes)

    def _rebuild(self) -> None:
        super()._rebuild()
        self.assigned = {}  # a new membership needs a new placement

    def owner(self, key: str) -> str:
        got = self.assigned.get(key)
        return got if got is not None else super().owner(key)

    def holders(self, key: str, count: int) -> list[str]:
        first = self.owner(key)
        rest = [n for n in self.impl.ring_walk(self.ring, stable_hash(key), len(self.members))
                if n != first]
        return [first, *rest][:count]

    def place(self, keys: Sequence[str]) -> dict[str, str]:
        """Keys in the order given, each to the first node clockwise below the cap."""
        self.cap = self.impl.load_cap(self.c, len(keys), len(self.members))
        loads: dict[str, int] = {}
        out = {}
        for k in keys:
            node = self.impl.bounded_pick(self.ring, stable_hash(k), loads, self.cap)
            loads[node] = loads.get(node, 0) + 1
            out[k] = node
        self.assigned = out
        return out

    def route(self, key: str, loads: Mapping[str, int]) -> str:
        """The cap counts requests in flight, this one included: ``ceil(c * (total + 1) / n)``."""
        self.cap = self.impl.load_cap(self.c, sum(loads.values()) + 1, len(self.members))
        return self.impl.bounded_pick(self.ring, stable_hash(key), loads, self.cap)


def make_scheme(name: str, nodes: Sequence[str], impl: Rules, vnodes: int = 8, c: float = 1.25) -> Scheme:
    """The scheme called ``name`` (one of SCHEMES) over ``nodes``."""
    if name == "modulo":
        return Modulo(nodes, impl)
    if name == "ring":
        return Ring(nodes, impl, vnodes)
    if name == "rendezvous":
        return Rendezvous(nodes, impl)
    if name == "jump":
        return Jump(nodes, impl)
    if name == "bounded":
        return Bounded(nodes, impl, vnodes, c)
    raise ValueError(f"unknown scheme {name!r}; schemes: {', '.join(SCHEMES)}")
