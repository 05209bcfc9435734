"""The LSM engine's decisions as pure functions (the reference solution of the exercise).

A run is a tuple ``(keys, seqs, tombstones)`` of equal-length arrays: keys sorted ascending, each
key once, with the sequence number of its version (higher is newer) and whether that version is
a delete. Nothing here keeps state or knows about time: the engine calls these through an
implementation object, so a learner's six exercise rules can be swapped in and the whole lab
runs on them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dslab.labs.lsm.params import LsmParams

#: The rules the exercise asks a learner to write; the rest stay as given.
EXERCISE = ("merge_runs", "bloom_hashes", "bloom_fpr", "may_contain", "pick_level", "write_stall")

Run = tuple[Any, Any, Any]  # (keys, seqs, tombstones)
MASK32 = 0xFFFFFFFF


def merge_runs(runs: Sequence[Run], bottom: bool) -> tuple[Any, Any, Any]:
    """One run holding, for every key in ``runs``, only its newest version (highest sequence
    number). A tombstone is kept, because older versions of its key may still lie in runs below
    this merge, unless ``bottom`` says nothing lies below: then the tombstone and its key go."""
    keys = np.concatenate([np.asarray(r[0], dtype=np.int64) for r in runs])
    seqs = np.concatenate([np.asarray(r[1], dtype=np.int64) for r in runs])
    tombs = np.concatenate([np.asarray(r[2], dtype=bool) for r in runs])
    order = np.lexsort((-seqs, keys))  # by key, then newest first
    keys, seqs, tombs = keys[order], seqs[order], tombs[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keep = first & ~tombs if bottom else first
    return keys[keep], seqs[keep], tombs[keep]


def bloom_hashes(bits_per_key: float) -> int:
    """The number of hash functions that makes a bloom filter of ``bits_per_key`` bits per key
    least often wrong: ``b · ln 2``, rounded, and at least one."""
    return max(1, round(bits_per_key * math.log(2)))


def bloom_fpr(bits_per_key: float) -> float:
    """The chance a filter of ``bits_per_key`` bits per key, with the best number of hash
    functions, says "maybe" for a key it does not hold: ``(1 - e^(-k/b))^k``. No filter (0 bits)
    always says maybe."""
    if bits_per_key <= 0:
        return 1.0
    k = bloom_hashes(bits_per_key)
    return (1.0 - math.exp(-k / bits_per_key)) ** k


def may_contain(bits: Any, key_hash: int, k: int) -> bool:
    """Whether the filter ``bits`` (an array of booleans) may hold the key whose 64-bit hash is
    ``key_hash``: all ``k`` of its positions (:func:`bloom_positions`, as the filter was built
    with) must be set. A key that was added always answers True."""
    return all(bool(bits[i]) for i in bloom_positions(key_hash, k, len(bits)))


def pick_level(l0_files: int, level_bytes: Sequence[float], targets: Sequence[float],
               l0_trigger: int, busy: Collection[int]) -> int | None:
    """The level leveled compaction merges down next: the one with the highest score, as long as
    it is at least 1. L0's score is its file count over ``l0_trigger`` (its files overlap, so
    reads pay per file); level i's is ``level_bytes[i] / targets[i]``. A level that is ``busy``,
    or whose next level is, cannot start a compaction; the last level never does. Ties go to
    the upper level."""
    best, best_score = None, 1.0
    for level in range(len(targets) - 1):
        if level in busy or level + 1 in busy:
            continue
        score = l0_files / l0_trigger if level == 0 else level_bytes[level] / targets[level]
        if score >= best_score and (best is None or score > best_score):
            best, best_score = level, score
    return best


def write_stall(l0_files: int, memtables: int, pending_mb: float, p: LsmParams) -> str:
    """Whether writes go ahead (``"ok"``), are slowed to the delayed rate (``"slowdown"``) or
    wait (``"stop"``), as RocksDB decides: stop at ``l0_stop_trigger`` L0 files or more, at
    ``max_memtables`` full memtables, or at ``hard_pending_compaction_mb``; slow down at
    ``l0_slowdown_trigger`` files, at one memtable short of the maximum when more than three
    are allowed, or at ``soft_pending_compaction_mb``."""
    if (l0_files >= p.l0_stop_trigger or memtables >= p.max_memtables
            or pending_mb >= p.hard_pending_compaction_mb):
        return "stop"
    if (l0_files >= p.l0_slowdown_trigger
            or (p.max_memtables > 3 and memtables >= p.max_memtables - 1)
            or pending_mb >= p.soft_pending_compaction_mb):
        return "slowdown"
    return "ok"


# -- given rules (not part of the exercise) ------------------------------------------------------

def mix64(x: int) -> int:
    """splitmix64's finalizer: a key's 64-bit hash, the same in every process."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def bloom_positions(key_hash: int, k: int, m: int) -> list[int]:
    """The ``k`` bits of an ``m``-bit filter that stand for a key (Kirsch and Mitzenmacher's
    double hashing): ``(h1 + i·h2) mod m`` for i = 0 .. k-1, with h1 the low 32 bits of the hash
    and h2 the high 32 bits made odd."""
    h1, h2 = key_hash & MASK32, (key_hash >> 32) | 1
    return [(h1 + i * h2) % m for i in range(k)]


@runtime_checkable
class Rules(Protocol):
    """What the engine calls: this module satisfies it, and so does a learner's overlay."""

    def merge_runs(self, runs: Sequence[Run], bottom: bool) -> tuple[Any, Any, Any]: ...
    def bloom_hashes(self, bits_per_key: float) -> int: ...
    def bloom_fpr(self, bits_per_key: float) -> float: ...
    def may_contain(self, bits: Any, key_hash: int, k: int) -> bool: ...
    def pick_level(self, l0_files: int, level_bytes: Sequence[float], targets: Sequence[float],
                   l0_trigger: int, busy: Collection[int]) -> int | None: ...
    def write_stall(self, l0_files: int, memtables: int, pending_mb: float, p: LsmParams) -> str: ...
    def mix64(self, x: int) -> int: ...
    def bloom_positions(self, key_hash: int, k: int, m: int) -> list[int]: ...


# -- what a learner's answers must also satisfy ----------------------------------------------------

def _a_state(answer: str, *args: Any) -> str | None:
    if answer in ("ok", "slowdown", "stop"):
        return None
    return f"returned {answer!r}, but a write-stall state is 'ok', 'slowdown' or 'stop'"


def _a_level(answer: int | None, l0_files: int, level_bytes: Sequence[float],
             targets: Sequence[float], l0_trigger: int, busy: Collection[int]) -> str | None:
    if answer is None or 0 <= answer < len(targets) - 1:
        return None
    return (f"returned {answer}, but the levels that can be compacted down are 0 to "
            f"{len(targets) - 2} (or None when no level needs it)")


def _a_count(answer: int, bits_per_key: float) -> str | None:
    return None if 1 <= answer <= 64 else f"returned {answer}, but a filter uses 1 to 64 hashes"


def _a_probability(answer: float, bits_per_key: float) -> str | None:
    return None if 0 <= answer <= 1 else f"returned {answer}, which is not a probability"


BOUNDS = {"write_stall": _a_state, "pick_level": _a_level, "bloom_hashes": _a_count,
          "bloom_fpr": _a_probability}
