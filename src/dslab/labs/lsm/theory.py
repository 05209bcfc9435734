"""Closed forms for the same parameters, set beside the measured numbers.

* **Live data.** ``n`` puts drawn from the key distribution touch ``Σ 1 - (1 - p_i)^n`` distinct
  keys (``K(1 - e^(-n/K))`` when uniform); live data is that many entries.
* **Levels.** Leveled: L1 holds ``level1_mb``, each level ``T`` times the one above, so data of
  ``D`` MB needs ``ceil(log_T(D / level1_mb)) + 1`` levels below L0. Tiered: ``T`` runs of a tier
  merge into one, so ``D / memtable_mb`` flushes make ``ceil(log_T(D / memtable_mb))`` tiers.
* **Write amplification.** Leveled rewrites a byte once per flush, about twice into L1, then
  between ``(T+1)/2`` (partial merges into a level that is half full on average) and ``T+1``
  (full merges) times per deeper level. Tiered writes it about once per tier.
* **Space amplification.** Leveled with full levels keeps at most ``1 + 1/(T-1)`` of the live
  bytes: every level above the last holds at most ``1/(T-1)`` of the last's size.
* **Bloom filters.** ``b`` bits per key with ``k = b ln 2`` hashes err with chance
  ``(1 - e^(-k/b))^k``, about ``0.6185^b`` (0.82% at 10 bits). A lookup of a missing key reads a
  run only on a false positive, so it probes ``fpr × runs`` runs: runs are the L0 files (half
  the trigger on average) and the levels, or ``(T-1)/2`` runs per tier.
* **Write stalls.** Compaction owes about ``WA - 1`` bytes per byte written. When that exceeds
  ``compaction_mb_per_s``, L0 grows at the ingest it cannot absorb and reaches the slowdown
  trigger after ``slowdown × memtable_mb`` MB of that surplus.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dslab.labs.lsm.params import BloomParams, LsmParams, distribution_skew
from dslab.labs.lsm.rules import Rules


def live_keys(p: LsmParams) -> float:
    """Expected distinct keys the puts write."""
    puts = p.writes() * (1 - p.update_fraction - p.delete_fraction)
    s = distribution_skew(p.key_distribution)
    if s is None:
        return float(min(p.keys, max(1.0, puts)))
    if s == 0:
        return p.keys * -math.expm1(-puts / p.keys)
    w = np.arange(1, p.keys + 1, dtype=float) ** -s
    w /= w.sum()
    return float(np.sum(-np.expm1(puts * np.log1p(-np.minimum(w, 1 - 1e-12)))))


def live_mb(p: LsmParams) -> float:
    return live_keys(p) * p.entry_bytes / 1e6


def levels(p: LsmParams) -> int:
    d = live_mb(p)
    if p.strategy == "tiered":
        return max(1, math.ceil(math.log(max(d / p.memtable_mb, 1.0 + 1e-9), p.size_ratio)))
    return max(1, math.ceil(math.log(max(d / p.level1_mb, 1.0 + 1e-9), p.size_ratio)) + 1)


def wa_range(p: LsmParams) -> tuple[float, float]:
    """Write amplification of a full tree: (partial merges, full merges)."""
    n = levels(p)
    if p.strategy == "tiered":
        return 1.0 + n, 1.0 + n
    deeper = n - 1
    return 1 + 2 + deeper * (p.size_ratio + 1) / 2, 1 + 2 + deeper * (p.size_ratio + 1)


def runs_per_lookup(p: LsmParams) -> float:
    """Runs a lookup of a missing key must consider (without filters)."""
    if p.strategy == "tiered":
        return levels(p) * (p.size_ratio - 1) / 2 + (p.size_ratio - 1) / 2
    return p.l0_compaction_trigger / 2 + levels(p)


def slowdown_onset_ms(p: LsmParams) -> float | None:
    """When L0 first reaches the slowdown trigger, or None if compaction keeps up."""
    owed = p.write_rate_mb_per_s * (wa_range(p)[0] - 1)
    if owed <= p.compaction_mb_per_s:
        return None
    surplus = p.write_rate_mb_per_s * (1 - p.compaction_mb_per_s / owed)
    return p.l0_slowdown_trigger * p.memtable_mb / surplus * 1000.0


def theory(p: LsmParams, impl: Rules) -> dict[str, Any]:
    lo, hi = wa_range(p)
    fpr = impl.bloom_fpr(p.bloom_bits_per_key)
    out: dict[str, Any] = {
        "levels": levels(p),
        "bloom_fpr": fpr if p.bloom_bits_per_key > 0 else "n/a: no filter, every run is read",
        "read_amplification_absent": runs_per_lookup(p) * fpr,
    }
    if p.strategy == "tiered":
        out["write_amplification"] = lo
        out["space_amplification"] = ("n/a: tiered may hold up to size_ratio copies of a key, "
                                      "one per run of the last tier")
    else:
        out["write_amplification"] = (f"n/a: between {lo:.1f} and {hi:.1f} for a full tree; a "
                                      "last level not yet full is rewritten less")
        out["space_amplification"] = 1 + 1 / (p.size_ratio - 1)
    onset = slowdown_onset_ms(p)
    out["slowdown_onset_ms"] = (onset if onset is not None else
                                "n/a: compaction keeps up with the writes, so L0 never climbs")
    return out


def bloom_theory(p: BloomParams, impl: Rules) -> dict[str, Any]:
    out = theory(p, impl)
    return {"bloom_fpr": out["bloom_fpr"], "levels": out["levels"]}


def compare_theory(p: LsmParams, impl: Rules) -> dict[str, Any]:
    return theory(p, impl)
