"""LSM compaction exercise: write the six rules an LSM engine decides with.

Each function is pure: plain values in, an answer out, nothing remembered between calls. The
engine calls them on every compaction, every lookup and every change of its memtables and
levels, so once they are right the whole lab runs on your code.

Replace each ``raise NotImplementedError`` with your rule, then check them in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check lsm

and watch your rules run an engine that falls behind its writers:

    dslab run lsm --write-stall --impl exercise.py

A run is a tuple ``(keys, seqs, tombstones)`` of three equal-length sequences (the engine passes
numpy arrays; lists work too): keys sorted ascending, each key at most once, with the sequence
number of that version (higher is newer) and whether it is a delete (a tombstone).
"""

from __future__ import annotations

import math  # noqa: F401

import numpy as np  # noqa: F401

# Given: the bit positions a filter sets for a key (the filter was built with these).
from dslab.labs.lsm.rules import bloom_positions  # noqa: F401


def merge_runs(runs, bottom):
    """Merge ``runs`` (a list of runs, newest first) into one run.

    For every key that appears in any run keep only its newest version, the one with the highest
    sequence number. Keep a tombstone as a tombstone: older versions of its key may lie in runs
    below this merge, and the tombstone is what hides them. Only when ``bottom`` is True (nothing
    lies below) may a key whose newest version is a tombstone disappear, tombstone and all.

    Return ``(keys, seqs, tombstones)``: keys sorted ascending, each once.

    Hint: when two runs hold the same key, which version wins? And what would a lookup find if
    you dropped a tombstone above the bottom?
    """
    raise NotImplementedError("not implemented yet")


def bloom_hashes(bits_per_key):
    """How many hash functions a bloom filter with ``bits_per_key`` bits per key should use to
    err least often: ``bits_per_key · ln 2``, rounded to the nearest whole number, at least 1.

    Hint: 10 bits per key gives 7.
    """
    raise NotImplementedError("not implemented yet")


def bloom_fpr(bits_per_key):
    """The chance that a filter of ``bits_per_key`` bits per key, using ``bloom_hashes`` hash
    functions, answers "maybe" for a key it does not hold: ``(1 - e^(-k/b))^k``. With 0 bits
    per key there is no filter, and every lookup must read the run: return 1.0.

    Hint: at 10 bits per key this is about 0.0082.
    """
    raise NotImplementedError("not implemented yet")


def may_contain(bits, key_hash, k):
    """Whether the filter ``bits`` (a sequence of booleans, one per bit) may hold the key whose
    64-bit hash is ``key_hash``. The filter was built by setting, for each key it holds, every
    bit in ``bloom_positions(key_hash, k, len(bits))``. Answer True only if all of them are set.

    A bloom filter may say "maybe" for a key it does not hold, but never "no" for a key it does:
    a false "no" makes a lookup miss data that is there.
    """
    raise NotImplementedError("not implemented yet")


def pick_level(l0_files, level_bytes, targets, l0_trigger, busy):
    """The level leveled compaction should merge into the next one, or None.

    Score each level: L0 (level 0) by its number of files over ``l0_trigger`` (its files
    overlap, so every one of them costs a read); level i by ``level_bytes[i] / targets[i]``.
    Pick the level with the highest score, if that score is at least 1. Skip a level that is in
    ``busy`` or whose next level is (a compaction already holds them), and never pick the last
    level (``len(targets) - 1``), which has nothing below it. On a tie pick the upper level.

    Hint: why does L0 count files and not bytes?
    """
    raise NotImplementedError("not implemented yet")


def write_stall(l0_files, memtables, pending_mb, p):
    """The write-stall state: "stop", "slowdown" or "ok", as RocksDB decides it.

    ``p`` carries the thresholds. Writes stop when ``l0_files`` reaches ``p.l0_stop_trigger``,
    when ``memtables`` (full memtables waiting to flush) reaches ``p.max_memtables``, or when
    ``pending_mb`` (compaction still owed) reaches ``p.hard_pending_compaction_mb``. Otherwise
    they slow down when ``l0_files`` reaches ``p.l0_slowdown_trigger``, when more than three
    memtables are allowed and ``memtables`` reaches ``p.max_memtables - 1``, or when
    ``pending_mb`` reaches ``p.soft_pending_compaction_mb``. Otherwise "ok".

    Hint: "reaches" means at or above.
    """
    raise NotImplementedError("not implemented yet")
