"""What a run showed, in plain words, built from its metrics and series."""

from __future__ import annotations

from typing import Any

from dslab.labs.hashing.params import CacheParams, PlacementParams, VnodesParams
from dslab.labs.hashing.theory import zipf_probabilities
from dslab.run import Outcome
from dslab.wording import count

NAMES = {"modulo": "hash-mod-N", "ring": "the ring", "rendezvous": "rendezvous", "jump": "jump hash",
         "bounded": "bounded loads"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _scheme(p: PlacementParams) -> str:
    if p.scheme in ("ring", "bounded"):
        return f"{NAMES[p.scheme]} ({p.vnodes} points per node)"
    return NAMES[p.scheme]


def placement_story(p: PlacementParams, study: Outcome, theory: dict[str, Any]) -> list[str]:
    """How evenly the scheme spread the keys, and what the change moved."""
    m, s = study.metrics, study.series
    lines = [
        f"{count(p.keys, 'key')} on {count(p.nodes, 'node')} ({', '.join(s['nodes'])}) under {_scheme(p)}: "
        f"the fullest node holds {m['load_max_over_mean']:.2f}× the mean and the emptiest "
        f"{m['load_min_over_mean']:.2f}×; the spread (CV) is {m['load_cv']:.3f}.",
        "Node names come from the seed, as host names would, so another --seed gives another ring.",
    ]
    if p.scheme == "bounded":
        lines.append(f"Bounded loads capped every node at {s['cap']:,} keys (ceil(c·m/n) with c = {p.c:g}); "
                     "keys that found their ring owner full went on to the next node with room.")
    if p.replicas > 1:
        lines.append(f"With {p.replicas} copies of each key, the busiest node holds "
                     f"{m['replica_load_max_over_mean']:.2f}× the mean number of copies.")
    if p.change != "none":
        verb = "joined" if p.change == "join" else "left"
        lines.append(f"When {s['changed']} {verb}, {NAMES[p.scheme]} moved {_pct(m['moved_fraction'])} of "
                     f"the keys, {count(m['moved_between_unchanged'], 'key')} of them between nodes that did "
                     "not change.")
        lines.append("Every scheme, same keys, same change: " + "; ".join(
            f"{NAMES[n]} moved {_pct(v['moved_fraction'])} ({v['moved_between_unchanged']:,} between "
            "unchanged nodes)" for n, v in s["movement"].items()) + ".")
    return lines


def vnodes_story(p: VnodesParams, study: Outcome, theory: dict[str, Any]) -> list[str]:
    """How the spread falls as points per node double."""
    sweep = study.series["sweep"]
    lo, hi = min(sweep), max(sweep)

    def rms(v: int) -> float:
        cv = sweep[v]["cv"]
        return (sum(c * c for c in cv) / len(cv)) ** 0.5

    m = study.metrics
    return [
        f"Rings of {count(p.nodes, 'node')}, {len(sweep[lo]['cv'])} differently named clusters per step: "
        "with "
        f"{count(lo, 'point')} per node the shares' CV is {rms(lo):.2f}, with {hi} it is {rms(hi):.3f}; "
        "each doubling of points cuts it by about √2.",
        f"At {p.vnodes} points per node, {count(p.keys, 'key')} spread with CV {m['load_cv']:.3f} and the "
        f"fullest node at {m['load_max_over_mean']:.2f}× the mean.",
    ]


def cache_story(p: CacheParams, study: Outcome, theory: dict[str, Any]) -> list[str]:
    """The cache's hit ratio through the change, against the schemes it was set beside."""
    m, f = study.metrics, study.facts
    top = float(zipf_probabilities(p.keys, p.zipf_s)[0])
    lines = [
        f"{count(f['requests'], 'request')} at {p.request_rate_per_s:,.0f}/s over {count(p.keys, 'key')} "
        f"(Zipf s = {p.zipf_s:g}; the hottest key draws {_pct(top)}), served by "
        f"{count(p.nodes, 'cache node')} of {p.cache_keys_per_node:,} keys each under {_scheme(p)}; caches "
        "start warm.",
    ]
    if p.change != "none":
        verb = "joined" if p.change == "join" else "failed"
        lines.append(
            f"At {p.change_at_ms:,.0f} ms {f['newcomer']} {verb} and {_pct(m['moved_fraction'])} of keys "
            f"changed owner: the hit ratio went from {m['hit_ratio_before']:.3f} to {m['hit_ratio_dip']:.3f} "
            f"in the first {p.window_ms:g} ms, and the database's load peaked at "
            f"{m['db_load_peak_per_s']:,.0f}/s against {m['db_load_before_per_s']:,.0f}/s before; by the end "
            f"the hit ratio was {m['hit_ratio_after']:.3f}.")
        others = [n for n in f["compared"] if n != p.scheme]
        if others:
            runs = study.series["runs"]
            lines.append("On the same requests: " + "; ".join(
                f"{NAMES[n]} dipped to {runs[n]['metrics']['hit_ratio_dip']:.3f} with the database at "
                f"{runs[n]['metrics']['db_load_peak_per_s']:,.0f}/s" for n in others) + ".")
    else:
        lines.append(f"Hit ratio {m['hit_ratio']:.3f}; the database answered {m['db_load_per_s']:,.0f} "
                     "misses/s.")
    lines.append(
        f"The busiest node took {m['load_max_over_mean']:.2f}× the mean share of requests, "
        f"{_pct(m['busiest_node_load'])} of its capacity of {p.node_capacity_per_s:,.0f}/s; "
        f"p99 latency {m['latency_p99_ms']:,.0f} ms.")
    if m["busiest_node_load"] > 1:
        lines.append("That node is saturated: its queue, and every wait in it, grows for as long as the "
                     "traffic lasts.")
    if p.change == "none":
        runs = study.series["runs"]
        lines.append("On the same requests: " + "; ".join(
            f"under {NAMES[n]} the busiest node was offered {_pct(runs[n]['metrics']['busiest_node_load'])} "
            f"of its capacity, p99 latency {runs[n]['metrics']['latency_p99_ms']:,.0f} ms, hit ratio "
            f"{runs[n]['metrics']['hit_ratio']:.3f}" for n in f["compared"] if n != p.scheme) + ".")
    if "spilled_fraction" in m:
        lines.append(f"Bounded loads sent {_pct(m['spilled_fraction'])} of requests past a full owner to the "
                     f"next node with room (cap: c = {p.c:g} times the mean requests in flight), trading "
                     "some cache hits for an even load.")
    return lines
