"""jump_hash multiplies by b instead of b + 1: from b = 0 the jump is always 0, so the loop never
ends."""

from dslab.labs.hashing.rules import build_ring, moved_keys, ring_owner  # noqa: F401


def jump_hash(key, buckets):
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = int(b * (float(1 << 31) / float((key >> 33) + 1)))
    return b
