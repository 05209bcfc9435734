"""The LSM lab's invariants, checked on every run.

The engine reports to a :class:`Monitor` as it goes (each merge, each lookup batch, each level
after a compaction); what the whole run did (admissions against stop windows, byte accounting)
is checked at the end. Each check keeps the first few violations, in words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from dslab.result import Check
from dslab.wording import count

KEEP = 3  # violations remembered per check


@dataclass
class Monitor:
    seen: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lookups: int = 0
    merges: int = 0
    flushes: int = 0
    level_checks: int = 0
    filter_checks: int = 0

    def note(self, check: str, what: str) -> None:
        if len(self.seen[check]) < KEEP:
            self.seen[check].append(what)
        else:
            self.seen[check + "#more"].append(what)

    def merge(self, runs: list[tuple], merged: tuple, bottom: bool) -> None:
        """A merge's output: keys strictly increasing; for each input version, the output holds
        that key with a sequence number at least as high, or the key's newest version was a
        tombstone and the merge was into the bottom (nothing lost, nothing resurrected)."""
        self.merges += 1
        keys, seqs, tombs = merged
        if len(keys) > 1 and not np.all(np.diff(keys) > 0):
            self.note("versions", "a merge produced keys out of order or twice")
            return
        gone_k, gone_s, gone_t = [], [], []
        for k_in, s_in, t_in in runs:
            k_in, s_in, t_in = np.asarray(k_in), np.asarray(s_in), np.asarray(t_in, dtype=bool)
            if len(keys) == 0:
                there = np.zeros(len(k_in), dtype=bool)
            else:
                pos = np.minimum(np.searchsorted(keys, k_in), len(keys) - 1)
                there = keys[pos] == k_in
                older = there & (seqs[pos] < s_in)
                if older.any():
                    i = int(np.flatnonzero(older)[0])
                    self.note("versions", f"key {k_in[i]}: a merge kept version {seqs[pos[i]]} "
                              f"over the newer {s_in[i]}")
                    return
            gone_k.append(k_in[~there])
            gone_s.append(s_in[~there])
            gone_t.append(t_in[~there])
        k, s, t = np.concatenate(gone_k), np.concatenate(gone_s), np.concatenate(gone_t)
        order = np.lexsort((-s, k))
        k, t = k[order], t[order]
        newest = np.ones(len(k), dtype=bool)
        newest[1:] = k[1:] != k[:-1]
        lost = np.flatnonzero(newest & ~(t & bottom))
        if len(lost):
            i = int(lost[0])
            self.note("versions", f"key {k[i]}: a merge dropped it, but its newest version was "
                      + ("a tombstone above the bottom level" if t[i] else "a live value"))

    def flush(self, seqs: np.ndarray, newest_before: int) -> int:
        """A flushed run holds only versions newer than every run flushed before it (memtables
        flush in the order they filled, so sequence numbers only grow from L0's oldest file to
        its newest). Returns the newest sequence number on storage after it."""
        self.flushes += 1
        if len(seqs) and int(seqs.min()) <= newest_before:
            self.note("versions", f"a flush wrote version {int(seqs.min())} after version "
                      f"{newest_before} was already on storage")
        return max(newest_before, int(seqs.max()) if len(seqs) else 0)

    def levels(self, problems: list[str]) -> None:
        self.level_checks += 1
        for p in problems:
            self.note("levels", p)

    def answers(self, q: np.ndarray, got: np.ndarray, expected: np.ndarray, t_ms: float) -> None:
        self.lookups += len(q)
        wrong = np.flatnonzero(got != expected)
        for i in wrong[:KEEP]:
            what = ("a deleted or never-written key came back" if expected[i] == 0 else
                    "the lookup missed the newest write" if got[i] == 0 else
                    "an older version was returned")
            self.note("oracle", f"at {t_ms:.1f} ms key {q[i]} read version {got[i]}, the oracle "
                      f"says {expected[i] or 'absent'}: {what}")

    def filters(self, checks: int, false_negatives: int) -> None:
        self.filter_checks += checks
        if false_negatives:
            self.note("bloom", f"{count(false_negatives, 'filter check')} said 'no' for a key "
                      "the run holds")

    def verdicts(self, admitted_in_stop: int, slowdown_breaches: int,
                 accounting: list[str]) -> list[Check]:
        def detail(name: str, ok: str) -> str:
            found = self.seen.get(name, [])
            more = len(self.seen.get(name + "#more", []))
            return ok if not found else "; ".join(found) + (f" (and {more} more)" if more else "")

        checks = [
            Check("every lookup returns the newest acknowledged write", not self.seen.get("oracle"),
                  detail("oracle", f"{count(self.lookups, 'lookup')} matched the oracle")),
            Check("versions only grow and merges keep each key's newest",
                  not self.seen.get("versions"),
                  detail("versions", f"{count(self.flushes, 'flush')} and {count(self.merges, 'merge')} "
                         "checked")),
            Check("each level below L0 is sorted, non-overlapping files", not self.seen.get("levels"),
                  detail("levels", f"checked after {count(self.level_checks, 'compaction')}")),
            Check("no write is admitted while writes are stopped",
                  admitted_in_stop == 0 and slowdown_breaches == 0,
                  "none was" if not (admitted_in_stop or slowdown_breaches) else
                  f"{count(admitted_in_stop, 'write')} admitted during a stop, "
                  f"{count(slowdown_breaches, 'write')} faster than the delayed rate"),
            Check("bytes are accounted for", not accounting,
                  "; ".join(accounting) or "user bytes, flushed, compacted and dropped add up"),
            Check("a bloom filter never says no for a key its run holds", not self.seen.get("bloom"),
                  detail("bloom", f"{count(self.filter_checks, 'filter check')} made")),
        ]
        return checks
