"""may_contain answers "maybe" when any one of the key's bits is set, not all of them: never a
false negative, but the filter lets far more missing keys through."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501
from dslab.labs.lsm.rules import bloom_positions


def may_contain(bits, key_hash, k):  # noqa: F811
    return any(bool(bits[i]) for i in bloom_positions(key_hash, k, len(bits)))
