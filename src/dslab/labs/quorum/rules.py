"""The quorum lab's rules, the reference solution of its exercise: whether (n, r, w) is a strict
quorum, how likely a partial quorum reads stale, how a read picks its answer, whom a read repair
writes to, and where a sloppy quorum sends a write. Pure logic: no clock, no SimPy.

A version is ``Version(ts_ms, writer, value)``: the writer's timestamp, the writer's id and the
value written. Versions compare as tuples, so the newest is the largest: the later timestamp,
and on a tie the larger writer id, then the larger value (a deterministic last-writer-wins).
"""

from __future__ import annotations

from math import comb
from typing import Any, NamedTuple, Protocol, runtime_checkable

#: the rules a learner writes in labs/quorum/exercise.py
EXERCISE = ("is_strict_quorum", "stale_probability", "resolve", "repair_targets",
            "sloppy_targets")


class Version(NamedTuple):
    """One write of a key: the writer's clock when it wrote, the writer, and the value."""

    ts_ms: float
    writer: int
    value: int


class Response(NamedTuple):
    """A replica's answer to a read: who answered, and the version it held (None: nothing)."""

    replica: int
    version: Version | None


def is_strict_quorum(n: int, r: int, w: int) -> bool:
    """True when every read quorum of ``r`` replicas overlaps every write quorum of ``w`` out of
    ``n``: that is, when r + w > n."""
    return r + w > n


def stale_probability(n: int, r: int, w: int) -> float:
    """The chance that a read of ``r`` replicas, picked at random out of ``n``, misses a write that
    reached exactly ``w`` of them: C(n - w, r) / C(n, r), which is 0 whenever r + w > n."""
    return comb(n - w, r) / comb(n, r)


def resolve(responses: list[Response]) -> Version | None:
    """The answer of a read: the newest version among ``responses`` (None if none holds one).
    Ties on the timestamp go to the larger writer id, then the larger value, whatever the
    order the responses arrived in."""
    best: Version | None = None
    for resp in responses:
        v = resp.version
        if v is not None and (best is None or tuple(v) > tuple(best)):
            best = Version(*v)
    return best


def repair_targets(responses: list[Response], r: int) -> list[int]:
    """The replicas a read repair writes to, in increasing order: every replica that answered
    with something older than the newest version seen, or with nothing. ``responses`` are in
    arrival order; the first ``r`` made the read's answer, and the rest arrived later -- they
    still count, since they too hold the old version."""
    newest = resolve(responses)
    if newest is None:
        return []
    return sorted({resp.replica for resp in responses
                   if resp.version is None or tuple(resp.version) < tuple(newest)})


def sloppy_targets(preference: list[int], down: list[int], n: int) -> list[int]:
    """Where a sloppy quorum sends a write: the first ``n`` nodes of the ``preference`` list that
    are not ``down``, in preference order (fewer if not enough are up). A stand-in for a home
    replica that is down is the next healthy node down the list; no node appears twice."""
    out: list[int] = []
    for node in preference:
        if len(out) == n:
            break
        if node not in down and node not in out:
            out.append(node)
    return out


@runtime_checkable
class Rules(Protocol):
    """What the simulation and theory call: this module satisfies it, and so does a learner's
    overlay (``LAB.load_impl(path)``)."""

    def is_strict_quorum(self, n: int, r: int, w: int) -> bool: ...
    def stale_probability(self, n: int, r: int, w: int) -> float: ...
    def resolve(self, responses: list[Response]) -> Version | None: ...
    def repair_targets(self, responses: list[Response], r: int) -> list[int]: ...
    def sloppy_targets(self, preference: list[int], down: list[int], n: int) -> list[int]: ...


# -- what a learner's answers must also satisfy (checked as the run goes, see dslab.impl) ---------

def _a_probability(answer: float, *args: Any) -> str | None:
    return None if 0 <= answer <= 1 else f"returned {answer:g}, but a probability lies in [0, 1]"


def _a_replicas_seen(answer: list[int], responses: list[Response], *args: Any) -> str | None:
    asked = {r.replica for r in responses}
    stray = [x for x in answer if x not in asked]
    return None if not stray else f"named replica {stray[0]}, which did not answer the read"


def _a_healthy(answer: list[int], preference: list[int], down: list[int], n: int) -> str | None:
    bad = [x for x in answer if x not in preference]
    if bad:
        return f"named node {bad[0]}, which is not on the preference list"
    return None if len(answer) <= n else f"named {len(answer)} nodes, more than n = {n}"


BOUNDS = {"stale_probability": _a_probability, "repair_targets": _a_replicas_seen,
          "sloppy_targets": _a_healthy}
