"""The three experiments, each from parameters to an Outcome (metrics, checked invariants, plot
series): placement (keys per node, and what one membership change moves under every scheme),
vnodes (ring spread against points per node) and cache (the discrete-event cache cluster)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from dslab.labs.hashing.analysis import ring_shares, spread
from dslab.labs.hashing.cache import CacheCluster, make_workload
from dslab.labs.hashing.checks import PlacementMonitor
from dslab.labs.hashing.hashes import key_names, node_name, node_names
from dslab.labs.hashing.params import CacheParams, PlacementParams, RingParams, VnodesParams
from dslab.labs.hashing.placement import KeySet, Placement, moves
from dslab.labs.hashing.rules import Rules
from dslab.labs.hashing.schemes import SCHEMES, Bounded, Ring, Scheme, make_scheme
from dslab.labs.hashing.vector import build_ring_arrays, loads_by_name, ring_shares_array, uses_reference
from dslab.run import Outcome
from dslab.sim.simulation import Simulation
from dslab.sim.stats import percentile

VNODE_STEPS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
RINGS_PER_STEP = 16


def _members_and_keys(p: RingParams, seed: int) -> tuple[list[str], str, list[str], Simulation]:
    sim = Simulation(seed)
    names = sim.rng("hashing.names")
    nodes = node_names(p.nodes, names)
    return nodes, node_name(p.nodes, names), key_names(p.keys, sim.rng("hashing.keys")), sim


def _apply_change(scheme: Scheme, change: str, newcomer: str) -> str:
    """Make the change; return the node that joined or left (the last one leaves)."""
    if change == "join":
        scheme.add(newcomer)
        return newcomer
    gone = scheme.members[-1]
    scheme.remove(gone)
    return gone


def _observe(mon: PlacementMonitor, scheme: Scheme, owners: Placement, p: RingParams,
             when: str) -> None:
    mon.owners(scheme, owners, when)
    if isinstance(scheme, Ring):
        mon.ring(scheme.arrays or scheme.ring, scheme.members, p.vnodes, when)
    if isinstance(scheme, Bounded):
        mon.load(max(owners.counts().values()), scheme.cap, "keys")


def _load_stats(owners: Placement, nodes: list[str]) -> dict[str, float]:
    """``analysis.load_stats`` of a placement."""
    return spread(np.array(owners.loads(nodes), dtype=float))


def placement(p: PlacementParams, seed: int, impl: Rules) -> Outcome:
    """Place the keys with the chosen scheme; with a change, move them under every scheme."""
    nodes, newcomer, names, _ = _members_and_keys(p, seed)
    keys = KeySet(names)
    mon = PlacementMonitor(p.replicas)
    main = make_scheme(p.scheme, nodes, impl, p.vnodes, p.c)
    owners = main.placement(keys)
    _observe(mon, main, owners, p, "at the start")
    metrics: dict[str, Any] = dict(_load_stats(owners, main.members))
    if p.replicas > 1:
        held = main.holders_of(keys, p.replicas)
        copies = (Counter(n for k in names for n in main.holders(k, p.replicas)) if held is None
                  else loads_by_name(held[0], held[1][held[1] >= 0]))
        metrics["replica_load_max_over_mean"] = spread(
            np.array([copies.get(n, 0) for n in main.members], dtype=float))["load_max_over_mean"]
    series: dict[str, Any] = {"scheme": p.scheme, "nodes": list(main.members),
                              "loads": owners.loads(main.members),
                              "ring": list(getattr(main, "ring", [])), "keys": len(keys)}
    if isinstance(main, Bounded):
        series["cap"] = main.cap
    if p.change == "none":
        return Outcome(metrics, mon.verdicts(), series)
    per_scheme = {}
    for name in SCHEMES:
        s = main if name == p.scheme else make_scheme(name, nodes, impl, p.vnodes, p.c)
        before = owners if s is main else s.placement(keys)
        changed = _apply_change(s, p.change, newcomer)
        after = s.placement(keys)
        moved = moves(impl, before, after, changed)
        mon.change(s, moved["moved_between_unchanged"])
        _observe(mon, s, after, p, f"after the {p.change}")
        per_scheme[name] = moved
        if s is main:
            series.update(ring_after=list(getattr(s, "ring", [])), nodes_after=list(s.members),
                          changed=changed, loads_after=after.loads(s.members))
    mine = per_scheme[p.scheme]
    metrics["moved_fraction"] = mine["moved_fraction"]
    metrics["moved_between_unchanged"] = mine["moved_between_unchanged"]
    series["movement"] = per_scheme
    return Outcome(metrics, mon.verdicts(), series, {"changed": series["changed"]})


def vnodes(p: VnodesParams, seed: int, impl: Rules) -> Outcome:
    """The ring at ``p.vnodes`` measured with keys, and a sweep of points per node measured by
    each node's exact share of the circle, over several independently named clusters."""
    nodes, _, names, sim = _members_and_keys(p, seed)
    keys = KeySet(names)
    mon = PlacementMonitor(p.replicas)
    ring = make_scheme("ring", nodes, impl, p.vnodes)
    owners = ring.placement(keys)
    _observe(mon, ring, owners, p, "at the start")
    metrics = dict(_load_stats(owners, ring.members))
    rng = sim.rng("hashing.sweep")
    steps = sorted({v for v in VNODE_STEPS if v <= max(p.vnodes, 256)} | {p.vnodes})
    sweep: dict[int, dict[str, list[float]]] = {}
    for v in steps:
        cvs, maxes = [], []
        for _ in range(RINGS_PER_STEP):
            members = node_names(p.nodes, rng)
            if uses_reference(impl, "build_ring"):
                arrays = build_ring_arrays(sorted(members), v)
                mon.ring(arrays, members, v, f"in the sweep at {v} vnodes")
                s = spread(ring_shares_array(arrays, members))
            else:
                points = impl.build_ring(sorted(members), v)
                mon.ring(points, members, v, f"in the sweep at {v} vnodes")
                s = spread(ring_shares(points, members))
            cvs.append(s["load_cv"])
            maxes.append(s["load_max_over_mean"])
        sweep[v] = {"cv": cvs, "max_over_mean": maxes}
    series = {"scheme": "ring", "nodes": list(ring.members),
              "loads": owners.loads(ring.members),
              "sweep": sweep, "vnodes": p.vnodes, "node_count": p.nodes, "keys": len(keys)}
    return Outcome(metrics, mon.verdicts(), series)


