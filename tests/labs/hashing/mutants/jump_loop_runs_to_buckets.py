"""jump_hash loops while j <= buckets: a jump that lands exactly on buckets is taken as a bucket,
one past the last (with one bucket, about half the keys get bucket 1)."""

from dslab.labs.hashing.rules import build_ring, moved_keys, ring_owner  # noqa: F401


def jump_hash(key, buckets):
    b, j = -1, 0
    while j <= buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b
