"""Sorted runs as numpy arrays, with their bloom filters, and the vectorized twins of the rules
the engine calls for every key (hashing, filter probes) when it runs on the reference rules."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dslab.labs.lsm import rules

_ids = itertools.count()
U64 = np.uint64


def mix64_array(keys: np.ndarray) -> np.ndarray:
    """:func:`rules.mix64` of every key, as uint64 (wrapping arithmetic is the point)."""
    with np.errstate(over="ignore"):
        x = keys.astype(U64) + U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> U64(27))) * U64(0x94D049BB133111EB)
        return x ^ (x >> U64(31))


def positions_array(hashes: np.ndarray, k: int, m: int) -> np.ndarray:
    """:func:`rules.bloom_positions` of every hash: shape (k, len(hashes))."""
    h1 = (hashes & U64(rules.MASK32)).astype(np.int64)
    h2 = ((hashes >> U64(32)) | U64(1)).astype(np.int64)
    i = np.arange(k, dtype=np.int64)[:, None]
    return (h1[None, :] + i * (h2[None, :] % m)) % m


@dataclass
class Bloom:
    """A bloom filter: ``bits`` (booleans) and its ``k`` hash functions."""

    bits: np.ndarray
    k: int

    @staticmethod
    def build(keys: np.ndarray, bits_per_key: float, k: int) -> Bloom | None:
        if bits_per_key <= 0 or len(keys) == 0:
            return None
        m = max(8, int(np.ceil(bits_per_key * len(keys))))
        bits = np.zeros(m, dtype=bool)
        bits[positions_array(mix64_array(keys), k, m).ravel()] = True
        return Bloom(bits, k)

    def query(self, keys: np.ndarray, impl: Any) -> np.ndarray:
        """Which keys the filter may hold, through ``impl.may_contain`` (vectorized when it is
        the reference rule)."""
        if getattr(impl, "may_contain", rules.may_contain) is rules.may_contain:
            pos = positions_array(mix64_array(keys), self.k, len(self.bits))
            return np.all(self.bits[pos], axis=0)
        return np.array([bool(impl.may_contain(self.bits, rules.mix64(int(key)), self.k))
                         for key in keys], dtype=bool)


@dataclass
class SortedRun:
    """One immutable sorted run (an L0 file, a file of a level, or a tiered run)."""

    keys: np.ndarray
    seqs: np.ndarray
    tombs: np.ndarray
    bloom: Bloom | None = None
    tier: int = 0
    id: int = field(default_factory=lambda: next(_ids))

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def lo(self) -> int:
        return int(self.keys[0])

    @property
    def hi(self) -> int:
        return int(self.keys[-1])

    def as_tuple(self) -> rules.Run:
        return self.keys, self.seqs, self.tombs


def make_run(keys: Any, seqs: Any, tombs: Any, bits_per_key: float, k: int,
             tier: int = 0) -> SortedRun:
    keys = np.asarray(keys, dtype=np.int64)
    return SortedRun(keys, np.asarray(seqs, dtype=np.int64), np.asarray(tombs, dtype=bool),
                     Bloom.build(keys, bits_per_key, k), tier)


def concat(files: list[SortedRun]) -> rules.Run:
    """A level's non-overlapping files, in key order, as one run."""
    files = sorted(files, key=lambda f: f.lo)
    return (np.concatenate([f.keys for f in files]), np.concatenate([f.seqs for f in files]),
            np.concatenate([f.tombs for f in files]))


def split(merged: rules.Run, per_file: int, bits_per_key: float, k: int) -> list[SortedRun]:
    """A merged run cut into files of ``per_file`` entries (the last may be smaller)."""
    keys, seqs, tombs = merged
    return [make_run(keys[i:i + per_file], seqs[i:i + per_file], tombs[i:i + per_file],
                     bits_per_key, k) for i in range(0, len(keys), per_file)]
