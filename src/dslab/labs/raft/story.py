"""What happened in a run, in plain words, built from the monitor's records and the metrics."""

from __future__ import annotations

from typing import Any

from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.measure import Loss, leader_loss
from dslab.labs.raft.params import RaftParams
from dslab.labs.raft.rules import quorum
from dslab.run import Outcome
from dslab.wording import count as _n
from dslab.wording import ms as _ms


def story(p: RaftParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The run's sentences, from the cluster (``out.facts``) and its metrics."""
    c: RaftCluster = out.facts
    mt, loss, m = out.metrics, leader_loss(c), c.monitor
    n, q = p.nodes, quorum(p.nodes)
    lines: list[str] = []
    if p.failed:
        lines.append(f"Servers {_list(p.failed)} were down from the start.")
    if c.extra_faults:
        lines.append("Faults added to the scenario: " + "; ".join(map(str, c.extra_faults)) + ".")
    if m.leaders:
        first = m.leaders[0]
        tries = len({cand.term for cand in m.candidacies if cand.term <= first.term})
        lines.append(f"At {_ms(first.t_ms)} server {first.node} won the first election (term {first.term}) "
                     f"after {_n(tries, 'election round')}.")
    else:
        alive = n - len(p.failed)
        if alive < q:
            why = f"only {alive} of {n} servers are up and a leader needs {q} votes"
        elif mt["split_votes"]:
            why = (f"{_n(mt['split_votes'], 'round')} split the vote: the election timeouts "
                   f"({p.election_timeout_ms}) are too close together to break ties")
        else:
            why = "no candidate gathered a majority"
        lines.append(f"No leader was elected in {_ms(p.duration_ms)}: {why}.")
        return lines
    if mt["split_votes"] >= 2:
        lines.append(f"{_n(mt['split_votes'], 'round')} split the vote, each costing another "
                     f"election timeout (drawn from {p.election_timeout_ms}) before anyone could win.")
    if loss is None:
        when = p.crash_leader_at_ms if p.crash_leader_at_ms is not None else p.partition_at_ms
        assert when is not None, "no leader lost means a fault found no leader to hit"
        lines.append(f"At {_ms(when)} no server led, so the fault hit no leader.")
    elif loss.kind == "crash":
        lines.append(f"At {_ms(loss.t_ms)} the leader, server {loss.leader} (term {loss.term}), "
                     "crashed.")
        lines.append(_new_leader(c, mt, loss, "The survivors"))
    elif loss.kind == "partition":
        lines.extend(_partition_story(c, mt, loss, q))
    lines.append(f"In all: {_n(mt['elections'], 'election round')}, "
                 f"{_n(mt['split_votes'], 'split vote')}, {_n(mt['committed'], 'entry')} committed, "
                 f"{_n(mt['messages'], 'message')} sent.")
    return lines


def _new_leader(c: RaftCluster, mt: dict[str, Any], loss: Loss, who: str) -> str:
    et = mt["election_time_ms"]
    if et is None:
        return f"{who} elected no new leader before the run ended."
    t = loss.t_ms + et
    won = next(w for w in c.monitor.leaders if w.t_ms == t and w.term > loss.term)
    return (f"{_ms(et)} later, {who.lower()} had elected server {won.node} leader of term {won.term} "
            f"(the first of them timed out after {_ms(mt['first_timeout_ms'])}).")


def _partition_story(c: RaftCluster, mt: dict[str, Any], loss: Loss, q: int) -> list[str]:
    p = c.params
    side = sorted(loss.cut_off - set(p.failed))
    others = [i for i in range(p.nodes) if i not in side]
    lines = [
        f"At {_ms(loss.t_ms)} the network split {_list(side)} | {_list(others)}: leader "
        f"{loss.leader} (term {loss.term}) was cut off in a minority of {len(side)}.",
        _new_leader(c, mt, loss, "The majority side"),
    ]
    if mt["committed_majority_side"] is not None:
        lines.append(f"While cut off, the majority side committed "
                     f"{_n(mt['committed_majority_side'], 'entry')}; the minority side committed "
                     f"{mt['committed_minority_side']}.")
    stale = mt["stale_leader_entries"]
    if stale:
        lines.append(f"Server {loss.leader} kept believing it led term {loss.term}: it accepted "
                     f"{_n(stale, 'client command')} but could commit none, since it reaches only "
                     f"{len(side)} of the {q} servers a commit needs.")
    if p.heal_at_ms is None:
        lines.append("The partition never healed in this run.")
    elif mt["step_down_after_heal_ms"] is not None:
        replaced = (", and the new leader's log replaced its uncommitted entries" if stale else "")
        lines.append(f"At {_ms(p.heal_at_ms)} the partition healed; {_ms(mt['step_down_after_heal_ms'])} "
                     f"later server {loss.leader} saw a higher term and stepped down{replaced}.")
    else:
        lines.append(f"At {_ms(p.heal_at_ms)} the partition healed.")
    return lines


def _list(ids) -> str:
    return "{" + ", ".join(str(i) for i in sorted(ids)) + "}"
