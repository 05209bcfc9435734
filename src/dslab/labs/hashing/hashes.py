"""Stable hashing and the names that get hashed.

Every position on the ring and every key's hash comes from ``stable_hash`` (BLAKE2b cut to 64
bits): the same text gives the same number in every process on every machine, which Python's
built-in ``hash()`` does not (it is salted per process), so two clients would disagree on owners.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

RING_BITS = 64
RING_SIZE = 1 << RING_BITS  # positions are integers in [0, RING_SIZE)
MASK64 = RING_SIZE - 1


@lru_cache(maxsize=1 << 17)
def stable_hash(text: str) -> int:
    """A 64-bit hash of ``text`` that is the same in every process: BLAKE2b, 8-byte digest."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def mix64(x: int) -> int:
    """SplitMix64's finaliser: scrambles a 64-bit integer so that nearby inputs land far apart.
    Rendezvous hashing uses it to turn (node hash XOR key hash) into a weight cheaply."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def mix64_array(x: np.ndarray) -> np.ndarray:
    """``mix64`` over a whole array of unsigned 64-bit integers at once (uint64 wraps as the
    masks above do)."""
    x = np.array(x, dtype=np.uint64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def node_name(index: int, rng: np.random.Generator) -> str:
    """A node's name, ``n3-9f2c``: its index, then a tag drawn from the run's seed, so another seed
    puts the same cluster on another ring (as other host names would)."""
    return f"n{index}-{int(rng.integers(0, 1 << 16)):04x}"


def node_names(count: int, rng: np.random.Generator) -> list[str]:
    """The names of a cluster's first ``count`` nodes."""
    return [node_name(i, rng) for i in range(count)]


def key_names(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct keys such as ``user:48213977``, drawn from the seed; in the cache study
    the list is in order of popularity, most requested first."""
    ids = rng.choice(10**9, size=count, replace=False)
    return [f"user:{int(i)}" for i in ids]
