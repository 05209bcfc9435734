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
        elif not m.candidacies:
            why = (f"no server's election timeout (drawn from {p.election_timeout_ms}) ran out, so "
                   "no server stood for election")
        elif mt["split_votes"]:
            why = (f"{_n(mt['split_votes'], 'round')} split the vote: candidates stood so close "
                   f"together that none gathered the {q} votes a leader needs")
        else:
            why = f"no candidate gathered the {q} votes a leader needs"
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
    if p.isolate_at_ms is not None:
        lines.extend(_isolation_story(c))
    lines.extend(_disruptions(c))
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
    """The split, each side's elections and commits, and what became of the old leader's entries;
    every claim is read from the run, so an even split or a wrong quorum reads true."""
    p, m = c.params, c.monitor
    start = loss.t_ms
    end = p.heal_at_ms if p.heal_at_ms is not None else c.now
    side = sorted(loss.cut_off - set(p.failed))
    others = [i for i in range(p.nodes) if i not in loss.cut_off]
    lines = [f"At {_ms(start)} the network split {_list(side)} | {_list(others)}: leader "
             f"{loss.leader} (term {loss.term}) was cut off {_sides(len(side), len(others), q, p.nodes)}."]
    during = [w for w in m.leaders if start <= w.t_ms < end and w.term > loss.term]
    theirs = [w for w in during if w.node not in loss.cut_off]
    ours = [w for w in during if w.node in loss.cut_off]
    if theirs:
        won = theirs[0]
        lines.append(f"{_ms(won.t_ms - start)} later, the other side had elected server {won.node} "
                     f"leader of term {won.term} (the first of them timed out after "
                     f"{_ms(mt['first_timeout_ms'])}).")
    elif len(others) < q:
        lines.append(f"The other side elected no leader while split: its {_n(len(others), 'server')} "
                     f"cannot give the {q} votes a leader of {p.nodes} needs.")
    else:
        lines.append("The other side elected no leader while split.")
    if ours:
        lines.append(f"On the old leader's side, server {ours[0].node} won term {ours[0].term} at "
                     f"{_ms(ours[0].t_ms)} with no more than {_n(len(side), 'server')} to vote.")
    mine, yours = mt["committed_minority_side"], mt["committed_majority_side"]
    if mine is not None and yours is not None:
        lines.append(f"While split, the other side committed {_n(yours, 'entry')}; the old leader's "
                     f"side committed {mine}.")
    stale = mt["stale_leader_entries"]
    if stale:
        if mine:
            how = (f"and its side committed {_n(mine, 'entry')} with only {len(side)} of "
                   f"{p.nodes} servers, fewer than the {q} a majority needs: its quorum is too "
                   "small, and the safety checks say what that broke")
        else:
            how = (f"but could commit none, since it reaches only {len(side)} of the {q} servers "
                   "a commit needs")
        lines.append(f"Server {loss.leader} kept believing it led term {loss.term}: it accepted "
                     f"{_n(stale, 'client command')} {how}.")
    if p.heal_at_ms is None:
        lines.append("The partition never healed in this run.")
        return lines
    healed = f"At {_ms(p.heal_at_ms)} the partition healed"
    if mt["step_down_after_heal_ms"] is not None:
        healed += (f"; {_ms(mt['step_down_after_heal_ms'])} later server {loss.leader} saw a higher "
                   "term and stepped down")
    lines.append(healed + ".")
    after = next((w for w in m.leaders if w.t_ms >= p.heal_at_ms), None)
    if after is not None:
        where = "the old leader's side" if after.node in loss.cut_off else "the other side"
        lines.append(f"Server {after.node}, from {where}, was the first leader after the heal "
                     f"(term {after.term}, at {_ms(after.t_ms)}).")
    fate = _fate(c, loss, start, end)
    if fate:
        lines.append(fate)
    return lines


