"""The reference rules over whole arrays of keys at once.

A run at size asks the rules millions of times (200,000 keys under five schemes, before and after
a change): one call per key in Python costs seconds where one numpy call costs milliseconds. Each
function here returns exactly what the rule of the same name in ``rules.py`` returns key by key
(``tests/labs/hashing/test_vector.py`` compares them on many inputs). The lab uses them only where
the rule in use *is* the reference's own (``uses_reference``): a learner's rules are still called
key by key, so their bugs show as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b
from types import SimpleNamespace
from typing import Any

import numpy as np

from dslab.labs.hashing import rules
from dslab.labs.hashing.hashes import RING_SIZE, mix64_array
from dslab.labs.hashing.rules import JUMP_MULTIPLIER, Point

#: jump_hash_array compares jumps with ``buckets`` as floats, exact up to here
MAX_JUMP_BUCKETS = 1 << 53


def uses_reference(impl: object, *names: str) -> bool:
    """True when every rule in ``names`` is the reference's own function, not a learner's."""
    return all(getattr(impl, name, None) is getattr(rules, name) for name in names)


#: every rule the schemes call through an implementation object
RULE_NAMES = ("build_ring", "ring_owner", "jump_hash", "moved_keys", "modulo_owner", "ring_walk",
              "rendezvous_rank", "load_cap", "bounded_pick")


def key_by_key(impl: object, names: Sequence[str] = RULE_NAMES) -> SimpleNamespace:
    """``impl`` with the rules in ``names`` wrapped in functions of their own: the same answers,
    but no longer the reference's functions, so the lab asks them key by key, as it asks a
    learner's. For comparing the two paths (the tests, and ``benchmarks/hashing_at_size.py``,
    which wraps the four exercise rules as a learner's file replaces them)."""
    def wrap(rule: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *args: rule(*args)

    return SimpleNamespace(**{**vars(impl), **{k: wrap(getattr(impl, k)) for k in names}})


def hash_texts(texts: Iterable[str]) -> np.ndarray:
    """``stable_hash`` of every text, as unsigned 64-bit integers (without churning its cache)."""
    digests = b"".join([blake2b(t.encode("utf-8"), digest_size=8).digest() for t in texts])
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64)


@dataclass(frozen=True)
class RingArrays:
    """A ring as arrays: the points' positions (sorted, uint64) and each point's node as an index
    into ``names`` (distinct node names)."""

    positions: np.ndarray
    owners: np.ndarray
    names: list[str]

    def __len__(self) -> int:
        return len(self.positions)

    def points(self) -> list[Point]:
        """The ring as the rules take it: ``(position, node)`` pairs sorted by position."""
        names = self.names
        return list(zip(self.positions.tolist(), [names[i] for i in self.owners.tolist()], strict=True))


@lru_cache(maxsize=1024)
def _node_positions(node: str, vnodes: int) -> np.ndarray:
    """The positions of ``node``'s points, ``stable_hash(f"{node}#{i}")`` for i below ``vnodes``
    (one hash state per node, copied for each point: the labels share their start)."""
    start = blake2b(f"{node}#".encode(), digest_size=8)
    digests = []
    for i in range(vnodes):
        h = start.copy()
        h.update(str(i).encode())
        digests.append(h.digest())
    out = np.frombuffer(b"".join(digests), dtype=">u8").astype(np.uint64)
    out.flags.writeable = False  # cached: shared by every ring the node is on
    return out


def build_ring_arrays(nodes: Sequence[str], vnodes: int) -> RingArrays:
    """``build_ring(nodes, vnodes)`` as arrays. Equal positions keep the rule's order (by node
    name), so ``points()`` is the rule's list exactly."""
    names = list(dict.fromkeys(nodes))
    slot = {n: i for i, n in enumerate(names)}
    count = max(vnodes, 0)
    positions = np.concatenate([_node_positions(n, count) for n in nodes] or [np.zeros(0, np.uint64)])
    owners = np.repeat(np.array([slot[n] for n in nodes], dtype=np.intp), count)
    order = np.argsort(positions, kind="stable")
    if np.any(np.diff(positions[order]) == 0):  # points sharing a position: by node name next
        rank = np.empty(len(names), dtype=np.intp)
        rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        order = np.lexsort((rank[owners], positions))
    return RingArrays(positions[order], owners[order], names)


