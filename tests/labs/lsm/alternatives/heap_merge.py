"""The six rules in another style: a k-way heap merge, numpy for the filter, a table of scores."""

import heapq
import math

import numpy as np

from dslab.labs.lsm.rules import bloom_positions


def merge_runs(runs, bottom):
    streams = [[(int(k), -int(s), bool(t)) for k, s, t in zip(*r, strict=True)] for r in runs]
    keys, seqs, tombs = [], [], []
    last = None
    for k, neg_s, t in heapq.merge(*streams):  # by key, then newest first
        if k == last:
            continue
        last = k
        if bottom and t:
            continue
        keys.append(k)
        seqs.append(-neg_s)
        tombs.append(t)
    return np.array(keys, dtype=np.int64), np.array(seqs, dtype=np.int64), np.array(tombs)


def bloom_hashes(bits_per_key):
    k = round(bits_per_key * math.log(2))
    return k if k > 0 else 1


def bloom_fpr(bits_per_key):
    if not bits_per_key:
        return 1.0
    k = bloom_hashes(bits_per_key)
    return math.pow(-math.expm1(-k / bits_per_key), k)


def may_contain(bits, key_hash, k):
    return bool(np.all(np.asarray(bits)[bloom_positions(key_hash, k, len(bits))]))


def pick_level(l0_files, level_bytes, targets, l0_trigger, busy):
    table = {}
    for level in range(len(targets) - 1):
        if busy and (level in busy or level + 1 in busy):
            continue
        table[level] = l0_files / l0_trigger if level == 0 else level_bytes[level] / targets[level]
    due = [level for level, score in table.items() if score >= 1]
    return max(due, key=lambda level: (table[level], -level)) if due else None


def write_stall(l0_files, memtables, pending_mb, p):
    level = 0
    if l0_files >= p.l0_slowdown_trigger or pending_mb >= p.soft_pending_compaction_mb:
        level = 1
    if p.max_memtables > 3 and memtables >= p.max_memtables - 1:
        level = 1
    if (l0_files >= p.l0_stop_trigger or memtables >= p.max_memtables
            or pending_mb >= p.hard_pending_compaction_mb):
        level = 2
    return ("ok", "slowdown", "stop")[level]