def _compared(p: CacheParams) -> list[str]:
    """The schemes a cache run simulates: the chosen one, and the ring and hash-mod-N to set it
    against."""
    return [s for s in SCHEMES if s in {p.scheme, "ring", "modulo"}]


def cache(p: CacheParams, seed: int, impl: Rules) -> Outcome:
    """The cache cluster under the chosen scheme, beside the ring and hash-mod-N."""
    work = make_workload(p, seed)
    mon = PlacementMonitor(p.replicas)
    runs = {}
    for name in _compared(p):
        runs[name] = CacheCluster(p, seed, name, work, impl, mon if name == p.scheme else None).run()
    main = runs[p.scheme]
    metrics = cache_metrics(p, main)
    if isinstance(main.scheme, Bounded) and main.peak_inflight is not None:
        seen = main.over_cap or main.peak_inflight
        mon.load(seen.held, seen.cap, "requests in flight")
    series: dict[str, Any] = {"scheme": p.scheme, "change": p.change,
                              "change_at_ms": p.change_at_ms, "duration_ms": p.duration_ms,
                              "runs": {}}
    lo, hi = _steady(p)
    for name, run in runs.items():
        served = run.served(lo, hi)
        series["runs"][name] = {**run.windows(), "nodes": list(run.scheme.members),
                                "served": [served.get(n, 0) for n in run.scheme.members],
                                "metrics": cache_metrics(p, run)}
    facts = {"compared": list(runs), "requests": len(work.times_ms),
             "newcomer": work.newcomer if p.change == "join" else work.nodes[-1]}
    return Outcome(metrics, mon.verdicts(), series, facts)


def _steady(p: CacheParams) -> tuple[float, float]:
    """The stretch the load figures cover: after the change, or the second half of the run."""
    if p.change == "none":
        return p.duration_ms / 2, p.duration_ms
    return p.change_at_ms + (p.duration_ms - p.change_at_ms) / 2, p.duration_ms


def cache_metrics(p: CacheParams, run: CacheCluster) -> dict[str, Any]:
    w = run.windows()
    start = np.asarray(w["start_ms"])
    ratio = np.asarray(w["hit_ratio"])
    db = np.asarray(w["db_per_s"])
    t = run.work.times_ms[: run.done]
    hit = run.hit[: run.done]
    lat = run.latency_ms[: run.done]

    def between(lo: float, hi: float, values: np.ndarray) -> np.ndarray:
        return values[(t >= lo) & (t < hi)]

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if len(values) else float("nan")

    def fetch_rate(lo: float, hi: float) -> float:
        f = np.asarray(run.fetch_times)
        return float(np.sum((f >= lo) & (f < hi))) * 1000.0 / (hi - lo)

    lo, hi = _steady(p)
    served = run.served(lo, hi)
    loads = np.array([served.get(n, 0) for n in run.scheme.members], dtype=float)
    out: dict[str, Any] = {}
    if p.change == "none":
        out["hit_ratio"] = mean(between(lo, hi, hit))
        out["db_load_per_s"] = fetch_rate(lo, hi)
        out["db_load_peak_per_s"] = float(db[start >= lo].max())
    else:
        c = p.change_at_ms
        out["hit_ratio_before"] = mean(between(c / 2, c, hit))
        out["hit_ratio_dip"] = float(ratio[np.argmin(np.abs(start - c))])
        out["hit_ratio_after"] = mean(between(lo, hi, hit))
        out["db_load_before_per_s"] = fetch_rate(c / 2, c)
        out["db_load_peak_per_s"] = float(db[start >= c - 1e-9].max())
        assert run.moved is not None, "a run with a change has measured what it moved"
        out["moved_fraction"] = run.moved["moved_fraction"]
        out["moved_between_unchanged"] = run.moved["moved_between_unchanged"]
    out["load_max_over_mean"] = spread(loads)["load_max_over_mean"]
    out["busiest_node_load"] = float(loads.max()) * run.service_ms / (hi - lo)
    out["latency_p99_ms"] = percentile(between(lo if p.change == "none" else p.change_at_ms / 2, hi, lat), 99)
    if isinstance(run.scheme, Bounded):
        out["spilled_fraction"] = run.spilled / max(1, run.done)
    return out
