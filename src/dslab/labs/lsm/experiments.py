"""The lab's experiments: one engine (steppable), the strategies side by side on the same writes,
and a sweep of bloom-filter sizes over one engine's runs."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from dslab.labs.lsm.engine import Engine
from dslab.labs.lsm.lookups import FilterTally, lookup
from dslab.labs.lsm.params import MB, STRATEGIES, BloomParams, CompareParams, LsmParams
from dslab.labs.lsm.rules import Rules
from dslab.labs.lsm.runs import Bloom
from dslab.labs.lsm.storage import Tiered
from dslab.result import Check
from dslab.run import Outcome


def _stats(x: np.ndarray) -> tuple[float, float]:
    if len(x) == 0:
        return math.nan, math.nan
    return float(x.mean()), float(np.percentile(x, 99))


def measure(e: Engine) -> tuple[dict[str, Any], list[Any]]:
    """The engine's metrics so far, and its checks."""
    p = e.p
    user = e.next * p.entry_bytes
    probes = np.concatenate(e.lookup_probes) if e.lookup_probes else np.empty(0)
    present = np.concatenate(e.lookup_present) if e.lookup_present else np.empty(0, bool)
    pm, p99 = _stats(probes[present])
    am, a99 = _stats(probes[~present])
    lat = e.admit_ms[:e.next] - e.w.arrive_ms[:e.next]
    stored = e.stored_bytes()
    windows = list(e.stall_windows)
    if e.state != "ok" and not (windows and windows[-1][2] >= e.sim.now):
        windows.append((e.state, e.state_since, e.sim.now))
    slow = sum(b - a for s, a, b in windows if s == "slowdown")
    stop = sum(b - a for s, a, b in windows if s == "stop")
    metrics: dict[str, Any] = {
        "write_amplification": (e.flushed + e.compacted_out) / user if user else math.nan,
        "space_amplification": stored / (e.disk_live * p.entry_bytes) if e.disk_live else math.nan,
        "space_amplification_max": e.space_max or math.nan,
        "read_amplification": float(probes.mean()) if len(probes) else math.nan,
        "read_amplification_present": pm, "read_amplification_present_p99": p99,
        "read_amplification_absent": am, "read_amplification_absent_p99": a99,
        "bloom_fpr": (e.tally.false_positives / e.tally.negatives if e.tally.negatives
                      else math.nan),
        "levels": e.store.depth(),
        "max_l0_files": e.max_l0,
        "slowdown_ms": slow, "stopped_ms": stop,
        "write_p99_ms": float(np.percentile(lat, 99)) if len(lat) else math.nan,
        "write_mean_ms": float(lat.mean()) if len(lat) else math.nan,
        "max_compaction_mb": e.max_compaction / MB,
        "slowdown_onset_ms": min((a for _, a, _ in windows), default=math.nan),
        "user_mb": user / MB, "stored_mb": stored / MB,
        "duration_ms": e.sim.now,
    }
    admitted = e.admit_ms[:e.next]
    in_stop = sum(int(((admitted > a) & (admitted < b)).sum()) for s, a, b in windows if s == "stop")
    fast = 0
    for s, a, b in windows:
        if s == "slowdown":
            t = admitted[(admitted >= a) & (admitted < b)]
            fast += int((np.diff(t) < e.gap_slow_ms * (1 - 1e-9)).sum())
    accounting = []
    if stored != e.flushed + e.compacted_out - e.compacted_in:
        accounting.append(f"{stored:,} bytes stored, but flushes and compactions wrote "
                          f"{e.flushed + e.compacted_out:,} and removed {e.compacted_in:,}")
    memory = (sum(len(m[0]) for m in e.sealed) + e.next - e.active_start) * p.entry_bytes
    if user != e.flushed + e.deduped + memory:
        accounting.append(f"{user:,} user bytes, but {e.flushed:,} flushed, {e.deduped:,} "
                          f"overwritten in a memtable and {memory:,} in memory")
    return metrics, e.mon.verdicts(in_stop, fast, accounting)


