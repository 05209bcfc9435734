"""write_stall tests the slowdown thresholds before the stop ones: past the stop trigger it
still only slows writes down."""

from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def write_stall(l0_files, memtables, pending_mb, p):  # noqa: F811
    if l0_files >= p.l0_slowdown_trigger or pending_mb >= p.soft_pending_compaction_mb:
        return "slowdown"
    if (l0_files >= p.l0_stop_trigger or memtables >= p.max_memtables
            or pending_mb >= p.hard_pending_compaction_mb):
        return "stop"
    if p.max_memtables > 3 and memtables >= p.max_memtables - 1:
        return "slowdown"
    return "ok"
