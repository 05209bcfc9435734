"""What happened in a quorum run, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.quorum.params import QuorumParams, RepairParams, SweepParams
from dslab.labs.quorum.theory import SAMPLES, label
from dslab.run import Outcome
from dslab.wording import count, ms


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1%}"


def _ms(x: float) -> str:
    return "never" if not math.isfinite(x) else f"{x:,.1f} ms"


def _setup(p: QuorumParams) -> str:
    strict = p.r + p.w > p.n
    kind = ("a strict quorum: every read set overlaps every write set" if strict else
            "a partial quorum: a read can miss every replica the write reached")
    where = "to all n replicas" if p.propagation == "all" else f"to only w = {p.w} replicas"
    return (f"N = {p.n}, R = {p.r}, W = {p.w} (R+W = {p.r + p.w}, {kind}); writes go {where}, "
            f"latencies from the {p.latency_profile} profile.")


def pairs_story(p: QuorumParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The setup, freshness against theory, and the scenario's own twist."""
    m, f = out.metrics, out.facts
    lines = [_setup(p)]
    lines.append(
        f"{count(f['pairs'], 'write')} issued, {f['acked']:,} acknowledged "
        f"({_pct(m['write_availability'])}); {f['reads']:,} of {f['asked']:,} reads answered. "
        f"A read started at the commit was fresh {_pct(m['p_consistent_at_commit'])} of the time; "
        f"reads {p.read_delay_ms:g} ms after it were stale {_pct(m['stale_read_fraction'])}. "
        + (f"99.9% were fresh by {_ms(m['t_visibility_999_ms'])} after commit."
           if math.isfinite(m["t_visibility_999_ms"]) else
           "More than 0.1% of reads would never have been fresh, however late they started."))
    t = theory.get("p_consistent_at_commit")
    if isinstance(t, float):
        how = ("the PBS closed form 1 - C(N-W,R)/C(N,R)" if p.propagation == "quorum-only"
               else f"a Monte Carlo of the WARS model ({SAMPLES:,} draws)")
        lines.append(f"Theory ({how}): fresh at commit {_pct(t)}.")
    p_s = theory.get("stale_read_fraction")
    if p.propagation == "quorum-only" and isinstance(p_s, float) and 0 < p_s < 1:
        ks = ", ".join(f"{k}: {1 - p_s ** k:.1%}" for k in (1, 2, 3))
        lines.append(f"PBS k-staleness: a read returns one of the last k such writes with "
                     f"probability 1 - p_s^k ({ks}).")
    lines.append(f"p99.9 latency: writes {_ms(m['write_latency_p999_ms'])}, reads "
                 f"{_ms(m['read_latency_p999_ms'])}.")
    if p.sloppy and f["stand_in_commits"]:
        lines.append(
            f"The sloppy quorum acknowledged {count(f['stand_in_commits'], 'write')} on stand-in "
            f"nodes while home replicas were unreachable; {count(f['stale'], 'read')} then "
            "missed an acknowledged write although R+W > N, until hinted handoff delivered it.")
    if p.clock_skew_ms > 0:
        lines.append(
            f"Client 1's clock runs {p.clock_skew_ms:g} ms behind: last-writer-wins silently "
            f"dropped {count(m['lost_writes'], 'acknowledged write')} that came after a write with a "
            f"later timestamp (expected about {theory.get('lost_writes', 0):.1f}).")
    if p.down:
        lines.append(f"Nodes {', '.join(map(str, p.down))} are down throughout.")
    if p.read_repair or p.anti_entropy_ms is not None:
        lines.append(f"Every home replica held each write {_ms(m['convergence_ms'])} after its "
                     f"commit, on average ({_pct(m['converged_fraction'])} converged).")
    return lines


def sweep_story(p: SweepParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The frontier: for each N, the cheapest strict quorum and the partial ones beside it."""
    m = out.metrics
    lines = [f"Every (R, W) for N = {', '.join(map(str, p.ns))}, on the {p.latency_profile} "
             "profile, read off one simulation per N: p99.9 latency against the chance a read "
             f"{p.read_delay_ms:g} ms after commit is stale."]
    for n in p.ns:
        live = n - sum(1 for x in p.down if x < n)
        if p.down:
            ok_w = [w for w in range(1, n + 1) if m[f"write_availability{label(n, 1, w)}"] > 0]
            ok_r = [r for r in range(1, n + 1) if m[f"read_availability{label(n, r, 1)}"] > 0]
            lines.append(f"N = {n} with {live} live: writes available for W <= "
                         f"{max(ok_w, default=0)}, reads for R <= {max(ok_r, default=0)}; a "
                         f"strict quorum (R+W > {n}) survives only while R and W both fit in "
                         f"{live} live replicas.")
            continue
        q = n // 2 + 1
        tag = label(n, q, q)
        one = label(n, 1, 1)
        lines.append(
            f"N = {n}: R = W = {q} reads fresh always, at p99.9 {_ms(m['read_latency_p999_ms' + tag])} "
            f"per read and {_ms(m['write_latency_p999_ms' + tag])} per write; R = W = 1 reads stale "
            f"{_pct(m['stale_read_fraction' + one])} at p99.9 "
            f"{_ms(m['read_latency_p999_ms' + one])} and {_ms(m['write_latency_p999_ms' + one])}.")
    return lines


def repair_story(p: RepairParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """How long each mechanism took to bring every replica up to date."""
    m = out.metrics
    lines = [_setup(p) + " The writes that miss replicas stay missing unless something repairs "
             "them."]
    for mech in p.mechanisms:
        conv = m[f"convergence_ms[{mech}]"]
        frac = m[f"converged_fraction[{mech}]"]
        if not math.isfinite(conv):
            lines.append(f"{mech}: {_pct(1 - frac)} of acknowledged writes never reached every "
                         "replica.")
        else:
            lines.append(f"{mech}: every replica held each write {ms(conv)} after its commit, on "
                         "average.")
    return lines
