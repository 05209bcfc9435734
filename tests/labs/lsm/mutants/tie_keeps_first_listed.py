"""merge_runs settles a key held by two runs by the order the runs are listed in, not by sequence
number: a two-way merge that, on equal keys, takes the left run's version and drops the other."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def merge_runs(runs, bottom):  # noqa: F811
    out = []
    for keys, seqs, tombs in runs:
        mine = [(int(k), int(s), bool(t)) for k, s, t in zip(keys, seqs, tombs, strict=True)]
        i = j = 0
        merged = []
        while i < len(out) and j < len(mine):
            if out[i][0] < mine[j][0]:
                merged.append(out[i])
                i += 1
            elif mine[j][0] < out[i][0]:
                merged.append(mine[j])
                j += 1
            else:  # a tie: keep the one already merged, skip the other
                merged.append(out[i])
                i += 1
                j += 1
        out = merged + out[i:] + mine[j:]
    if bottom:
        out = [e for e in out if not e[2]]
    return [e[0] for e in out], [e[1] for e in out], [e[2] for e in out]
