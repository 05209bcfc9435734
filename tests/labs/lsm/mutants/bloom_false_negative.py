"""may_contain checks positions 1..k instead of 0..k-1: the filter was built with position 0, so
a key it holds can be answered "no" (a false negative)."""

from dslab.labs.lsm.rules import (  # noqa: F401, E501
    MASK32,
    bloom_fpr,
    bloom_hashes,
    may_contain,
    merge_runs,
    pick_level,
    write_stall,
)


def may_contain(bits, key_hash, k):  # noqa: F811
    h1, h2 = key_hash & MASK32, (key_hash >> 32) | 1
    return all(bool(bits[(h1 + i * h2) % len(bits)]) for i in range(1, k + 1))
