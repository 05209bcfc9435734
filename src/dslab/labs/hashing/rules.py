"""Where a key lives, as pure functions (the reference solution of the exercise).

A ring is a list of ``(position, node)`` points sorted by position, positions being 64-bit
stable hashes; a key belongs to the first point at or after its own hash, going round past the
top back to the start (Karger et al., 1997). Nothing here keeps state or knows about time:
``schemes.py`` calls these through an implementation object, so a learner's four exercise rules
can be swapped in and the whole lab runs on them.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from dslab.labs.hashing.hashes import MASK64, mix64, stable_hash

#: The rules the exercise asks a learner to write; the rest stay as given.
EXERCISE = ("ring_owner", "build_ring", "jump_hash", "moved_keys")

Point = tuple[int, str]  # (position on the ring, node)

JUMP_MULTIPLIER = 2862933555777941757  # the 64-bit LCG of Lamping and Veach (2014)


def build_ring(nodes: Iterable[str], vnodes: int) -> list[Point]:
    """The ring for ``nodes`` with ``vnodes`` points each: point ``i`` of node ``n`` sits at
    ``stable_hash(f"{n}#{i}")``. The ``#`` matters: without it, node "n1" point 11 and node
    "n11" point 1 would share the label "n111" and land on the same spot."""
    return sorted((stable_hash(f"{node}#{i}"), node) for node in nodes for i in range(vnodes))


def ring_owner(ring: Sequence[Point], key_hash: int) -> str:
    """The node owning ``key_hash``: the first point at or after it clockwise, wrapping from the
    end of the ring to its start. Binary search keeps a lookup at O(log points)."""
    i = bisect_left(ring, key_hash, key=lambda point: point[0])
    return ring[i % len(ring)][1]


def jump_hash(key: int, buckets: int) -> int:
    """Jump consistent hash (Lamping and Veach, 2014): the bucket in ``[0, buckets)`` for the
    64-bit ``key``. Growing ``buckets`` by one moves a key only into the new bucket."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * JUMP_MULTIPLIER + 1) & MASK64
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def moved_keys(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The keys whose owner changed from ``before`` to ``after`` (both map the same keys to
    nodes), each with ``(old owner, new owner)``."""
    return {k: (old, after[k]) for k, old in before.items() if after[k] != old}


# -- given rules (not part of the exercise) ------------------------------------------------------

def modulo_owner(nodes: Sequence[str], key_hash: int) -> str:
    """Hash-mod-N: the node at index ``key_hash % N``. Even, but N changes every owner."""
    return nodes[key_hash % len(nodes)]


def ring_walk(ring: Sequence[Point], key_hash: int, count: int) -> list[str]:
    """The first ``count`` distinct nodes met going clockwise from ``key_hash``: the key's owner,
    then the nodes holding its replicas (a node's later points are skipped, so no node holds two
    copies)."""
    start = bisect_left(ring, key_hash, key=lambda point: point[0])
    found: list[str] = []
    for k in range(len(ring)):
        node = ring[(start + k) % len(ring)][1]
        if node not in found:
            found.append(node)
            if len(found) == count:
                break
    return found


def rendezvous_rank(node_hashes: Mapping[str, int], key_hash: int, count: int) -> list[str]:
    """Highest random weight (Thaler and Ravishankar, 1998): every node scores the key, the
    ``count`` highest scores hold it. A node leaving only hands on the keys it won."""
    scored = sorted(node_hashes, key=lambda n: (-mix64(node_hashes[n] ^ key_hash), n))
    return scored[:count]


def load_cap(c: float, balls: int, bins: int) -> int:
    """The most any node may hold under consistent hashing with bounded loads (Mirrokni, Thorup
    and Zadimoghaddam, 2016): ``ceil(c * balls / bins)``."""
    return max(1, math.ceil(c * balls / bins - 1e-9))


def bounded_pick(ring: Sequence[Point], key_hash: int, loads: Mapping[str, int], cap: int) -> str:
    """The first node clockwise from ``key_hash`` whose load is below ``cap``: the key's ring
    owner if it has room, else the next node round that does."""
    start = bisect_left(ring, key_hash, key=lambda point: point[0])
    for k in range(len(ring)):
        node = ring[(start + k) % len(ring)][1]
        if loads.get(node, 0) < cap:
            return node
    raise ValueError(f"every node is at the cap of {cap}: the cap is too low for the load")


@runtime_checkable
class Rules(Protocol):
    """What the placement schemes call: this module satisfies it, and so does a learner's overlay
    (``LAB.load_impl(path)``), whose four exercise rules replace these."""

    def build_ring(self, nodes: Iterable[str], vnodes: int) -> list[Point]: ...
    def ring_owner(self, ring: Sequence[Point], key_hash: int) -> str: ...
    def jump_hash(self, key: int, buckets: int) -> int: ...
    def moved_keys(self, before: Mapping[str, str],
                   after: Mapping[str, str]) -> dict[str, tuple[str, str]]: ...
    def modulo_owner(self, nodes: Sequence[str], key_hash: int) -> str: ...
    def ring_walk(self, ring: Sequence[Point], key_hash: int, count: int) -> list[str]: ...
    def rendezvous_rank(self, node_hashes: Mapping[str, int], key_hash: int,
                        count: int) -> list[str]: ...
    def load_cap(self, c: float, balls: int, bins: int) -> int: ...
    def bounded_pick(self, ring: Sequence[Point], key_hash: int, loads: Mapping[str, int],
                     cap: int) -> str: ...


# -- what a learner's answers must also satisfy ----------------------------------------------------
# Beyond its type (checked from the annotations above), an answer of a learner's rule is checked
# against these as the simulation runs on it (dslab.impl): each takes the answer and the rule's
# arguments and says, as the end of the sentence "Your <rule> (file line N) ...", what is wrong,
# or returns None. Only answers the simulation could not go on with are refused here; a wrong but
# usable answer is for the run's checks and the checker to find.

def _a_bucket(answer: int, key: int, buckets: int) -> str | None:
    if 0 <= answer < buckets:
        return None
    return f"returned {answer} for {buckets} buckets, but a bucket is a number from 0 to {buckets - 1}"


def _points_of_the_nodes(answer: list[Point], nodes: Iterable[str], vnodes: int) -> str | None:
    if not isinstance(nodes, (list, tuple, set, frozenset)):
        return None  # an iterator the rule has used up: nothing left to compare with
    given = set(nodes)
    if not answer and given and vnodes > 0:
        return f"returned an empty ring for {len(given)} nodes"
    stray = next((node for _, node in answer if node not in given), None)
    if stray is None:
        return None
    return (f"returned a point of {stray!r}, which is not one of the nodes it was given "
            "(the second item of a point is the node's name, as given)")


_ring_nodes: dict[int, tuple[Sequence[Point], int, frozenset[str]]] = {}


def _a_node_of_the_ring(answer: str, ring: Sequence[Point], key_hash: int) -> str | None:
    # asked millions of times on a few rings: the rings' nodes are kept, with the rings
    # themselves (so an id is never reused while it is a key here)
    known = _ring_nodes.get(id(ring))
    if known is None or known[0] is not ring or known[1] != len(ring):
        if len(_ring_nodes) > 16:
            _ring_nodes.clear()
        known = _ring_nodes[id(ring)] = (ring, len(ring), frozenset(node for _, node in ring))
    if answer in known[2]:
        return None
    return f"returned {answer!r}, which is not a node on the ring"


BOUNDS = {"jump_hash": _a_bucket, "build_ring": _points_of_the_nodes,
          "ring_owner": _a_node_of_the_ring}
