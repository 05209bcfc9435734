"""write_stall compares with > instead of >=: writes slow at 21 L0 files and stop at 37."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def write_stall(l0_files, memtables, pending_mb, p):  # noqa: F811
    if (l0_files > p.l0_stop_trigger or memtables > p.max_memtables
            or pending_mb > p.hard_pending_compaction_mb):
        return "stop"
    if (l0_files > p.l0_slowdown_trigger
            or (p.max_memtables > 3 and memtables > p.max_memtables - 1)
            or pending_mb > p.soft_pending_compaction_mb):
        return "slowdown"
    return "ok"
