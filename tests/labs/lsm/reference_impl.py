"""The reference rules as an exercise file: the checker must pass every test on it."""

from dslab.labs.lsm.rules import (  # noqa: F401
    bloom_fpr,
    bloom_hashes,
    may_contain,
    merge_runs,
    pick_level,
    write_stall,
)
