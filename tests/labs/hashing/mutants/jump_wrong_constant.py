"""jump_hash with two digits of the LCG multiplier swapped: still consistent and even, but it
disagrees with every other client about where a key lives."""

from dslab.labs.hashing.rules import build_ring, moved_keys, ring_owner  # noqa: F401


def jump_hash(key, buckets):
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941775 + 1) % 2**64
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b
