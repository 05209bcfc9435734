"""jump_hash computes the jump in exact integers with //, "to avoid floating point": the same
answers as the paper until (b + 1) * 2**31 passes 2**53, then some keys land one bucket away from
where every other client looks."""

from dslab.labs.hashing.rules import build_ring, moved_keys, ring_owner  # noqa: F401


def jump_hash(key, buckets):
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = (b + 1) * 2**31 // ((key >> 33) + 1)
    return b
