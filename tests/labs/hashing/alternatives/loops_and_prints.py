"""A correct solution in another style: a hand-written binary search, explicit loops, the paper's
arithmetic spelled out with math.floor and % 2**64, and the leftover prints of a learner who was
debugging (the checker must never read them)."""

import math

from dslab.labs.hashing.hashes import RING_SIZE, stable_hash


def ring_owner(ring, key_hash):
    lo, hi = 0, len(ring)
    while lo < hi:
        mid = (lo + hi) // 2
        if ring[mid][0] < key_hash:
            lo = mid + 1
        else:
            hi = mid
    if lo == len(ring):
        lo = 0  # past the last point: round to the first
    return ring[lo][1]


def build_ring(nodes, vnodes):
    ring = []
    for node in nodes:
        for i in range(vnodes):
            ring.append((stable_hash(node + "-" + str(i)), node))
    ring.sort(key=lambda point: point[0])
    print(f"built a ring of {len(ring)} points, first at {ring[0][0] / RING_SIZE:.3f}" if ring else "empty")
    return ring


def jump_hash(key, buckets):
    b = -1
    j = 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = math.floor((b + 1) * (2.0**31 / ((key >> 33) + 1)))
    return b


def moved_keys(before, after):
    print("comparing", len(before), "keys")
    moved = {}
    for key in before:
        if not before[key] == after[key]:
            moved[key] = (before[key], after[key])
    return moved
