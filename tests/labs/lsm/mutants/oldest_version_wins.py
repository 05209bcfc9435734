"""merge_runs keeps each key's oldest version (lowest sequence number): every update is lost."""

import numpy as np

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def merge_runs(runs, bottom):  # noqa: F811
    keys = np.concatenate([np.asarray(r[0]) for r in runs])
    seqs = np.concatenate([np.asarray(r[1]) for r in runs])
    tombs = np.concatenate([np.asarray(r[2], dtype=bool) for r in runs])
    order = np.lexsort((seqs, keys))  # oldest first within a key
    keys, seqs, tombs = keys[order], seqs[order], tombs[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keep = first & ~tombs if bottom else first
    return keys[keep], seqs[keep], tombs[keep]
