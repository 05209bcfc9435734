"""Consistent-hashing exercise: write the four rules that decide where a key lives.

Each function is pure: plain values in, an answer out, nothing remembered between calls. The lab
calls them for every key and every membership change, so once they are right, the ring, the
movement counts and the cache cluster all run on your code.

Replace each ``raise NotImplementedError`` with your rule, then check them in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check hashing

and watch your rules place keys and survive a node joining, where a wrong rule shows up as keys
shuffled between nodes that never changed:

    dslab run hashing --add-node --impl exercise.py

A ring here is a list of ``(position, node)`` pairs sorted by position; positions are integers
in ``[0, 2**64)`` and node names are strings. Keys are hashed with ``stable_hash`` before any
rule sees them.
"""

from __future__ import annotations

# The hash every position must come from; nothing else is imported for you.
from dslab.labs.hashing.hashes import RING_SIZE, stable_hash  # noqa: F401


def ring_owner(ring: list[tuple[int, str]], key_hash: int) -> str:
    """The node that owns the key whose hash is ``key_hash``.

    Walk clockwise from ``key_hash`` (towards larger positions): the first point at or after it
    belongs to the owner. A point exactly at ``key_hash`` counts. The ring is a circle, so a key
    past the last point belongs to the first one.

    The ring can hold thousands of points and the lab asks millions of times: find the point by
    binary search (the ``bisect`` module), not by scanning.

    Hint: what does your search return for a key larger than every position? And is indexing
    ``ring`` by ``key_hash % len(ring)`` a ring at all?
    """
    raise NotImplementedError("not implemented yet")


def build_ring(nodes: list[str], vnodes: int) -> list[tuple[int, str]]:
    """The ring for ``nodes``, each placed at ``vnodes`` points (virtual nodes).

    Give each virtual node a text label, hash it with ``stable_hash``, and return every
    ``(position, node)`` pair sorted by position. Every client must build exactly the same
    ring from the same members, in any process, on any machine, whatever order it heard of
    the members in.

    Hint: Python's built-in ``hash()`` of a string changes from one process to the next. And
    two different (node, i) pairs must never share a label, whatever the names (some start with
    digits) and however many virtual nodes: what do ``"n1" + "11"`` and ``"n11" + "1"`` have in
    common? Hash every label on its own: points placed by a formula stop evening out the load.
    """
    raise NotImplementedError("not implemented yet")


def jump_hash(key: int, buckets: int) -> int:
    """Jump consistent hash (Lamping and Veach, 2014): the bucket in ``range(buckets)`` for the
    64-bit integer ``key``.

    The paper's loop: start with ``b = -1, j = 0``; while ``j < buckets``: set ``b = j``, step
    the key with the 64-bit linear congruential generator
    ``key = (key * 2862933555777941757 + 1) mod 2**64``, and jump ahead with
    ``j = floor((b + 1) * 2**31 / ((key >> 33) + 1))`` (in floating point). Return ``b``.

    Every client must reach the same bucket for the same key, so the constant and the
    arithmetic are part of the contract, not a matter of taste.

    Return a whole number (an ``int``): a bucket indexes the list of nodes.

    Hint: Python integers never overflow; the ``mod 2**64`` is yours to apply.
    """
    raise NotImplementedError("not implemented yet")


def moved_keys(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The keys whose owner changed: ``{key: (old owner, new owner)}``.

    ``before`` and ``after`` map the same keys to their owners, before and after a node joined
    or left. Keys that stayed put are left out. Do not change either mapping.

    Hint: the lab splits your answer into keys that moved to or from the changed node and keys
    that moved between two nodes that did not change; a consistent scheme must have none of the
    second kind.
    """
    raise NotImplementedError("not implemented yet")
