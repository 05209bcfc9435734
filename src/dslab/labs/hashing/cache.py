"""The discrete-event study: a cache cluster in front of a slow database.

Requests arrive as a Poisson stream, each for a key drawn from a Zipf popularity; the placement
scheme routes it to a cache node, which serves requests one at a time (FIFO). A hit is answered
from the node's LRU cache; a miss waits for the database, and requests for the same key that
arrive meanwhile wait for the same fetch (coalesced) rather than asking again. One node may join
or leave mid-run: a joining node starts empty, a leaving node's cache is gone.

Every scheme sees the same request stream for the same seed, so their curves differ only by
where the keys went.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from dslab.labs.hashing.checks import PlacementMonitor
from dslab.labs.hashing.hashes import key_names, node_name, node_names, stable_hash
from dslab.labs.hashing.placement import KeySet, Placement, moves
from dslab.labs.hashing.rules import Rules
from dslab.labs.hashing.schemes import Bounded, Ring, make_scheme
from dslab.labs.hashing.theory import zipf_probabilities
from dslab.sim.simulation import Simulation


@dataclass(frozen=True)
class Workload:
    """What every scheme is asked: the nodes, the keys (most popular first) and the requests."""

    nodes: list[str]
    newcomer: str
    keys: list[str]
    times_ms: np.ndarray
    ranks: np.ndarray
    keyset: KeySet  # the keys with their hashes, hashed once for every scheme


def make_workload(p: Any, seed: int) -> Workload:
    sim = Simulation(seed)
    names = sim.rng("hashing.names")
    nodes = node_names(p.nodes, names)
    newcomer = node_name(p.nodes, names)
    keys = key_names(p.keys, sim.rng("hashing.keys"))
    rng = sim.rng("hashing.requests")
    mean_gap = 1000.0 / p.request_rate_per_s
    expected = p.request_rate_per_s * p.duration_ms / 1000.0
    times = np.cumsum(rng.exponential(mean_gap, size=int(expected + 6 * expected**0.5 + 20)))
    while times[-1] < p.duration_ms:  # (practically never) draw more until the run is covered
        times = np.concatenate([times, times[-1] + np.cumsum(rng.exponential(mean_gap, size=1000))])
    times = times[times < p.duration_ms]
    cdf = np.cumsum(zipf_probabilities(p.keys, p.zipf_s))
    ranks = np.minimum(np.searchsorted(cdf, rng.random(len(times)), side="right"), p.keys - 1)
    return Workload(nodes, newcomer, keys, times, ranks, KeySet(keys))


class InFlight(NamedTuple):
    """Requests in flight at a node under bounded loads (this one included), and the cap then."""

    held: int
    cap: int


class CacheCluster:
    """One scheme's cache cluster driven through the workload."""

    def __init__(self, p: Any, seed: int, scheme: str, work: Workload, impl: Rules,
                 monitor: PlacementMonitor | None = None) -> None:
        self.p, self.work, self.impl, self.monitor = p, work, impl, monitor
        self.sim = Simulation(seed)
        self.scheme = make_scheme(scheme, work.nodes, impl, p.vnodes, p.c)
        self.service_ms = 1000.0 / p.node_capacity_per_s
        self.caches: dict[str, OrderedDict[str, bool]] = {}
        self.busy_until: dict[str, float] = {}
        self.inflight: dict[str, int] = {}  # requests in flight at each node (bounded loads)
        self.ends: list[tuple[float, str]] = []  # when each of them ends, and where (a heap)
        self.fetching: dict[str, dict[str, float]] = {}
        for node in work.nodes:
            self._open(node)
        n = len(work.times_ms)
        self.hit = np.zeros(n, dtype=bool)
        self.latency_ms = np.zeros(n)
        self.served_by: list[str] = [""] * n
        self.fetch_times: list[float] = []
        self.spilled = 0
        self.peak_inflight: InFlight | None = None  # at the fullest
        self.over_cap: InFlight | None = None  # the worst breach of the cap, if any
        self.moved: dict[str, Any] | None = None
        self.done = 0
        self.by_rank: list[str] | None = None  # each key's owner by popularity rank, if known
        self.starts: list[int] | None = None  # each key's first ring point, by rank (bounded)
        self._know_owners()
        self._warm()
        self._check("at the start")
        if p.change != "none":
            self.sim.call_at(p.change_at_ms, self._change)
        self.sim.env.process(self._arrivals())

    def run(self) -> CacheCluster:
        self.sim.run(self.p.duration_ms)
        return self

    # -- membership ----------------------------------------------------------------------------
    def _open(self, node: str) -> None:
        self.caches[node] = OrderedDict()
        self.busy_until[node] = self.sim.now
        self.inflight[node] = 0
        self.fetching[node] = {}

    def _know_owners(self, placed: Placement | None = None) -> None:
        """Look up every key's owner at once (or take them from ``placed``) when the scheme
        places a key set as arrays, its rules being the reference's: requests then find their
        node in a list. With a learner's rules each request asks them, as the rules are."""
        if placed is None and self.scheme.vectorized():
            placed = self.scheme.owners_of(self.work.keyset)
        self.by_rank = self.starts = None
        if placed is None or placed.index is None:
            return
        labels = placed.labels
        self.by_rank = [labels[i] for i in placed.index.tolist()]
        if isinstance(self.scheme, Bounded):
            self.starts = self.scheme.starts(self.work.keyset)

    def _owner(self, rank: int) -> str:
        """The owner of the key of popularity ``rank``."""
        if self.by_rank is not None:
            return self.by_rank[rank]
        return self.scheme.owner(self.work.keys[rank])

    def _warm(self) -> None:
        """Start warm: each node holds its most popular keys (inserted least popular first, so
        the hottest are the most recently used). Storing the top keys one by one, least popular
        first, leaves each node the last ``cache_keys_per_node`` it was given: those are kept."""
        top = 2 * self.p.cache_keys_per_node * len(self.work.nodes)
        kept: dict[str, deque[str]] = {node: deque(maxlen=self.p.cache_keys_per_node)
                                       for node in self.caches}
        for rank in reversed(range(min(top, len(self.work.keys)))):
            kept[self._owner(rank)].append(self.work.keys[rank])
        for node, keys in kept.items():
            self.caches[node].update(dict.fromkeys(keys, True))

    def _change(self) -> None:
        before = self.scheme.owners_of(self.work.keyset)
        if self.p.change == "join":
            changed = self.work.newcomer
            self.scheme.add(changed)
            self._open(changed)
        else:
            changed = self.scheme.members[-1]
            self.scheme.remove(changed)
            for table in (self.caches, self.busy_until, self.inflight, self.fetching):
                del table[changed]
            self.ends = [e for e in self.ends if e[1] != changed]  # its requests went with it
            heapq.heapify(self.ends)
        after = self.scheme.owners_of(self.work.keyset)
        self._know_owners(after)
        self.moved = moves(self.impl, before, after, changed)
        if self.monitor is not None:
            self.monitor.change(self.scheme, self.moved["moved_between_unchanged"])
        self._check(f"after the {self.p.change}")

    def _check(self, when: str) -> None:
        if self.monitor is None:
            return
        self.monitor.owners(self.scheme, self.scheme.owners_of(self.work.keyset), when)
        if isinstance(self.scheme, Ring):
            self.monitor.ring(self.scheme.arrays or self.scheme.ring, self.scheme.members,
                              self.p.vnodes, when)

    # -- requests ------------------------------------------------------------------------------
    def _arrivals(self):
        env = self.sim.env
        for i, t in enumerate(self.work.times_ms):
            yield env.timeout(float(t) - env.now)
            self._request(i, float(t))

    def _loads(self, now: float) -> dict[str, int]:
        """Requests in flight at each node now (those ending at ``now`` have ended)."""
        ends, inflight = self.ends, self.inflight
        while ends and ends[0][0] <= now:
            inflight[heapq.heappop(ends)[1]] -= 1
        return inflight

    def _request(self, i: int, now: float) -> None:
        rank = int(self.work.ranks[i])
        key = self.work.keys[rank]
        if isinstance(self.scheme, Bounded):
            loads = self._loads(now)
            node = self.scheme.route(key, loads, None if self.starts is None else self.starts[rank])
            held = InFlight(loads[node] + 1, self.scheme.cap)
            if self.peak_inflight is None or held.held > self.peak_inflight.held:
                self.peak_inflight = held
            worst = self.over_cap.held - self.over_cap.cap if self.over_cap else 0
            if held.held - held.cap > worst:
                self.over_cap = held
            owner = (self.by_rank[rank] if self.by_rank is not None
                     else self.impl.ring_owner(self.scheme.ring, stable_hash(key)))
            self.spilled += node != owner
        else:
            node = self._owner(rank)  # a scheme without bounded loads routes to the owner
        start = max(now, self.busy_until[node])
        done = start + self.service_ms
        self.busy_until[node] = done
        cache = self.caches[node]
        if key in cache:
            cache.move_to_end(key)
            end = done
            self.hit[i] = True
        else:
            pending = self.fetching[node].get(key)
            if pending is not None:
                end = max(done, pending)
            else:
                end = done + self.p.db_latency_ms
                self.fetching[node][key] = end
                self.fetch_times.append(now)
                self.sim.call_at(end, self._filled, node, key)
        if isinstance(self.scheme, Bounded):
            heapq.heappush(self.ends, (end, node))
            self.inflight[node] += 1
        self.latency_ms[i] = end - now
        self.served_by[i] = node
        self.done = i + 1

    def _filled(self, node: str, key: str) -> None:
        if node in self.caches:  # a node that left takes its fetches with it
            self.fetching[node].pop(key, None)
            self._store(node, key)

    def _store(self, node: str, key: str) -> None:
        cache = self.caches[node]
        cache[key] = True
        cache.move_to_end(key)
        if len(cache) > self.p.cache_keys_per_node:
            cache.popitem(last=False)

    # -- measurements --------------------------------------------------------------------------
    def windows(self) -> dict[str, list[float]]:
        """Hit ratio and database fetches per second in windows of ``window_ms``, aligned so the
        membership change falls on a window boundary."""
        p = self.p
        w = p.window_ms
        anchor = p.change_at_ms if p.change != "none" else 0.0
        first = anchor - w * np.floor(anchor / w)
        edges = np.arange(first, p.duration_ms + 1e-9, w)
        t = self.work.times_ms[: self.done]
        asked, _ = np.histogram(t, edges)
        hits, _ = np.histogram(t[self.hit[: self.done]], edges)
        fetched, _ = np.histogram(np.asarray(self.fetch_times), edges)
        ratio = np.where(asked > 0, hits / np.maximum(asked, 1), np.nan)
        slot = np.searchsorted(edges, t, side="right") - 1
        lat = self.latency_ms[: self.done]
        p99 = [float(np.percentile(lat[slot == k], 99)) if asked[k] else float("nan")
               for k in range(len(edges) - 1)]
        return {"start_ms": edges[:-1].tolist(), "hit_ratio": ratio.tolist(),
                "db_per_s": (fetched * 1000.0 / w).tolist(), "latency_p99_ms": p99}

    def served(self, lo_ms: float, hi_ms: float) -> Counter:
        """Requests each node served among those arriving in [lo_ms, hi_ms)."""
        t = self.work.times_ms[: self.done]
        idx = np.nonzero((t >= lo_ms) & (t < hi_ms))[0]
        return Counter(self.served_by[i] for i in idx)
