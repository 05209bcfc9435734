"""may_contain answers "maybe" when any one of the key's bits is set, not all of them: never a
false negative, but the filter lets far more missing keys through."""

from dslab.labs.lsm.rules import (  # noqa: F401, E501
    bloom_fpr,
    bloom_hashes,
    bloom_positions,
    may_contain,
    merge_runs,
    pick_level,
    write_stall,
)


def may_contain(bits, key_hash, k):  # noqa: F811
    return any(bool(bits[i]) for i in bloom_positions(key_hash, k, len(bits)))
