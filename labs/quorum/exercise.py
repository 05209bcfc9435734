"""Quorum exercise: the five decisions a leaderless store makes about its replicas.

``is_strict_quorum`` says whether every read must meet every write, ``stale_probability`` how
often a partial quorum's read misses a write, ``resolve`` which version a read returns,
``repair_targets`` whom a read repair writes back to, and ``sloppy_targets`` where a sloppy
quorum sends a write while some nodes are down. All pure logic: no clock, no network.

A version is ``Version(ts_ms, writer, value)``, a named tuple: the writer's timestamp, the
writer's id, the value. A replica's answer to a read is ``Response(replica, version)``, with
``version`` None when the replica holds nothing for the key.

Replace each ``raise NotImplementedError`` with your code and check the rules in this folder
(every failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check quorum

Then let your rules drive the simulated replicas and coordinators:

    dslab run quorum --impl exercise.py
    dslab run quorum --sloppy --impl exercise.py
"""

from __future__ import annotations

from math import comb  # noqa: F401  (comb(n, k): the binomial coefficient)

from dslab.labs.quorum.rules import Response, Version  # noqa: F401  (the named tuples)


def is_strict_quorum(n: int, r: int, w: int) -> bool:
    """True when every set of ``r`` replicas shares at least one replica with every set of
    ``w`` replicas, out of ``n``: then a read always meets the latest acknowledged write.
    Example: n=3, r=2, w=2 is strict; n=4, r=2, w=2 is not (two disjoint pairs)."""
    raise NotImplementedError("not implemented yet")


def stale_probability(n: int, r: int, w: int) -> float:
    """The chance that a read of ``r`` replicas, chosen uniformly at random out of ``n``, misses
    every one of the ``w`` replicas a write reached: the number of r-sets inside the n - w
    replicas without the write, over the number of r-sets (the PBS paper's p_s). It is 0 for a
    strict quorum. Example: n=3, r=1, w=1 gives 2/3."""
    raise NotImplementedError("not implemented yet")


def resolve(responses: list[Response]) -> Version | None:
    """The version a read returns: the newest among the responses, or None if no replica held
    any. Newest means the later ``ts_ms``; on equal timestamps the larger ``writer`` wins, then
    the larger ``value``, so every coordinator picks the same version whatever order the
    responses arrived in. (Versions are tuples, so ``max`` already orders them this way.)"""
    raise NotImplementedError("not implemented yet")


def repair_targets(responses: list[Response], r: int) -> list[int]:
    """The replicas a read repair writes the newest version back to, in increasing order:
    every replica that answered with an older version than the newest among ``responses``, or
    with None. The responses are in arrival order; the first ``r`` made the read's answer, and
    the rest arrived after it -- those replicas are just as out of date, so they count too.
    Empty when no response holds a version."""
    raise NotImplementedError("not implemented yet")


def sloppy_targets(preference: list[int], down: list[int], n: int) -> list[int]:
    """Where a sloppy quorum sends a write: walk the ``preference`` list in order and take the
    first ``n`` nodes that are not in ``down`` (fewer, if fewer are up). A home replica that is
    down is thus replaced by the next healthy node further down the list, and no node is taken
    twice. Example: preference [0, 1, 2, 3, 4], down [1], n=3 gives [0, 2, 3]."""
    raise NotImplementedError("not implemented yet")
