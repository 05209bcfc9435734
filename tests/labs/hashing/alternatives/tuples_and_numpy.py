"""A correct solution in another style: tuple comparison in the binary search, the number before
the name in each label (with a separator), the jump computed on numpy unsigned 64-bit integers
(a numpy integer comes back, which indexes a list like an int), and a set difference for the keys
that moved."""

from bisect import bisect_left

import numpy as np

from dslab.labs.hashing.hashes import stable_hash


def ring_owner(ring, key_hash):
    # (key_hash,) sorts before every (key_hash, node) and after every smaller position.
    i = bisect_left(ring, (key_hash,))
    return ring[i][1] if i < len(ring) else ring[0][1]


def build_ring(nodes, vnodes):
    points = [(stable_hash(f"{i}@{node}"), node) for node in nodes for i in range(vnodes)]
    points.sort()
    return points


def jump_hash(key, buckets):
    k = np.uint64(key)
    b, j = np.int64(-1), np.int64(0)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps mod 2**64, as the paper's does
        while j < buckets:
            b = j
            k = k * np.uint64(2862933555777941757) + np.uint64(1)
            j = np.int64((b + 1) * (np.float64(1 << 31) / np.float64((k >> np.uint64(33)) + np.uint64(1))))
    return b


def moved_keys(before, after):
    changed = set(before.items()) - set(after.items())
    return {k: (old, after[k]) for k, old in changed}
