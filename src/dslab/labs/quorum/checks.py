"""The invariants checked on every quorum run. A Monitor sees every change of a replica's store,
every commit and every read as it happens, keeps the first example of each broken invariant,
and turns what it saw into the run's checks.

A stale read under R+W<=N, under a sloppy quorum, or a write lost to a skewed clock is an
outcome the run measures, not a broken invariant."""

from __future__ import annotations

from collections.abc import Iterable

from dslab.labs.quorum.records import Pair
from dslab.labs.quorum.replica import Replica
from dslab.labs.quorum.rules import Version
from dslab.result import Check
from dslab.wording import count

FRESH = ("a read that starts after a write committed, under R+W>N without a sloppy quorum, "
         "returns that write or a newer one")
STORED = "every acknowledged write was on at least W replicas when it was acknowledged"
WRITTEN = "a read returns only values that were written"
MONOTONIC = "a replica's version of a key never goes backwards"

#: a replica's history: (replica, key) -> [(t_ms, version)] in time order
History = dict[tuple[int, int], list[tuple[float, Version]]]


class Monitor:
    """Watches one cluster's replicas, commits and reads."""

    def __init__(self, n: int, r: int, w: int, sloppy: bool) -> None:
        self.n, self.r, self.w, self.sloppy = n, r, w, sloppy
        self.strict = r + w > n  # worked out here, not by the learner's rule
        self.replicas: list[Replica] = []
        self.written: set[Version] = set()
        self.history: History = {}
        self.changes = 0
        self.commits = self.reads = self.strict_reads = 0
        self.on_stand_ins = 0  # commits that counted an ack from a sloppy stand-in
        self.bad: dict[str, str] = {}

    def _first(self, check: str, detail: str) -> None:
        self.bad.setdefault(check, detail)

    def issued(self, version: Version) -> None:
        self.written.add(version)

    def stored(self, replica: int, key: int, old: Version | None, new: Version, t_ms: float) -> None:
        self.changes += 1
        self.history.setdefault((replica, key), []).append((t_ms, new))
        if old is not None and tuple(new) < tuple(old):
            self._first(MONOTONIC, f"replica {replica} replaced key {key}'s version "
                        f"{_v(old)} by the older {_v(new)} at t={t_ms:,.1f} ms")

    def committed(self, pair: Pair, t_ms: float) -> None:
        self.commits += 1
        key, v = pair.key, pair.version
        homes = [x.id for x in self.replicas[:self.n] if _holds(x.store.get(key), v)]
        stand_ins = [] if not self.sloppy else [
            x.id for x in self.replicas[self.n:]
            if any(_holds(h.get(key), v) for h in x.hints.values())]
        if stand_ins and pair.stand_ins:
            self.on_stand_ins += 1
        if len(homes) + len(stand_ins) < self.w:
            self._first(STORED, f"write {pair.index} was acknowledged at t={t_ms:,.1f} ms when "
                        f"only {count(len(homes) + len(stand_ins), 'node')} held it "
                        f"({', '.join(map(str, homes + stand_ins)) or 'none'}), not w = {self.w}")

    def read(self, pair: Pair) -> None:
        self.reads += 1
        got = pair.answer
        if got is not None and Version(*got) not in self.written:
            self._first(WRITTEN, f"read {pair.index} returned {_v(got)}, which no client wrote")
        if self.strict and not self.sloppy:
            self.strict_reads += 1
            if not pair.fresh:
                self._first(FRESH, f"read {pair.index} started {pair.read_start_ms:,.1f} ms, after "
                            f"write {pair.index} ({_v(pair.version)}) committed, and returned "
                            f"{_v(got) if got is not None else 'nothing'}")

    def verdicts(self) -> list[Check]:
        checks = []
        if not self.strict or self.sloppy:
            why = "a sloppy quorum" if self.sloppy else f"R+W = {self.r + self.w} <= N = {self.n}"
            checks.append(Check(FRESH, FRESH not in self.bad,
                                self.bad.get(FRESH, f"no guarantee to check: {why}")))
        else:
            checks.append(Check(FRESH, FRESH not in self.bad, self.bad.get(
                FRESH, f"{count(self.strict_reads, 'read')} after a commit, each fresh")))
        sloppy = (f", {count(self.on_stand_ins, 'commit')} counting sloppy stand-ins' hints"
                  if self.on_stand_ins else "")
        checks.append(Check(STORED, STORED not in self.bad, self.bad.get(
            STORED, f"{count(self.commits, 'acknowledged write')}, each on at least {self.w} "
                    f"nodes{sloppy}")))
        checks.append(Check(WRITTEN, WRITTEN not in self.bad, self.bad.get(
            WRITTEN, f"{count(self.reads, 'read')}, each answered with a written version or "
                     "nothing")))
        checks.append(Check(MONOTONIC, MONOTONIC not in self.bad, self.bad.get(
            MONOTONIC, f"{count(self.changes, 'store change')}, each to a newer version")))
        return checks


def merge(groups: Iterable[list[Check]]) -> list[Check]:
    """The checks of several runs as one list: a check holds if it held in every run; the detail
    is the first failure's, or the runs' details joined."""
    merged: dict[str, list[Check]] = {}
    for checks in groups:
        for c in checks:
            merged.setdefault(c.name, []).append(c)
    out = []
    for name, cs in merged.items():
        failed = [c for c in cs if not c.passed]
        out.append(Check(name, not failed, failed[0].detail if failed else
                         "; ".join(dict.fromkeys(c.detail for c in cs))))
    return out


def _holds(stored: Version | None, v: Version) -> bool:
    return stored is not None and stored >= v  # Versions compare as the tuples they are


def _v(v: Version) -> str:
    v = Version(*v)
    return f"(ts {v.ts_ms:,.3f}, client {v.writer}, value {v.value})"