def _isolation_story(c: RaftCluster) -> list[str]:
    """Who was cut off alone, how far its term climbed, and when it came back."""
    p = c.params
    start = p.isolate_at_ms
    rec = next((r for r in c.sim.trace.of("partition") if r.t_ms == start), None)
    if start is None or rec is None:
        return []
    alone = next((g[0] for g in rec.data["groups"] if len(g) == 1), None)
    if alone is None:
        return []
    end = p.rejoin_at_ms if p.rejoin_at_ms is not None else c.now
    mine = [cand for cand in c.monitor.candidacies
            if cand.node == alone and start <= cand.t_ms < end]
    how = "PreVote on: it asked for pre-votes that never came, and kept its term" if p.pre_vote else (
        f"it stood for election {_n(len(mine), 'time')}"
        + (f", raising its term to {mine[-1].term}" if mine else ""))
    line = f"At {_ms(start)} server {alone} was cut off alone; {how}."
    if p.rejoin_at_ms is not None:
        line += f" It rejoined at {_ms(p.rejoin_at_ms)}."
    return [line]


def _disruptions(c: RaftCluster) -> list[str]:
    """Each leader deposed for a term that no server could have won."""
    downs = [d for d in c.monitor.step_downs if d.disruptive]
    if not downs:
        return []
    d = downs[0]
    more = f" ({_n(len(downs), 'disruptive step-down')} in all)" if len(downs) > 1 else ""
    fix = "" if c.params.pre_vote else " PreVote (--set pre_vote=true) prevents this."
    return [f"At {_ms(d.t_ms)} leader {d.node} of term {d.old_term} saw term {d.new_term} and "
            "stepped down, though no server that stood in that term could have won it: a "
            f"disruptive step-down{more}.{fix}"]


def _sides(mine: int, theirs: int, q: int, n: int) -> str:
    """How the old leader's side (``mine`` servers) and the other compare with a majority of
    ``n`` (``q`` servers)."""
    if theirs >= q:
        return f"in a minority of {mine}; the other side's {theirs} are a majority of {n}"
    if mine >= q:
        return f"with a majority of {mine} of {n}"
    return (f"on a side of {mine} against {theirs}: neither side holds the {q} servers a majority "
            f"of {n} needs")


def _fate(c: RaftCluster, loss: Loss, start: float, end: float) -> str:
    """What became of the commands the cut-off leader accepted while split, read from the log of
    the last server elected leader at the end of the run: kept there, or replaced by later
    terms' entries (and whether the old leader's side had committed those it lost)."""
    m = c.monitor
    accepted = [a for a in m.accepts
                if a.node == loss.leader and a.term == loss.term and start <= a.t_ms < end]
    last = m.leaders[-1]
    if not accepted or (last.node == loss.leader and last.term == loss.term):
        return ""
    server = c.servers[last.node]
    log = server.log
    kept = [a for a in accepted if a.log_index <= len(log) and log[a.log_index - 1][0] == a.term]
    committed = sum(1 for a in kept if a.log_index <= server.commit_index)
    side_commit = max((x.log_index for x in m.leader_commits
                       if x.leader in loss.cut_off and start <= x.t_ms < end), default=0)
    lost = sum(1 for a in accepted if a not in kept and a.log_index <= side_commit)
    what = f"the {_n(len(accepted), 'command')} server {loss.leader} accepted while cut off"
    holder = f"server {last.node}, the last leader elected (term {last.term})"
    if len(kept) == len(accepted):
        done = ("and committed them" if committed == len(kept) else
                f"and had committed {committed} of them by the end")
        text = f"All of {what} survived: {holder}, holds them in its log {done}."
    elif not kept:
        text = (f"None of {what} survived: in the log of {holder}, later terms' entries took "
                "their places.")
    else:
        text = (f"Of {what}, {len(kept)} survived in the log of {holder}, and "
                f"{len(accepted) - len(kept)} were replaced by later terms' entries.")
    if lost:
        text += (f" {_n(lost, 'entry')} the old leader's side had committed were lost: a true "
                 "majority quorum never lets that happen.")
    return text


def _list(ids) -> str:
    return "{" + ", ".join(str(i) for i in sorted(ids)) + "}"