def series(e: Engine) -> dict[str, Any]:
    s: dict[str, Any] = dict(e.series)
    windows = list(e.stall_windows)
    if e.state != "ok":
        windows.append((e.state, e.state_since, e.sim.now))
    s["windows"] = windows
    s["strategy"] = e.p.strategy
    s["admit_ms"] = e.admit_ms[:e.next][::max(1, e.next // 4000)].tolist()
    s["admit_every"] = max(1, e.next // 4000)
    return s


class EngineRun:
    """One engine as a steppable model."""

    def __init__(self, params: LsmParams, seed: int = 1, impl: Rules | None = None) -> None:
        from dslab.labs.lsm import rules
        self.engine = Engine(params, seed, impl if impl is not None else rules)

    @property
    def now(self) -> float:
        return self.engine.sim.now

    def run_until(self, t_ms: float) -> None:
        self.engine.sim.run(t_ms)

    def finish(self) -> None:
        self.engine.sim.run(math.inf)

    def state(self) -> list[dict[str, Any]]:
        """The engine right now: the memtables (``runs``: sealed ones waiting to flush; ``mb``:
        what the active one holds), then one row per level (or tier)."""
        e = self.engine
        in_active = e.next - e.active_start + int(np.searchsorted(e.plan, e.sim.now, side="right"))
        rows: list[dict[str, Any]] = [{"where": "memtable", "runs": len(e.sealed),
                                       "mb": in_active * e.p.entry_bytes / MB,
                                       "t_ms": e.sim.now, "state": e.state}]
        name = "tier" if e.p.strategy == "tiered" else "L"
        for i, mb in enumerate(e.store.shape()):
            store = e.store
            runs = (sum(1 for r in store.runs if r.tier == i) if isinstance(store, Tiered)
                    else len(store.levels[i]))
            rows.append({"where": f"{name}{i}", "runs": runs, "mb": mb, "t_ms": e.sim.now,
                         "state": e.state})
        return rows

    def outcome(self) -> Outcome:
        metrics, checks = measure(self.engine)
        return Outcome(metrics, checks, series(self.engine))


def compare(p: CompareParams, seed: int, impl: Rules) -> Outcome:
    """Every strategy on the same writes and the same seed; the params' own strategy's checks
    and metrics lead, the others' metrics sit beside them."""
    per: dict[str, dict[str, Any]] = {}
    checks: list[Check] = []
    shapes: dict[str, Any] = {}
    for strategy in STRATEGIES:
        e = Engine(dataclasses.replace(p, strategy=strategy), seed, impl)
        e.sim.run(math.inf)
        metrics, c = measure(e)
        per[strategy] = metrics
        checks.extend(dataclasses.replace(x, name=f"{strategy}: {x.name}") for x in c)
        shapes[strategy] = {"t_ms": e.series["t_ms"], "shape": e.series["shape"]}
    metrics = dict(per[p.strategy])
    for strategy in STRATEGIES:
        for name in ("write_amplification", "space_amplification", "space_amplification_max",
                     "read_amplification_absent", "read_amplification_present",
                     "max_compaction_mb", "write_p99_ms"):
            metrics[f"{name}_{strategy.replace('-', '_')}"] = per[strategy][name]
    return Outcome(metrics, checks, {"per": per, "shapes": shapes})


def bloom(p: BloomParams, seed: int, impl: Rules) -> Outcome:
    """One engine's writes, then its final runs probed with absent keys under filters of 0 to
    ``max_bits_per_key`` bits per key."""
    e = Engine(p, seed, impl)
    e.sim.run(math.inf)
    metrics, checks = measure(e)
    rng = e.sim.rng("lsm.bloom")
    q = 2 * rng.integers(0, p.keys, p.absent_lookups, dtype=np.int64) + 1
    runs = [f for files in e.store.newest_first() for f in files]
    sweep = []
    for b in range(p.max_bits_per_key + 1):
        k = impl.bloom_hashes(b) if b > 0 else 0
        for f in runs:
            f.bloom = Bloom.build(f.keys, b, k)
        tally = FilterTally()
        _, probes = lookup(q, [], e.store.newest_first(), impl, tally)
        fpr = tally.false_positives / tally.negatives if b > 0 and tally.negatives else 1.0
        sweep.append({"bits_per_key": b, "hashes": k, "fpr": fpr,
                      "theory_fpr": impl.bloom_fpr(b), "probes": float(probes.mean()),
                      "false_negatives": tally.false_negatives})
    at = min(sweep, key=lambda r: abs(r["bits_per_key"] - p.bloom_bits_per_key))
    metrics.update(bloom_fpr=at["fpr"], read_amplification_absent=at["probes"],
                   runs=len(runs))
    return Outcome(metrics, checks, {"sweep": sweep, "runs": len(runs)})