def ring_arrays(ring: Sequence[Any]) -> RingArrays | None:
    """A ring in list form as arrays, or None unless it is a non-empty list of ``(int, str)``
    pairs sorted by position, positions in ``[0, 2**64)``: on such a ring a binary search over
    the array finds the same point as ``bisect`` over the list. On any other (a learner's wrong
    ring) the lab keeps calling the rules point by point, as before."""
    if not isinstance(ring, list) or not ring:
        return None
    if not all(type(p) is tuple and len(p) == 2 and type(p[0]) is int and type(p[1]) is str
               for p in ring):
        return None
    pos = [p[0] for p in ring]
    if min(pos) < 0 or max(pos) >= RING_SIZE:
        return None
    positions = np.array(pos, dtype=np.uint64)
    if np.any(positions[1:] < positions[:-1]):
        return None
    names = list(dict.fromkeys(p[1] for p in ring))
    slot = {n: i for i, n in enumerate(names)}
    return RingArrays(positions, np.array([slot[p[1]] for p in ring], dtype=np.intp), names)


def ring_owner_index(ring: RingArrays, hashes: np.ndarray) -> np.ndarray:
    """``ring_owner`` for every hash: each key's owner as an index into ``ring.names``."""
    if not len(ring):
        raise ValueError("an empty ring has no owner for any key")
    i = first_at_or_after(ring.positions, _uint64(hashes))
    i[i == len(ring)] = 0  # past the last point: round to the first
    return ring.owners[i]


