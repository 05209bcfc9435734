"""The six rules in plain Python: dictionaries and loops, no numpy."""

import math

from dslab.labs.lsm.rules import bloom_positions


def merge_runs(runs, bottom):
    newest = {}
    for keys, seqs, tombs in runs:
        for k, s, t in zip(keys, seqs, tombs, strict=True):
            k, s = int(k), int(s)
            if k not in newest or s > newest[k][0]:
                newest[k] = (s, bool(t))
    keys = sorted(k for k, (_, t) in newest.items() if not (bottom and t))
    return keys, [newest[k][0] for k in keys], [newest[k][1] for k in keys]


def bloom_hashes(bits_per_key):
    return max(1, int(math.floor(bits_per_key * math.log(2) + 0.5)))


def bloom_fpr(bits_per_key):
    if bits_per_key == 0:
        return 1.0
    k = bloom_hashes(bits_per_key)
    return (1 - math.exp(-k / bits_per_key)) ** k


def may_contain(bits, key_hash, k):
    for i in bloom_positions(key_hash, k, len(bits)):
        if not bits[i]:
            return False
    return True


def pick_level(l0_files, level_bytes, targets, l0_trigger, busy):
    scores = []
    for level in range(len(targets) - 1):
        if level in busy or level + 1 in busy:
            continue
        score = l0_files / l0_trigger if level == 0 else level_bytes[level] / targets[level]
        scores.append((-score, level))
    if not scores:
        return None
    score, level = min(scores)
    return level if -score >= 1 else None


def write_stall(l0_files, memtables, pending_mb, p):
    stop = (l0_files >= p.l0_stop_trigger, memtables >= p.max_memtables,
            pending_mb >= p.hard_pending_compaction_mb)
    if any(stop):
        return "stop"
    slow = (l0_files >= p.l0_slowdown_trigger,
            p.max_memtables > 3 and memtables >= p.max_memtables - 1,
            pending_mb >= p.soft_pending_compaction_mb)
    return "slowdown" if any(slow) else "ok"
