"""The LSM engine as a discrete-event simulation on the sim core.

Writes arrive evenly spaced (the workload's arrays) and are admitted into the active memtable
under the write-stall state: at once when ``ok``, no faster than the delayed rate under
``slowdown``, not at all under ``stop``. Admission times are planned a memtable at a time (a
Lindley recursion on arrays) and re-planned whenever the state changes, so a run costs events
per memtable, flush and compaction rather than per write. A full memtable is sealed; one flush
at a time writes the oldest sealed memtable out as a sorted run; compactions (up to
``compaction_jobs``, each at its share of ``compaction_mb_per_s``) merge runs by the strategy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dslab.labs.lsm.checks import Monitor
from dslab.labs.lsm.lookups import FilterTally, lookup
from dslab.labs.lsm.params import MB, LsmParams
from dslab.labs.lsm.rules import Rules
from dslab.labs.lsm.runs import make_run, split
from dslab.labs.lsm.storage import Job, Leveled, Tiered
from dslab.labs.lsm.workload import BATCHES, lookup_keys, make_workload
from dslab.sim.simulation import Simulation

Mem = tuple[np.ndarray, np.ndarray, np.ndarray]


def newest_per_key(keys: np.ndarray, seqs: np.ndarray, tombs: np.ndarray) -> Mem:
    """A memtable's writes as a run: sorted keys, each with its last write."""
    rev_keys = keys[::-1]
    uniq, first = np.unique(rev_keys, return_index=True)
    last = len(keys) - 1 - first
    return uniq, seqs[last], tombs[last]


