"""Placement schemes behind one interface: ``owner(key)``, ``holders(key, count)``, ``add(node)``,
``remove(node)``, and ``place(keys)`` for a whole key set.

Each scheme decides through ``impl`` (the reference rules or a learner's overlay of them), so a
wrong rule shows up in the lab's loads, movements and checks. A whole key set goes through the
array form of a rule (``vector.py``) when the rule is the reference's own, and through the rule
key by key when it is a learner's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from dslab.labs.hashing.hashes import stable_hash
from dslab.labs.hashing.placement import KeySet, Placement
from dslab.labs.hashing.rules import Point, Rules
from dslab.labs.hashing.vector import (
    RingArrays,
    bounded_pick_from,
    bounded_picks,
    build_ring_arrays,
    first_at_or_after,
    jump_hash_array,
    modulo_index,
    rendezvous_index,
    ring_arrays,
    ring_owner_index,
    ring_walk_index,
    uses_reference,
)

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
        return self.placement(KeySet(keys)).owners()

    def placement(self, keys: KeySet) -> Placement:
        """Where the scheme puts every key of ``keys`` (for most schemes, each key's ``owner``)."""
        return self.owners_of(keys)

    def owners_of(self, keys: KeySet) -> Placement:
        """``owner(key)`` for every key: as arrays where the scheme has an array form of its
        rule, else key by key."""
        arrays = self._owner_arrays(keys)
        if arrays is None:
            return Placement(keys, owners={k: self.owner(k) for k in keys.names})
        labels, index = arrays
        return Placement(keys, labels, index)

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        """Every key's owner as ``(names, index into names)``, or None to ask key by key."""
        return None

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        """``holders(key, count)`` for every key, as ``(names, rows of indices into names)`` with
        -1 past a short row; None where the scheme has no array form of its rules."""
        return None

    def _next_members(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        """Holders as the owner and the members after it in order, round to the start."""
        owners = self._owner_arrays(keys)
        if owners is None or len(set(self.members)) != len(self.members) or count < 1:
            return None
        names, index = owners
        assert names == self.members, "these schemes number their members as they joined"
        return names, (index[:, None] + np.arange(count)) % len(names)

    def vectorized(self) -> bool:
        """Whether ``owners_of`` places key sets as arrays (the scheme's rules being the
        reference's), so a table of owners says what ``owner`` would."""
        return self._owner_arrays(KeySet([])) is not None

    def route(self, key: str, loads: Mapping[str, int], start: int | None = None) -> str:
        """Where a request for ``key`` goes, given each node's requests in flight."""
        return self.owner(key)


class Modulo(Scheme):
    """Hash mod N over the members in the order they joined."""

    name = "modulo"

    def owner(self, key: str) -> str:
        return self.impl.modulo_owner(self.members, stable_hash(key))

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        if not (uses_reference(self.impl, "modulo_owner") and self.members):
            return None
        return list(self.members), modulo_index(keys.hashes, len(self.members))

    def holders(self, key: str, count: int) -> list[str]:
        i = self.members.index(self.owner(key))
        n = len(self.members)
        return [self.members[(i + j) % n] for j in range(count)]

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        return self._next_members(keys, count)


class Ring(Scheme):
    """Consistent hashing: ``vnodes`` points per node, a key to the next point clockwise, its
    replicas to the next distinct nodes after that."""

    name = "ring"
    consistent = True

    def __init__(self, nodes: Sequence[str], impl: Rules, vnodes: int) -> None:
        self.vnodes = vnodes
        super().__init__(nodes, impl)

    def _rebuild(self) -> None:
        nodes = sorted(self.members)
        self._ring: list[Point] | None = None
        self._arrays: RingArrays | None = None
        self._converted = False  # whether _arrays has been made from _ring yet
        if uses_reference(self.impl, "build_ring") and all(type(n) is str for n in nodes):
            self._arrays = build_ring_arrays(nodes, self.vnodes)
            self._converted = True
        else:
            self._ring = list(self.impl.build_ring(nodes, self.vnodes))

    @property
    def ring(self) -> list[Point]:
        """The ring as the rules take it: ``(position, node)`` points sorted by position."""
        if self._ring is None:
            assert self._arrays is not None
            self._ring = self._arrays.points()
        return self._ring

    @property
    def arrays(self) -> RingArrays | None:
        """The ring as arrays, or None if it is not a well-formed ring (only a learner's
        ``build_ring`` makes those; the rules then read the list point by point)."""
        if not self._converted:
            self._arrays = ring_arrays(self.ring)
            self._converted = True
        return self._arrays

    def owner(self, key: str) -> str:
        return self.impl.ring_owner(self.ring, stable_hash(key))

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        ring = self.arrays if uses_reference(self.impl, "ring_owner") else None
        if ring is None or not len(ring):
            return None
        return ring.names, ring_owner_index(ring, keys.hashes)

    def holders(self, key: str, count: int) -> list[str]:
        return self.impl.ring_walk(self.ring, stable_hash(key), count)

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        ring = self.arrays if uses_reference(self.impl, "ring_walk") and count >= 1 else None
        return None if ring is None else (ring.names, ring_walk_index(ring, keys.hashes, count))


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

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        """Scored as arrays: a key set costs keys × nodes weights, too many to score one at a
        time in Python."""
        if not (uses_reference(self.impl, "rendezvous_rank") and self.node_hashes and count >= 1):
            return None
        names = sorted(self.node_hashes)  # equal weights go in name order, as in the rule
        nodes = np.array([self.node_hashes[n] for n in names], dtype=np.uint64)
        return names, rendezvous_index(nodes, keys.hashes, count)

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        held = self.holders_of(keys, 1)
        return None if held is None else (held[0], held[1][:, 0])


class Jump(Scheme):
    """Jump consistent hash over numbered buckets (members in join order). Buckets are numbers,
    so only the last one can leave without renumbering the rest."""

    name = "jump"
    consistent = True

    def owner(self, key: str) -> str:
        return self.members[self.impl.jump_hash(stable_hash(key), len(self.members))]

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        if not (uses_reference(self.impl, "jump_hash") and self.members):
            return None
        return list(self.members), jump_hash_array(keys.hashes, len(self.members))

    def holders(self, key: str, count: int) -> list[str]:
        i = self.members.index(self.owner(key))
        n = len(self.members)
        return [self.members[(i + j) % n] for j in range(count)]

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        return self._next_members(keys, count)

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
        self.placed: Placement | None = None
        self.cap = 0
        super().__init__(nodes, impl, vnodes)

    def _rebuild(self) -> None:
        super()._rebuild()
        self.placed = None  # a new membership needs a new placement

    @property
    def assigned(self) -> dict[str, str]:
        """Each key's node in the last placement (none before the first, or after a change)."""
        return self.placed.owners() if self.placed is not None else {}

    def owner(self, key: str) -> str:
        got = self.assigned.get(key)
        return got if got is not None else super().owner(key)

    def _owner_arrays(self, keys: KeySet) -> tuple[list[str], np.ndarray] | None:
        return None if self.placed is not None else super()._owner_arrays(keys)

    def holders(self, key: str, count: int) -> list[str]:
        first = self.owner(key)
        rest = [n for n in self.impl.ring_walk(self.ring, stable_hash(key), len(self.members))
                if n != first]
        return [first, *rest][:count]

    def holders_of(self, keys: KeySet, count: int) -> tuple[list[str], np.ndarray] | None:
        """The owner (placed or on the ring), then the next distinct nodes clockwise but it. The
        rule walks to every member and drops the owner: the same, when the ring's nodes are the
        members."""
        ring = self.arrays if uses_reference(self.impl, "ring_walk") and count >= 1 else None
        if ring is None or set(ring.names) != set(self.members):
            return None
        if self.placed is None:
            owners = self._owner_arrays(keys)
            first = None if owners is None else owners[1]
        else:
            first = self.placed.index if self.placed.keys is keys else None
        if first is None:
            return None
        rest = (ring_walk_index(ring, keys.hashes, count - 1, skip=first) if count > 1
                else np.zeros((len(keys), 0), dtype=np.intp))
        return ring.names, np.column_stack([first, rest])

    def placement(self, keys: KeySet) -> Placement:
        """Keys in the order given, each to the first node clockwise below the cap."""
        self.cap = self.impl.load_cap(self.c, len(keys), len(self.members))
        ring = self.arrays if uses_reference(self.impl, "bounded_pick") else None
        if ring is not None:
            self.placed = Placement(keys, ring.names, bounded_picks(ring, keys.hashes, self.cap))
            return self.placed
        loads: dict[str, int] = {}
        out = {}
        for k in keys.names:
            node = self.impl.bounded_pick(self.ring, stable_hash(k), loads, self.cap)
            loads[node] = loads.get(node, 0) + 1
            out[k] = node
        self.placed = Placement(keys, owners=out)
        return self.placed

    def route(self, key: str, loads: Mapping[str, int], start: int | None = None) -> str:
        """The cap counts requests in flight, this one included: ``ceil(c * (total + 1) / n)``.
        ``start`` (from ``starts``), if given, saves the search for the key's first point."""
        self.cap = self.impl.load_cap(self.c, sum(loads.values()) + 1, len(self.members))
        if start is not None and uses_reference(self.impl, "bounded_pick"):
            return bounded_pick_from(self.ring, start, loads, self.cap)
        return self.impl.bounded_pick(self.ring, stable_hash(key), loads, self.cap)

    def starts(self, keys: KeySet) -> list[int] | None:
        """Each key's first ring point at or after its hash, when the ring has an array form."""
        ring = self.arrays
        return None if ring is None else first_at_or_after(ring.positions, keys.hashes).tolist()


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
