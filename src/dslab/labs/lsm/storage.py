"""Where the runs live and how each strategy picks its next compaction.

``Leveled`` keeps L0 (overlapping files, in flush order) and levels 1..6, each one sorted run cut
into non-overlapping files; ``leveled-full`` is the same but merges a whole level at once.
``Tiered`` keeps one list of runs, oldest first, each tagged with its tier (how many merges made
it); ``size_ratio`` runs of a tier merge into one run of the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from dslab.labs.lsm.params import MAX_LEVELS, MB, LsmParams
from dslab.labs.lsm.rules import Rules
from dslab.labs.lsm.runs import SortedRun, concat


@dataclass
class Job:
    """A compaction: its input runs (newest first, as merge_runs takes them), the files it
    removes, where its output goes, and whether nothing lies below it."""

    level: int  # the upper level (leveled) or tier (tiered)
    inputs: list[SortedRun]
    runs: list[tuple]  # (keys, seqs, tombs) per input run, newest first
    bottom: bool
    bytes_in: int


class Leveled:
    def __init__(self, p: LsmParams, impl: Rules, full: bool = False) -> None:
        self.p, self.impl, self.full = p, impl, full
        self.levels: list[list[SortedRun]] = [[] for _ in range(MAX_LEVELS)]
        self.busy: set[int] = set()
        self.cursor = [-1] * MAX_LEVELS  # last key compacted from each level (round robin)
        self.targets = [0.0] + [p.level1_mb * p.size_ratio ** (i - 1) for i in range(1, MAX_LEVELS)]

    def add_flushed(self, run: SortedRun) -> None:
        self.levels[0].append(run)

    def l0_files(self) -> int:
        return len(self.levels[0])

    def level_mb(self) -> list[float]:
        e = self.p.entry_bytes / MB
        return [sum(len(f) for f in files) * e for files in self.levels]

    def pending_mb(self) -> float:
        """RocksDB's estimate of the bytes compaction still owes: L0 with L1 once L0 is due, and
        each level's excess over its target times (size_ratio + 1)."""
        mb = self.level_mb()
        owed = mb[0] + mb[1] if self.l0_files() >= self.p.l0_compaction_trigger else 0.0
        for i in range(1, MAX_LEVELS - 1):
            owed += max(0.0, mb[i] - self.targets[i]) * (self.p.size_ratio + 1)
        return owed

    def newest_first(self) -> Iterator[list[SortedRun]]:
        """What a lookup reads, newest first: each L0 file alone, then each level's files."""
        for f in reversed(self.levels[0]):
            yield [f]
        for files in self.levels[1:]:
            if files:
                yield files

    def pick(self) -> Job | None:
        level = self.impl.pick_level(self.l0_files(), self.level_mb(), self.targets,
                                     self.p.l0_compaction_trigger, frozenset(self.busy))
        if level is None or not self.levels[level]:
            return None
        if level == 0:
            upper = list(self.levels[0])
            upper_runs = [f.as_tuple() for f in reversed(upper)]
        else:
            upper = list(self.levels[level]) if self.full else [self._next_file(level)]
            upper_runs = [concat(upper)]
        lo, hi = min(f.lo for f in upper), max(f.hi for f in upper)
        lower = [f for f in self.levels[level + 1] if f.hi >= lo and f.lo <= hi]
        runs = upper_runs + ([concat(lower)] if lower else [])
        bottom = not any(self.levels[j] for j in range(level + 2, MAX_LEVELS))
        self.busy |= {level, level + 1}
        inputs = upper + lower
        return Job(level, inputs, runs, bottom, sum(len(f) for f in inputs) * self.p.entry_bytes)

    def _next_file(self, level: int) -> SortedRun:
        files = sorted(self.levels[level], key=lambda f: f.lo)
        after = [f for f in files if f.lo > self.cursor[level]]
        chosen = after[0] if after else files[0]
        self.cursor[level] = chosen.hi
        return chosen

    def finish(self, job: Job, outputs: list[SortedRun]) -> None:
        gone = {f.id for f in job.inputs}
        for i in (job.level, job.level + 1):
            self.levels[i] = [f for f in self.levels[i] if f.id not in gone]
        self.levels[job.level + 1] = sorted(self.levels[job.level + 1] + outputs, key=lambda f: f.lo)
        self.busy -= {job.level, job.level + 1}

    def overlaps(self) -> list[str]:
        """Where a level below L0 is not one sorted run of non-overlapping files."""
        found = []
        for i, files in enumerate(self.levels[1:], 1):
            for a, b in zip(files, files[1:], strict=False):
                if a.hi >= b.lo:
                    found.append(f"L{i} files [{a.lo}, {a.hi}] and [{b.lo}, {b.hi}] overlap")
            for f in files:
                if len(f.keys) > 1 and not np.all(np.diff(f.keys) > 0):
                    found.append(f"an L{i} file is not sorted")
        return found

    def shape(self) -> list[float]:
        return self.level_mb()

    def depth(self) -> int:
        """Levels below L0 that hold data."""
        return sum(1 for files in self.levels[1:] if files)


class Tiered:
    def __init__(self, p: LsmParams, impl: Rules) -> None:
        self.p, self.impl = p, impl
        self.runs: list[SortedRun] = []  # oldest first
        self.busy: set[int] = set()  # ids of runs being merged

    def add_flushed(self, run: SortedRun) -> None:
        self.runs.append(run)

    def l0_files(self) -> int:
        return sum(1 for r in self.runs if r.tier == 0)

    def pending_mb(self) -> float:
        e = self.p.entry_bytes / MB
        owed = 0.0
        for tier in sorted({r.tier for r in self.runs}):
            members = [r for r in self.runs if r.tier == tier]
            if len(members) >= self.p.size_ratio:
                owed += sum(len(r) for r in members) * e
        return owed

    def newest_first(self) -> Iterator[list[SortedRun]]:
        for r in reversed(self.runs):
            yield [r]

    def pick(self) -> Job | None:
        for tier in sorted({r.tier for r in self.runs}):
            members = [r for r in self.runs if r.tier == tier and r.id not in self.busy]
            if len(members) < self.p.size_ratio:
                continue
            bottom = self.runs[0] is members[0]
            self.busy |= {r.id for r in members}
            return Job(tier, members, [r.as_tuple() for r in reversed(members)], bottom,
                       sum(len(r) for r in members) * self.p.entry_bytes)
        return None

    def finish(self, job: Job, outputs: list[SortedRun]) -> None:
        gone = {r.id for r in job.inputs}
        at = next(i for i, r in enumerate(self.runs) if r.id in gone)
        kept = [r for r in self.runs if r.id not in gone]
        for out in outputs:
            out.tier = job.level + 1
        self.runs = kept[:at] + outputs + kept[at:]
        self.busy -= gone

    def overlaps(self) -> list[str]:
        return []

    def shape(self) -> list[float]:
        """MB per tier."""
        e = self.p.entry_bytes / MB
        tiers = max((r.tier for r in self.runs), default=-1) + 1
        return [sum(len(r) for r in self.runs if r.tier == t) * e for t in range(max(tiers, 1))]

    def depth(self) -> int:
        return len({r.tier for r in self.runs})