class Engine:
    def __init__(self, p: LsmParams, seed: int, impl: Rules) -> None:
        self.p, self.impl = p, impl
        self.sim = Simulation(seed)
        w = make_workload(p, self.sim.rng("lsm.writes"))
        self.w = w
        self.n = len(w.keys)
        self.seqs = np.arange(1, self.n + 1, dtype=np.int64)
        self.admit_ms = np.full(self.n, np.nan)
        self.M = p.memtable_entries()
        self._k: int | None = None  # asked of the rules at the first flush, not while building
        self.gap_slow_ms = p.entry_bytes / (p.delayed_write_rate_mb_per_s * MB) * 1000.0
        self.job_rate = p.compaction_mb_per_s * MB / p.compaction_jobs / 1000.0  # bytes per ms
        self.store: Leveled | Tiered = (Tiered(p, impl) if p.strategy == "tiered" else
                                        Leveled(p, impl, full=p.strategy == "leveled-full"))
        self.mon = Monitor()
        self.tally = FilterTally()
        # the writer
        self.next = 0  # first write not yet admitted
        self.active_start = 0
        self.plan: np.ndarray = np.empty(0)
        self.plan_gap = 0.0
        self.plan_gen = 0
        self.free_at = 0.0  # the delayed rate's earliest next admission
        self.state = "ok"
        self.state_since = 0.0
        self.stall_windows: list[tuple[str, float, float]] = []
        self.sealed: list[Mem] = []  # oldest first
        self.flushing = False
        self.newest_flushed = 0  # the highest sequence number flushed so far
        self.jobs = 0
        # the oracle of acknowledged writes, and of what has reached storage
        self.oracle_seq = np.zeros(p.keys, dtype=np.int64)
        self.oracle_tomb = np.zeros(p.keys, dtype=bool)
        self.disk_seq = np.zeros(p.keys, dtype=np.int64)
        self.disk_tomb = np.zeros(p.keys, dtype=bool)
        self.disk_live = 0
        # accounting (bytes)
        self.flushed = self.compacted_in = self.compacted_out = self.deduped = 0
        self.max_compaction = 0
        self.space_max = 0.0
        self.max_l0 = 0
        self.lookup_probes: list[np.ndarray] = []
        self.lookup_present: list[np.ndarray] = []
        self.batch_at = [int(np.ceil(self.n * (b + 1) / BATCHES)) for b in range(BATCHES)]
        self.batches_done = 0
        self.lookup_rng = self.sim.rng("lsm.lookups")
        self.series: dict[str, list[Any]] = {"t_ms": [], "l0": [], "shape": [], "admitted": [],
                                             "state": [], "pending_mb": []}
        self.sim.call_at(0.0, self._plan)

    @property
    def k(self) -> int:
        """Hash functions of every run's bloom filter."""
        if self._k is None:
            b = self.p.bloom_bits_per_key
            self._k = int(self.impl.bloom_hashes(b)) if b > 0 else 0
        return self._k

    # -- the writer ----------------------------------------------------------------------------

    def _plan(self) -> None:
        """Plan admission times for the rest of the active memtable under the current state."""
        self.plan_gen += 1
        if self.next >= self.n or self.state == "stop":
            self.plan = np.empty(0)
            return
        end = min(self.n, self.active_start + self.M)
        c = self.w.arrive_ms[self.next:end].copy()
        c[0] = max(c[0], self.sim.now, self.free_at)
        gap = self.gap_slow_ms if self.state == "slowdown" else 0.0
        j = np.arange(len(c)) * gap
        self.plan = j + np.maximum.accumulate(c - j)
        self.plan_gap = gap
        self.sim.call_at(float(self.plan[-1]), self._filled, self.plan_gen)

    def _admit(self, count: int) -> None:
        if count <= 0:
            return
        lo, hi = self.next, self.next + count
        self.admit_ms[lo:hi] = self.plan[:count]
        self.free_at = float(self.plan[count - 1]) + self.plan_gap
        self.plan = self.plan[count:]
        idx, seq, tomb = newest_per_key(self.w.keys[lo:hi] // 2, self.seqs[lo:hi],
                                        self.w.tombs[lo:hi])
        self.oracle_seq[idx] = seq
        self.oracle_tomb[idx] = tomb
        self.next = hi

    def _filled(self, gen: int) -> None:
        if gen != self.plan_gen:
            return  # re-planned since
        self._admit(len(self.plan))
        self._seal()
        self._changed()
        self._plan()

    def _seal(self) -> None:
        lo, hi = self.active_start, self.next
        self.sealed.append(newest_per_key(self.w.keys[lo:hi], self.seqs[lo:hi], self.w.tombs[lo:hi]))
        self.deduped += (hi - lo - len(self.sealed[-1][0])) * self.p.entry_bytes
        self.active_start = hi
        while self.batches_done < BATCHES and self.next >= self.batch_at[self.batches_done]:
            self._lookups()
            self.batches_done += 1
        self._maybe_flush()

    # -- flushes and compactions -------------------------------------------------------------

    def _maybe_flush(self) -> None:
        if self.flushing or not self.sealed:
            return
        self.flushing = True
        size = len(self.sealed[0][0]) * self.p.entry_bytes
        self.sim.call_later(size / (self.p.flush_mb_per_s * MB / 1000.0), self._flushed)

    def _flushed(self) -> None:
        keys, seqs, tombs = self.sealed.pop(0)
        self.flushing = False
        self.store.add_flushed(make_run(keys, seqs, tombs, self.p.bloom_bits_per_key, self.k))
        self.flushed += len(keys) * self.p.entry_bytes
        self.newest_flushed = self.mon.flush(seqs, self.newest_flushed)
        idx = keys // 2
        was = int(((self.disk_seq[idx] > 0) & ~self.disk_tomb[idx]).sum())
        self.disk_live += int((~tombs).sum()) - was
        self.disk_seq[idx], self.disk_tomb[idx] = seqs, tombs
        self._changed()
        self._maybe_flush()
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        while self.jobs < self.p.compaction_jobs:
            job = self.store.pick()
            if job is None:
                return
            self.jobs += 1
            self.max_compaction = max(self.max_compaction, job.bytes_in)
            self.sim.call_later(job.bytes_in / self.job_rate, self._compacted, job)

    def _compacted(self, job: Job) -> None:
        keys, seqs, tombs = self.impl.merge_runs(job.runs, job.bottom)
        merged = (np.asarray(keys, dtype=np.int64), np.asarray(seqs, dtype=np.int64),
                  np.asarray(tombs, dtype=bool))
        self.mon.merge(job.runs, merged, job.bottom)
        if isinstance(self.store, Tiered):
            outputs = ([make_run(*merged, bits_per_key=self.p.bloom_bits_per_key, k=self.k)]
                       if len(merged[0]) else [])
        else:
            outputs = split(merged, self.p.file_entries(), self.p.bloom_bits_per_key, self.k)
        self.store.finish(job, outputs)
        self.mon.levels(self.store.overlaps())
        self.compacted_in += job.bytes_in
        self.compacted_out += len(merged[0]) * self.p.entry_bytes
        self.jobs -= 1
        self._changed()
        self._maybe_compact()

    # -- the stall state -----------------------------------------------------------------------

    def stored_bytes(self) -> int:
        return sum(len(f) for files in self.store.newest_first() for f in files) * self.p.entry_bytes

    def _changed(self) -> None:
        """After any change of the memtables or runs: record it, and re-plan the writer if the
        write-stall state moved."""
        now = self.sim.now
        l0, pending = self.store.l0_files(), self.store.pending_mb()
        self.max_l0 = max(self.max_l0, l0)
        if self.disk_live:
            self.space_max = max(self.space_max,
                                 self.stored_bytes() / (self.disk_live * self.p.entry_bytes))
        s = self.series
        s["t_ms"].append(now)
        s["l0"].append(l0)
        s["shape"].append(self.store.shape())
        s["admitted"].append(self.next)
        s["pending_mb"].append(pending)
        state = self.impl.write_stall(l0, len(self.sealed), pending, self.p)
        s["state"].append(state)
        if state != self.state:
            if self.state != "ok":
                self.stall_windows.append((self.state, self.state_since, now))
            settled = int(np.searchsorted(self.plan, now, side="left"))
            self._admit(settled)
            self.state, self.state_since = state, now
            if state == "slowdown":
                self.free_at = max(self.free_at, now)
            self._plan()

    # -- lookups -------------------------------------------------------------------------------

    def _lookups(self) -> None:
        """A batch of lookups now, each checked against the oracle."""
        batch = self.p.lookups // BATCHES + (1 if self.batches_done < self.p.lookups % BATCHES else 0)
        if batch == 0:
            return
        q = lookup_keys(self.p, batch, self.w.keys[:self.next], self.lookup_rng)
        before = (self.tally.negatives, self.tally.false_negatives)
        got, probes = lookup(q, reversed(self.sealed), self.store.newest_first(), self.impl,
                             self.tally)
        idx = q // 2
        expected = np.where(q % 2 == 1, 0, np.where(self.oracle_tomb[idx], 0, self.oracle_seq[idx]))
        self.mon.answers(q, got, expected, self.sim.now)
        self.mon.filters(self.tally.negatives - before[0], self.tally.false_negatives - before[1])
        self.lookup_probes.append(probes)
        self.lookup_present.append(expected > 0)

    def end_state(self) -> None:
        """Close the last stall window at the end of the run."""
        if self.state != "ok" and (not self.stall_windows or self.stall_windows[-1][2] < self.sim.now):
            self.stall_windows.append((self.state, self.state_since, self.sim.now))
