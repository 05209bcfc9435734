"""The invariants checked on every stampede run. A Monitor is told each thing the cache does as
it does it (every answer, every recomputation started and ended, every write, every stale value
served) and turns what it saw into the run's checks."""

from __future__ import annotations

from dslab.result import Check
from dslab.wording import count

ANSWERED = "every request is answered once (hit, stale hit or recomputed value) or counted as failed"
SINGLE = "with a lock, at most one recomputation per key is in flight at any time"
FRESH = "no value older than its TTL is served, except a stale one (serve_stale) while its refresh runs"
VERSIONS = "a key's cached version never goes backwards"


class Monitor:
    """Records what the caches of one run did and whether any invariant broke, with the first
    example of each breach."""

    def __init__(self) -> None:
        self.twice: str | None = None
        self.answers = 0
        self.most_in_flight = 0
        self.locked = False  # did a locking policy run?
        self.bad_single: str | None = None
        self.served = 0
        self.stale = 0
        self.bad_fresh: str | None = None
        self.writes = 0
        self.bad_version: str | None = None
        self._tallies: list[tuple[str, int, int, int, int, bool]] = []

    # -- as the run goes ------------------------------------------------------------------------

    def answered_twice(self, what: str, uid: int, t_ms: float) -> None:
        if self.twice is None:
            self.twice = f"{what}: request {uid:,} was answered a second time at {t_ms:,.0f} ms"

    def in_flight(self, what: str, key: int, n: int, locked: bool, t_ms: float) -> None:
        """A recomputation of ``key`` started: ``n`` are now in flight."""
        if locked:
            self.locked = True
            self.most_in_flight = max(self.most_in_flight, n)
            if n > 1 and self.bad_single is None:
                self.bad_single = (f"{what}: {n} recomputations of key {key} were in flight at "
                                   f"{t_ms:,.0f} ms")

    def served_value(self, what: str, key: int, age_ms: float, ttl_ms: float, stale: bool,
                     refreshing: bool, allowed: bool, t_ms: float) -> None:
        """A cached value ``age_ms`` old, written with a TTL of ``ttl_ms``, was served."""
        self.served += 1
        if stale:
            self.stale += 1
        too_old = age_ms > ttl_ms * (1 + 1e-12)
        if too_old and not (stale and allowed and refreshing) and self.bad_fresh is None:
            why = ("serve_stale is off" if not allowed else
                   "no refresh of it was in flight" if not refreshing else "it was not marked stale")
            self.bad_fresh = (f"{what}: key {key} was served at {t_ms:,.0f} ms a value "
                              f"{age_ms:,.0f} ms old, past its TTL of {ttl_ms:,.0f} ms, and {why}")

    def wrote(self, what: str, key: int, old: int, new: int, t_ms: float) -> None:
        self.writes += 1
        if new < old and self.bad_version is None:
            self.bad_version = (f"{what}: key {key}'s cached version went from {old} back to {new} "
                                f"at {t_ms:,.0f} ms")

    def tally(self, what: str, requests: int, answered: int, failed: int, pending: int,
              finished: bool) -> None:
        """The counts of one simulation, each from its own counter."""
        self._tallies.append((what, requests, answered, failed, pending, finished))

    def clear_tallies(self) -> None:
        self._tallies.clear()

    # -- the verdicts ---------------------------------------------------------------------------

    def verdicts(self) -> list[Check]:
        return [self._answered(), self._single(), self._fresh(), self._versions()]

    def _answered(self) -> Check:
        if self.twice:
            return Check(ANSWERED, False, self.twice)
        for what, req, ok, bad, pending, finished in self._tallies:
            if req != ok + bad + pending:
                return Check(ANSWERED, False, f"{what}: {req:,} requests but {ok:,} answered + "
                             f"{bad:,} failed + {pending:,} waiting = {ok + bad + pending:,}")
            if finished and pending:
                return Check(ANSWERED, False, f"{what}: {count(pending, 'request')} never got an "
                             "answer, though every recomputation had ended")
        req = sum(t[1] for t in self._tallies)
        ok = sum(t[2] for t in self._tallies)
        bad = sum(t[3] for t in self._tallies)
        pending = sum(t[4] for t in self._tallies)
        tail = f", {pending:,} still waiting" if pending else ""
        return Check(ANSWERED, True, f"{req:,} requests: {ok:,} answered, {bad:,} failed{tail}")

    def _single(self) -> Check:
        if self.bad_single:
            return Check(SINGLE, False, self.bad_single)
        if not self.locked:
            return Check(SINGLE, True, "no locking policy in this run")
        return Check(SINGLE, True, f"at most {self.most_in_flight} recomputation of a key in "
                     "flight at once under a lock")

    def _fresh(self) -> Check:
        if self.bad_fresh:
            return Check(FRESH, False, self.bad_fresh)
        return Check(FRESH, True, f"{count(self.served, 'cached value')} served, "
                     f"{self.stale:,} of them stale while a refresh ran")

    def _versions(self) -> Check:
        if self.bad_version:
            return Check(VERSIONS, False, self.bad_version)
        return Check(VERSIONS, True, f"{count(self.writes, 'write')} to the cache, each newer "
                     "than the value it replaced")
