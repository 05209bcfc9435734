"""bloom_hashes truncates b · ln 2 instead of rounding: 6 hashes at 10 bits per key."""

import math

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def bloom_hashes(bits_per_key):  # noqa: F811
    return max(1, int(bits_per_key * math.log(2)))