def first_at_or_after(positions: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """For each hash, the index of the first position at or after it (``bisect_left``; the
    length of ``positions`` past the last). The hashes are searched in sorted order, which
    keeps the search within the cache, and the answers put back in the given order."""
    order = np.argsort(hashes)
    out = np.empty(len(hashes), dtype=np.intp)
    out[order] = np.searchsorted(positions, hashes[order], side="left")
    return out


def jump_hash_array(keys: np.ndarray, buckets: int) -> np.ndarray:
    """``jump_hash`` for every key (int64 buckets). The loop runs over the jumps, all keys still
    jumping at once; the arithmetic is the rule's step for step: the LCG wraps mod 2**64 in
    uint64, the jump is the same float64 product, truncated as ``int()`` truncates."""
    if buckets > MAX_JUMP_BUCKETS:
        raise ValueError(f"jump_hash_array takes at most 2**53 buckets, got {buckets}")
    out = np.full(len(keys), -1, dtype=np.int64)
    if buckets <= 0:
        return out  # the rule's loop never runs: -1
    state = _uint64(keys).copy()
    still = np.arange(len(state))  # the keys whose last jump landed inside
    landed = np.zeros(len(state), dtype=np.int64)  # where it landed (every key starts at 0)
    mul, one, shift = np.uint64(JUMP_MULTIPLIER), np.uint64(1), np.uint64(33)
    while len(still):
        out[still] = landed
        state = state * mul + one
        step = float(1 << 31) / ((state >> shift) + one).astype(np.float64)
        jump = (landed + 1).astype(np.float64) * step
        inside = jump < buckets
        still, state, landed = still[inside], state[inside], jump[inside].astype(np.int64)
    return out


def modulo_index(hashes: np.ndarray, nodes: int) -> np.ndarray:
    """``modulo_owner`` for every hash: the index ``hash % nodes`` into the nodes."""
    if nodes <= 0:
        raise ValueError("hash-mod-N needs at least one node")
    return (_uint64(hashes) % np.uint64(nodes)).astype(np.intp)


def ring_walk_index(ring: RingArrays, hashes: np.ndarray, count: int,
                    skip: np.ndarray | None = None) -> np.ndarray:
    """``ring_walk`` for every hash: row ``i`` holds the first ``count`` distinct nodes met going
    clockwise from hash ``i`` (indices into ``ring.names``), then -1s if the ring has fewer. With
    ``skip``, row ``i`` also passes over node ``skip[i]``. The loop runs over the steps round the
    ring, all keys still walking at once."""
    if count < 1:
        raise ValueError(f"a walk collects at least one node, not {count}")
    out = np.full((len(hashes), count), -1, dtype=np.intp)
    n = len(ring)
    start = first_at_or_after(ring.positions, _uint64(hashes)) if n else np.zeros(0, np.intp)
    filled = np.zeros(len(hashes), dtype=np.intp)
    walking = np.arange(len(hashes)) if n else np.zeros(0, np.intp)
    for step in range(n):
        if not len(walking):
            break
        node = ring.owners[(start[walking] + step) % n]
        new = ~(out[walking] == node[:, None]).any(axis=1)
        if skip is not None:
            new &= skip[walking] != node
        rows = walking[new]
        out[rows, filled[rows]] = node[new]
        filled[rows] += 1
        walking = walking[filled[walking] < count]
    return out


def rendezvous_index(node_hashes: np.ndarray, hashes: np.ndarray, count: int) -> np.ndarray:
    """``rendezvous_rank`` for every hash, the nodes given by their hashes in name order: row ``i``
    holds the indices of the ``count`` highest weights (equal weights in name order), then -1s if
    there are fewer nodes. Scored in blocks of keys: keys × nodes weights at once would not fit."""
    out = np.full((len(hashes), count), -1, dtype=np.intp)
    take = min(count, len(node_hashes))
    if take < 1:
        return out
    nodes, keys = _uint64(node_hashes), _uint64(hashes)
    for i in range(0, len(keys), 4096):
        weights = mix64_array(keys[i:i + 4096, None] ^ nodes[None, :])
        if take == 1:  # argmax keeps the first of equal weights
            out[i:i + 4096, 0] = np.argmax(weights, axis=1)
        else:  # ~w sorts the weights high to low; a stable sort keeps equal ones in name order
            out[i:i + 4096, :take] = np.argsort(~weights, axis=1, kind="stable")[:, :take]
    return out


def bounded_picks(ring: RingArrays, hashes: np.ndarray, cap: int) -> np.ndarray:
    """``bounded_pick`` for every key in order, each key's pick adding to its node's load: the
    index into ``ring.names`` of each key's node. Keys depend on the ones before, so the walk is
    a Python loop, but over precomputed starts and small integers rather than a search per key."""
    if not len(ring) and len(hashes):
        raise ValueError(f"every node is at the cap of {cap}: the cap is too low for the load")
    starts = first_at_or_after(ring.positions, _uint64(hashes)).tolist()
    owner = ring.owners.tolist() * 2  # twice round: a walk from any start needs no modulo
    loads = [0] * len(ring.names)
    room = cap * len(ring.names)  # keys placed when every node is full
    picks = [0] * len(starts)
    for k, j in enumerate(starts):
        node = owner[j]
        if loads[node] >= cap:  # full: walk on to the first node below the cap
            if k >= room:
                raise ValueError(f"every node is at the cap of {cap}: the cap is too low for the load")
            while loads[owner[j]] >= cap:
                j += 1
            node = owner[j]
        loads[node] += 1
        picks[k] = node
    return np.array(picks, dtype=np.intp)


def bounded_pick_from(ring: Sequence[Point], start: int, loads: Mapping[str, int], cap: int) -> str:
    """``bounded_pick`` for a key whose first point at or after its hash is ``start`` (known
    beforehand): the same walk, without the search."""
    for k in range(len(ring)):
        node = ring[(start + k) % len(ring)][1]
        if loads.get(node, 0) < cap:
            return node
    raise ValueError(f"every node is at the cap of {cap}: the cap is too low for the load")


def ring_shares_array(ring: RingArrays, nodes: Sequence[str]) -> np.ndarray:
    """``analysis.ring_shares`` of the ring: each node's share of the circle. Each node's arcs are
    summed exactly (as two 32-bit halves, whose float sums stay below 2**53), then turned into
    floats as the list version does."""
    if not len(ring):
        raise ValueError("an empty ring has no arcs")
    pos = ring.positions
    arcs = np.zeros(len(pos), dtype=np.uint64)
    arcs[1:] = pos[1:] - pos[:-1]
    low = np.bincount(ring.owners, weights=(arcs & np.uint64(0xFFFFFFFF)).astype(np.float64),
                      minlength=len(ring.names))
    high = np.bincount(ring.owners, weights=(arcs >> np.uint64(32)).astype(np.float64),
                       minlength=len(ring.names))
    totals = {name: (int(h) << 32) + int(lo)
              for name, h, lo in zip(ring.names, high.tolist(), low.tolist(), strict=True)}
    # the first arc runs from the last point round past zero: up to 2**64, too long for uint64
    totals[ring.names[int(ring.owners[0])]] += int(pos[0]) + RING_SIZE - int(pos[-1])
    shares = dict.fromkeys(nodes, 0)
    for name, total in totals.items():
        shares[name] += total  # a node on the ring but not in nodes: KeyError, as in the list version
    return np.array([shares[n] for n in nodes], dtype=float) / RING_SIZE


def _uint64(values: np.ndarray | Sequence[int]) -> np.ndarray:
    """The values as a uint64 array (never through float64, which would round them)."""
    out = np.asarray(values)
    return out if out.dtype == np.uint64 else np.array(values, dtype=np.uint64)


def loads_by_name(labels: Sequence[Any], index: np.ndarray) -> Mapping[Any, int]:
    """Keys per owner, for owners given as an index into ``labels`` (each owner at least once)."""
    counts = np.bincount(index, minlength=len(labels)).tolist()
    out: dict[Any, int] = {}
    for label, c in zip(labels, counts, strict=True):
        if c:
            out[label] = out.get(label, 0) + c
    return out
