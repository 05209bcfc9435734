"""merge_runs sorts by key alone and keeps the last entry of each key: the runs come newest
first, so on a tie it keeps the oldest version."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def merge_runs(runs, bottom):  # noqa: F811
    entries = sorted(((int(k), int(s), bool(t)) for r in runs for k, s, t in zip(*r, strict=True)),
                     key=lambda e: e[0])
    latest = {}
    for k, s, t in entries:
        latest[k] = (s, t)
    keys = sorted(k for k, (s, t) in latest.items() if not (bottom and t))
    return keys, [latest[k][0] for k in keys], [latest[k][1] for k in keys]
