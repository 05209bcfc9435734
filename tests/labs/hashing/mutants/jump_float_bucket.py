"""jump_hash floors the jump with // on floats, so b ends up a float: 43.0 equals 43, but a bucket
is an index, and the lab cannot index its list of nodes with a float."""

from dslab.labs.hashing.rules import build_ring, moved_keys, ring_owner  # noqa: F401


def jump_hash(key, buckets):
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = ((b + 1) * (2**31 / ((key >> 33) + 1))) // 1
    return b
