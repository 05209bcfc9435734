"""What a run showed, in plain sentences."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.lsm.params import LsmParams
from dslab.run import Outcome


def _n(x: Any, fmt: str = ".2f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def story(p: LsmParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    m = out.metrics
    lines = [
        f"{p.strategy} took {m['user_mb']:.1f} MB of writes ({p.update_fraction:.0%} updates, "
        f"{p.delete_fraction:.0%} deletes) and wrote {m['write_amplification']:.1f} times as "
        f"much to storage; it ended with {m['stored_mb']:.1f} MB stored in {m['levels']} "
        f"{'tiers' if p.strategy == 'tiered' else 'levels below L0'}, "
        f"{_n(m['space_amplification'])} times the live data (at most "
        f"{_n(m['space_amplification_max'])} on the way).",
        f"A lookup of a present key read {_n(m['read_amplification_present'])} runs on average; one "
        f"of a missing key {_n(m['read_amplification_absent'], '.3f')}, because the filters said "
        f"'maybe' for {_n(100 * m['bloom_fpr'] if m['bloom_fpr'] == m['bloom_fpr'] else None)}% "
        "of the runs that did not hold it.",
    ]
    if m["slowdown_ms"] or m["stopped_ms"]:
        lines.append(
            f"Compaction fell behind: L0 reached {m['max_l0_files']} files, writes were slowed for "
            f"{m['slowdown_ms']:.0f} ms and stopped for {m['stopped_ms']:.0f} ms, and the p99 put "
            f"waited {m['write_p99_ms']:.0f} ms.")
    else:
        lines.append(f"Compaction kept up: L0 never held more than {m['max_l0_files']} files and "
                     "no write waited.")
    return lines


def compare_story(p: LsmParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    per = out.series["per"]
    lines = []
    for s, m in per.items():
        lines.append(f"{s}: wrote {m['write_amplification']:.1f}x, stored "
                     f"{m['space_amplification']:.2f}x the live data (peak "
                     f"{m['space_amplification_max']:.2f}x), probed "
                     f"{m['read_amplification_absent']:.3f} runs per missing key, largest "
                     f"compaction {m['max_compaction_mb']:.1f} MB.")
    lev, tie = per["leveled"], per["tiered"]
    lines.append(
        f"Leveled rewrote each byte {lev['write_amplification'] / tie['write_amplification']:.1f} "
        f"times as often as tiered, and tiered held "
        f"{tie['space_amplification_max'] / lev['space_amplification_max']:.1f} times as much "
        "space at its peak: the trade-off between the two.")
    return lines


def bloom_story(p: LsmParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    sweep = out.series["sweep"]
    at10 = next((r for r in sweep if r["bits_per_key"] == 10), sweep[-1])
    return [
        f"{out.series['runs']} runs were probed with "
        f"{getattr(p, 'absent_lookups', 0):,} lookups of keys never written, "
        f"under filters of 0 to {sweep[-1]['bits_per_key']} bits per key.",
        f"Without a filter each lookup read {sweep[0]['probes']:.2f} runs; at "
        f"{at10['bits_per_key']} bits per key the filters erred {100 * at10['fpr']:.2f}% of the "
        f"time (theory {100 * at10['theory_fpr']:.2f}%) and a lookup read "
        f"{at10['probes']:.3f} runs.",
    ]
