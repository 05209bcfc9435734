"""pick_level scores L0 by its raw file count, not over the trigger: one file makes it due."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def pick_level(l0_files, level_bytes, targets, l0_trigger, busy):  # noqa: F811
    best, best_score = None, 1.0
    for level in range(len(targets) - 1):
        if level in busy or level + 1 in busy:
            continue
        score = l0_files if level == 0 else level_bytes[level] / targets[level]
        if score >= best_score and (best is None or score > best_score):
            best, best_score = level, score
    return best
