"""From a finished cluster to numbers: the metrics, and the series the plot and timeline draw."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dslab.labs.raft.cluster import RaftCluster


@dataclass(frozen=True)
class Loss:
    """The moment the measured election starts: a leader lost (or the start of the run)."""

    t_ms: float
    kind: str  # "start", "crash" or "partition"
    leader: int | None  # the leader lost, if one was
    term: int
    cut_off: frozenset[int]  # servers that cannot take part (the lost leader and its side)


def leader_loss(c: RaftCluster) -> Loss | None:
    """When the measured election starts, or None if the fault hit no leader."""
    p = c.params
    events = []
    if p.crash_leader_at_ms is not None:
        events.append((p.crash_leader_at_ms, "crash"))
    if p.partition_at_ms is not None:
        events.append((p.partition_at_ms, "partition"))
    if not events:
        return Loss(0.0, "start", None, 0, frozenset(p.failed))
    t, kind = min(events)
    hit = c.hit.get(t)
    if hit is None:
        return None
    leader, term = hit
    cut = {leader}
    if kind == "partition":
        rec = next(r for r in c.sim.trace.of("partition") if r.t_ms == t)
        cut = set(next(g for g in rec.data["groups"] if leader in g))
    return Loss(t, kind, leader, term, frozenset(cut | set(p.failed)))


def candidates_by_term(c: RaftCluster) -> dict[int, list[tuple[float, int]]]:
    out: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for cand in c.monitor.candidacies:
        out[cand.term].append((cand.t_ms, cand.node))
    return out


def metrics(c: RaftCluster) -> dict[str, Any]:
    m, p = c.monitor, c.params
    by_term = candidates_by_term(c)
    leader_terms = {won.term for won in m.leaders}
    out: dict[str, Any] = {
        "election_time_ms": None, "first_timeout_ms": None,
        "first_election_contested": None, "first_election_split": None,
        "elections": len(by_term),
        "split_votes": sum(1 for term, cs in by_term.items()
                           if len({n for _, n in cs}) >= 2 and term not in leader_terms),
        "max_term": max(s.current_term for s in c.servers),
        "messages": c.net.sent,
        "committed": len(m.committed),
        "disruptive_step_downs": sum(1 for d in m.step_downs if d.disruptive),
    }
    loss = leader_loss(c)
    if loss is not None:
        racing = [cand for cand in m.candidacies
                  if cand.t_ms >= loss.t_ms and cand.node not in loss.cut_off]
        if racing:
            term0 = racing[0].term
            out["first_timeout_ms"] = racing[0].t_ms - loss.t_ms
            out["first_election_contested"] = int(len({n for _, n in by_term[term0]}) >= 2)
            out["first_election_split"] = int(term0 not in leader_terms)
        won = [w.t_ms for w in m.leaders if w.t_ms >= loss.t_ms and w.term > loss.term
               and w.node not in loss.cut_off]
        if won:
            out["election_time_ms"] = won[0] - loss.t_ms
    if p.partition_at_ms is not None:
        out.update(partition_metrics(c, loss))
    return out


def partition_metrics(c: RaftCluster, loss: Loss | None) -> dict[str, Any]:
    """What each side did while cut off, and how long the old leader took to give way."""
    p, m = c.params, c.monitor
    start = p.partition_at_ms
    end = p.heal_at_ms if p.heal_at_ms is not None else p.duration_ms
    out: dict[str, Any] = {"committed_majority_side": None, "committed_minority_side": None,
                           "stale_leader_entries": None, "step_down_after_heal_ms": None}
    if loss is None or loss.kind != "partition" or start is None:
        return out
    during = [a for a in m.leader_commits if start <= a.t_ms < end]
    before = max([a.log_index for a in m.leader_commits if a.t_ms < start], default=0)
    major = [a.log_index for a in during if a.leader not in loss.cut_off]
    minor = [a.log_index for a in during if a.leader in loss.cut_off]
    out["committed_majority_side"] = max(major, default=before) - before
    out["committed_minority_side"] = max(minor, default=before) - before if minor else 0
    out["stale_leader_entries"] = sum(1 for a in m.accepts
                                      if a.node == loss.leader and start <= a.t_ms < end)
    if p.heal_at_ms is not None:
        downs = [d.t_ms for d in m.step_downs if d.node == loss.leader and d.t_ms >= p.heal_at_ms]
        if downs:
            out["step_down_after_heal_ms"] = downs[0] - p.heal_at_ms
    return out


def series(c: RaftCluster) -> dict[str, Any]:
    """Role segments per server, partitions, crashes and commits, for the timeline and plot."""
    end = c.now
    segments: dict[int, list[tuple[float, float, str, int]]] = {i: [] for i in range(c.params.nodes)}
    last: dict[int, tuple[float, str, int]] = {}
    for rc in c.monitor.roles:
        t, node, role, term = rc.t_ms, rc.node, rc.role, rc.term
        if node in last:
            t0, r0, term0 = last[node]
            if t > t0:
                segments[node].append((t0, t, r0, term0))
        last[node] = (t, role, term)
    for node, (t0, r0, term0) in last.items():
        if end > t0:
            segments[node].append((t0, end, r0, term0))
    parts, open_at = [], None
    for rec in c.sim.trace.of("partition", "heal"):
        if open_at is not None and rec.t_ms > open_at[0]:  # a heal, or another cut replacing it
            parts.append((open_at[0], rec.t_ms, open_at[1]))
        open_at = (rec.t_ms, rec.data["groups"]) if rec.kind == "partition" else None
    if open_at is not None:
        parts.append((open_at[0], end, open_at[1]))
    return {
        "duration_ms": end,
        "segments": segments,
        "partitions": parts,
        "crashes": [(r.t_ms, r.node) for r in c.sim.trace.of("crash")],
        "restarts": [(r.t_ms, r.node) for r in c.sim.trace.of("restart")],
        "commits": [(a.t_ms, a.leader, a.log_index) for a in c.monitor.leader_commits],
        "leaders": list(c.monitor.leaders),
        "disruptive": [(d.t_ms, d.node, d.new_term) for d in c.monitor.step_downs if d.disruptive],
    }
