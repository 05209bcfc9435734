"""One policy's cache on one seed: Poisson clients reading keys through a cache (cache-aside, a
TTL per entry) in front of a database, the queueing station from the core, that recomputes a
value for each miss. Recomputations compete for the database's servers, so a herd of them makes
every one slower.

The lab runs one ``Cache`` per policy on the same seed, so every policy sees the same requests
for the same keys at the same moments.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np

from dslab.labs.stampede.checks import Monitor
from dslab.labs.stampede.params import CacheParams
from dslab.labs.stampede.rules import JITTERED, LOCKING, XFETCH, Rules, SingleFlight
from dslab.sim.simulation import Simulation
from dslab.sim.sources import OpenArrivals
from dslab.sim.station import Station

# how each request was answered
PENDING, HIT, STALE, RECOMPUTED, WAITED, FAILED = range(6)
ANSWERS = ("waiting", "hit", "stale", "recomputed", "waited", "failed")
#: events per request (its arrival, a recomputation's end) and some slack
EVENTS_PER_REQUEST = 3
KEY_BLOCK = 4096
#: the key of a database query that is not a recomputation (the background load)
OTHER = -1


def key_chooser(params: CacheParams, rng: np.random.Generator) -> Iterator[int]:
    """The key of each request in turn: uniform over ``keys``, or zipf (key k, counted from 0,
    asked in proportion to 1 / (k + 1)^zipf_s), drawn a block at a time."""
    k = params.keys
    if k == 1:
        while True:
            yield 0
    if params.key_distribution == "uniform":
        while True:
            yield from rng.integers(0, k, KEY_BLOCK).tolist()
    weights = 1.0 / np.arange(1, k + 1, dtype=float) ** params.zipf_s
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    while True:
        yield from np.searchsorted(cdf, rng.random(KEY_BLOCK), side="right").tolist()


class Cache:
    """Clients at ``rate_per_s``, a cache with one entry per key, and ``db_servers`` database
    servers, under one ``policy``."""

    def __init__(self, params: CacheParams, policy: str, seed: int, impl: Rules,
                 monitor: Monitor, beta: float = 1.0, label: str | None = None) -> None:
        p = self.params = params
        self.policy, self.beta, self.impl, self.monitor = policy, beta, impl, monitor
        self.label = label or policy
        self.locking, self.jittered, self.xfetch = (policy in LOCKING, policy in JITTERED,
                                                    policy == XFETCH)
        budget = (EVENTS_PER_REQUEST * (p.rate_per_s + p.db_background_per_s) * p.duration_ms
                  / 1000 + 4 * p.keys + 10_000)
        self.sim = Simulation(seed, event_budget=int(budget))
        self._env = self.sim.env
        self.db = Station(self.sim, p.db_servers, p.recompute_ms, queue_limit=p.db_queue_limit,
                          stream="database")
        self.db.on_done = self._computed
        self.db.on_reject = self._refused
        self._keys = key_chooser(p, self.sim.rng("keys")).__next__
        self._ttl_rng = self.sim.rng("ttl")
        self._early_rng = self.sim.rng("xfetch")
        #: the locking policies' coalescer, made at the first request (a learner's class runs
        #: as the simulation runs, where its mistakes are reported)
        self.coalescer: SingleFlight | None = None
        k = p.keys
        # per key: the cached entry (version 0: nothing cached) and its recomputations
        self.version = [0] * k
        self.written_at = [math.nan] * k
        self.ttl = [math.nan] * k
        self.expiry = [-math.inf] * k
        self.delta = [0.0] * k
        self.started = [0] * k  # versions handed out to recomputations so far
        self.in_flight = [0] * k
        self.cycle = [-1] * k  # the expiry cycle open for each key (-1: none)
        # per request
        self.arrived, self.rkey, self.latency = array("d"), array("l"), array("d")
        self.how = bytearray()
        self.led = bytearray()  # 1 for a request that started a recomputation
        self.lock_wait = array("d")  # the wait of each request that waited on a lock
        # per recomputation, indexed like the database's records
        self.job_key, self.job_version, self.job_uid = array("l"), array("l"), array("l")
        self.job_start = array("d")
        # per write to the cache: when, which key, which version
        self.w_t, self.w_key, self.w_version = array("d"), array("l"), array("l")
        # per expiry cycle
        self.c_key, self.c_start, self.c_early = array("l"), array("d"), array("d")
        self.c_count = array("l")
        self.failures = 0
        if p.warm_at_ms is not None:
            self.sim.call_at(p.warm_at_ms, self._warm)
        self.source = OpenArrivals(self.sim, self._request, [(0.0, p.rate_per_s)],
                                   stop_ms=p.duration_ms)
        self.source.start()
        self.background = 0  # the other queries sent to the database
        if p.db_background_per_s > 0:
            OpenArrivals(self.sim, self._other_query, [(0.0, p.db_background_per_s)],
                         stop_ms=p.duration_ms, stream="background").start()

    # -- running --------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.sim.now >= self.params.duration_ms and not self.db.in_system

    def run(self, until_ms: float | None = None) -> None:
        """Run to ``until_ms``; past the end of the clients' requests (or with None), on until
        every recomputation has ended."""
        end = self.params.duration_ms
        if until_ms is not None and until_ms <= end:
            self.sim.run(until_ms)
            return
        self.sim.run(end)
        self.sim.run(math.inf)

    # -- the cache ------------------------------------------------------------------------------

    def _new_ttl(self) -> float:
        p = self.params
        return self.impl.jittered_ttl_ms(p.ttl_ms, p.ttl_jitter, self._ttl_rng) if self.jittered \
            else p.ttl_ms

    def _warm(self) -> None:
        """The loader fills every key at once, with the database's mean recomputation time as
        each value's delta."""
        now, mean = self.sim.now, self.params.recompute_ms.mean()
        for key in range(self.params.keys):
            self.started[key] += 1
            self._write(key, self.started[key], now, mean)

    def _write(self, key: int, version: int, now: float, delta: float) -> bool:
        """Cache ``version`` of ``key`` unless a newer one is there already (a recomputation that
        started earlier can finish later)."""
        old = self.version[key]
        if version <= old:
            return False
        self.monitor.wrote(self.label, key, old, version, now)
        self.w_t.append(now)
        self.w_key.append(key)
        self.w_version.append(version)
        ttl = self._new_ttl()
        self.version[key], self.written_at[key], self.ttl[key] = version, now, ttl
        self.expiry[key], self.delta[key] = now + ttl, delta
        self.cycle[key] = -1  # a fresh value ends the key's expiry cycle
        return True

    def _request(self) -> None:
        now = self._env.now
        uid = len(self.how)
        key = self._keys()
        self.arrived.append(now)
        self.rkey.append(key)
        self.led.append(0)
        expiry = self.expiry[key]
        if now < expiry and not (self.xfetch and self.impl.should_refresh_early(
                now, expiry, self.delta[key], self.beta, self._early_rng)):
            # a hit, answered at once (the hot path: _serve and _answer inlined)
            self.how.append(HIT)
            self.latency.append(0.0)
            if now - self.written_at[key] > self.ttl[key]:  # only a broken cache gets here
                self.monitor.served_value(self.label, key, now - self.written_at[key],
                                          self.ttl[key], False, self.in_flight[key] > 0,
                                          self.params.serve_stale, now)
            else:
                self.monitor.served += 1
            return
        self.how.append(PENDING)
        self.latency.append(math.nan)
        if now < expiry:  # XFetch refreshes early, and this request waits for it
            self._recompute(key, uid, expiry - now)
            return
        if not self.locking:
            self._recompute(key, uid, 0.0)
            return
        if self.coalescer is None:
            self.coalescer = self.impl.Coalescer()
        if self.params.serve_stale and self.version[key] and self.coalescer.in_flight(key):
            self._serve(uid, key, now, STALE)
            return
        if self.coalescer.request(key, partial(self._released, uid)):
            self._recompute(key, uid, 0.0)

    def _serve(self, uid: int, key: int, now: float, how: int) -> None:
        """Answer request ``uid`` from the cache."""
        self.monitor.served_value(self.label, key, now - self.written_at[key], self.ttl[key],
                                  how == STALE, self.in_flight[key] > 0, self.params.serve_stale,
                                  now)
        self._answer(uid, how, now)

    def _answer(self, uid: int, how: int, now: float) -> None:
        if self.how[uid] != PENDING:
            self.monitor.answered_twice(self.label, uid, now)
            return
        self.how[uid] = how
        self.latency[uid] = now - self.arrived[uid]
        if how == FAILED:
            self.failures += 1

    # -- recomputations -------------------------------------------------------------------------

    def _recompute(self, key: int, uid: int, early_ms: float) -> None:
        """Request ``uid`` recomputes ``key`` at the database; ``early_ms`` before the cached
        value would have expired (0 once it has)."""
        now = self.sim.now
        c = self.cycle[key]
        if c < 0:  # the first recomputation since the key's value was written opens a cycle
            c = self.cycle[key] = len(self.c_count)
            self.c_key.append(key)
            self.c_start.append(now)
            self.c_early.append(early_ms if self.version[key] else math.nan)
            self.c_count.append(0)
        self.c_count[c] += 1
        self.started[key] += 1
        self.in_flight[key] += 1
        self.monitor.in_flight(self.label, key, self.in_flight[key], self.locking, now)
        self.job_key.append(key)
        self.job_version.append(self.started[key])
        self.job_uid.append(uid)
        self.job_start.append(now)
        self.led[uid] = 1
        rid = self.db.arrive()  # may be refused at once (on_reject), so the job is noted first
        assert rid == len(self.job_key) - 1, "the database numbers requests as they come"

    def _other_query(self) -> None:
        """A query from the rest of the application (not this cache) reaches the database."""
        self.background += 1
        self.job_key.append(OTHER)
        self.job_version.append(0)
        self.job_uid.append(OTHER)
        self.job_start.append(self.sim.now)
        self.db.arrive()

    def _computed(self, rid: int) -> None:
        now = self.sim.now
        key, version, uid = self.job_key[rid], self.job_version[rid], self.job_uid[rid]
        if key == OTHER:
            return
        self.in_flight[key] -= 1
        delta = now - self.job_start[rid]
        self._write(key, version, now, delta)
        if self.coalescer is not None:
            self.coalescer.resolve(key, version)
        else:
            self._answer(uid, RECOMPUTED, now)

    def _refused(self, rid: int) -> None:
        now = self.sim.now
        key, uid = self.job_key[rid], self.job_uid[rid]
        if key == OTHER:
            return
        self.in_flight[key] -= 1
        if self.coalescer is not None:
            self.coalescer.reject(key, "the database's queue is full")
        else:
            self._answer(uid, FAILED, now)

    def _released(self, uid: int, ok: bool, value: Any) -> None:
        """The coalescer released request ``uid``: with the value (the recomputing request, or one
        that waited for it) or with the failure."""
        now = self.sim.now
        if not ok:
            self._answer(uid, FAILED, now)
            return
        leader = self.led[uid]
        if not leader and self.how[uid] == PENDING:
            self.lock_wait.append(now - self.arrived[uid])
        self._answer(uid, RECOMPUTED if leader else WAITED, now)

    # -- what happened, for a notebook ------------------------------------------------------------

    def events(self, since_ms: float, tag: str) -> list[dict[str, Any]]:
        """Every read, recomputation and write from ``since_ms`` to now: a read with how it was
        answered and how long it took, a recomputation with when it ended (NaN: still running,
        or refused), a write with the version it cached."""
        out: list[dict[str, Any]] = []
        first = bisect_left(self.arrived, since_ms)
        for uid in range(first, len(self.how)):
            out.append({"t_ms": self.arrived[uid], "kind": "read", "policy": tag,
                        "key": self.rkey[uid], "answer": ANSWERS[self.how[uid]],
                        "latency_ms": self.latency[uid]})
        rec = self.db.records(copy=False)
        for rid in range(bisect_left(self.job_start, since_ms), len(self.job_key)):
            if self.job_key[rid] != OTHER:
                out.append({"t_ms": self.job_start[rid], "kind": "recompute", "policy": tag,
                            "key": self.job_key[rid], "version": self.job_version[rid],
                            "done_ms": float(rec.finish[rid])})
        for w in range(bisect_left(self.w_t, since_ms), len(self.w_t)):
            out.append({"t_ms": self.w_t[w], "kind": "write", "policy": tag,
                        "key": self.w_key[w], "version": self.w_version[w]})
        return out
