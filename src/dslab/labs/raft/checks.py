"""Raft's safety properties, checked on every run.

The model reports each role change, candidacy, election, step-down, accepted entry and commit
to a :class:`SafetyMonitor`; it keeps the history the timeline needs and notes the first time a
property breaks, with when and where, so the report can point at the moment in the plot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from dslab.result import Check
from dslab.wording import count

Entry = tuple[int, int]  # (term, command id)


# -- what the monitor records, one small tuple per event, in time order -------------------------

class RoleChange(NamedTuple):
    """Server ``node`` took ``role`` ("follower", "candidate", "leader" or "down") in ``term``."""

    t_ms: float
    node: int
    role: str
    term: int


class Candidacy(NamedTuple):
    """Server ``node`` timed out and stood for election in ``term``; ``viable`` if it could have
    won then: up servers it could reach, itself included, whose logs its own is at least as up
    to date as, made a majority."""

    t_ms: float
    node: int
    term: int
    viable: bool = True


class Elected(NamedTuple):
    """Server ``node`` won the election of ``term``."""

    t_ms: float
    node: int
    term: int


class StepDown(NamedTuple):
    """Leader ``node`` of ``old_term`` saw ``new_term`` and gave way; ``disruptive`` if no server
    that stood in ``new_term`` could have won it (see :class:`Candidacy`): the leader was deposed
    for nothing."""

    t_ms: float
    node: int
    old_term: int
    new_term: int
    disruptive: bool = False


class CommitAdvance(NamedTuple):
    """Leader ``leader`` of ``term`` moved its commit index to ``log_index``, on a side of
    ``side`` servers (the whole cluster when no partition stood)."""

    t_ms: float
    leader: int
    term: int
    log_index: int  # not ``index``, which would hide tuple.index
    side: int


class Accept(NamedTuple):
    """Leader ``node`` of ``term`` appended a client command at ``log_index``."""

    t_ms: float
    node: int
    term: int
    log_index: int


@dataclass
class SafetyMonitor:
    node_ids: list[int]
    majority: int  # the true majority of the cluster, whatever the implementation believes
    #: the current partition groups (None or empty when the network is whole)
    groups_now: Callable[[], Sequence[Sequence[int]] | None] | None = None
    #: every server's log, checked at each election
    logs_now: Callable[[], Mapping[int, Sequence[Entry]]] | None = None
    #: whether a server could win an election now (see :class:`Candidacy`)
    could_win: Callable[[int], bool] | None = None
    roles: list[RoleChange] = field(default_factory=list)
    leaders: list[Elected] = field(default_factory=list)
    candidacies: list[Candidacy] = field(default_factory=list)
    step_downs: list[StepDown] = field(default_factory=list)
    leader_commits: list[CommitAdvance] = field(default_factory=list)
    accepts: list[Accept] = field(default_factory=list)
    committed: dict[int, Entry] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    # -- events from the model -----------------------------------------------------------------
    def on_role(self, t: float, node: int, role: str, term: int, was: str | None = None) -> None:
        self.roles.append(RoleChange(t, node, role, term))

    def on_candidacy(self, t: float, node: int, term: int) -> None:
        viable = self.could_win(node) if self.could_win is not None else True
        self.candidacies.append(Candidacy(t, node, term, viable))

    def on_leader(self, t: float, node: int, term: int, log: Sequence[Entry]) -> None:
        for other in self.leaders:
            if other.term == term and other.node != node:
                self._violate("election", f"term {term} had two leaders: node {other.node} "
                              f"(t={other.t_ms:.0f} ms) and node {node} (t={t:.0f} ms)")
        self.leaders.append(Elected(t, node, term))
        for index, entry in sorted(self.committed.items()):
            if index > len(log) or log[index - 1] != entry:
                self._violate("state", f"node {node} became leader of term {term} at "
                              f"t={t:.0f} ms without committed entry {index}")
                break
        if self.logs_now is not None:
            self.check_logs(t, self.logs_now())

    def on_step_down(self, t: float, node: int, old_term: int, new_term: int) -> None:
        viable = any(c.viable for c in self.candidacies if c.term == new_term)
        self.step_downs.append(StepDown(t, node, old_term, new_term, not viable))

    def on_leader_commit(self, t: float, leader: int, term: int, index: int,
                         entry: Entry) -> None:
        """A leader advanced its commit index to ``index``: at least a true majority of servers
        must store that entry now, or a minority has committed on its own."""
        side = len(self.node_ids)
        groups = self.groups_now() if self.groups_now else None
        if groups:
            side = next(len(g) for g in groups if leader in g)
        self.leader_commits.append(CommitAdvance(t, leader, term, index, side))
        if self.logs_now is None:
            return
        holders = sorted(n for n, log in self.logs_now().items()
                         if len(log) >= index and log[index - 1] == entry)
        if len(holders) < self.majority:
            self._violate("minority", f"leader {leader} committed index {index} at t={t:.0f} ms "
                          f"while only servers {holders} stored it ({self.majority} needed)")

    def on_commit(self, t: float, node: int, log: Sequence[Entry], old: int, new: int) -> None:
        for index in range(old + 1, new + 1):
            entry = log[index - 1]
            before = self.committed.setdefault(index, entry)
            if before != entry:
                self._violate("state", f"node {node} committed {entry} at index {index} "
                              f"(t={t:.0f} ms) where {before} had been committed")

    def on_accept(self, t: float, node: int, term: int, index: int) -> None:
        self.accepts.append(Accept(t, node, term, index))

    def check_logs(self, t: float, logs: Mapping[int, Sequence[Entry]]) -> None:
        """Log matching: two logs with an entry of the same index and term agree up to there."""
        ids = sorted(logs)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                problem = log_matching_problem(logs[a], logs[b])
                if problem is not None:
                    self._violate("logs", f"nodes {a} and {b} at t={t:.0f} ms: {problem}")

    def _violate(self, prop: str, text: str) -> None:
        if len(self.violations[prop]) < 5:
            self.violations[prop].append(text)

    # -- verdicts ------------------------------------------------------------------------------
    def verdicts(self) -> list[Check]:
        terms = sorted({won.term for won in self.leaders})
        v = self.violations
        return [
            Check("at most one leader per term", not v["election"],
                  "; ".join(v["election"]) or
                  f"{count(len(self.leaders), 'election')} won, in terms {_span(terms)}, one leader each"),
            Check("committed entries are never lost or changed", not v["state"],
                  "; ".join(v["state"]) or
                  f"{count(len(self.committed), 'committed entry')}, the same on every server that "
                  "committed them, and in every later leader's log"),
            Check("a minority side never commits", not v["minority"],
                  "; ".join(v["minority"]) or
                  f"each of {count(len(self.leader_commits), 'commit advance')} was stored on a majority "
                  "when it was made"),
            Check("log matching", not v["logs"],
                  "; ".join(v["logs"]) or
                  "any two logs that share an entry's index and term agree on every entry before it"),
        ]


def log_matching_problem(a: Sequence[Entry], b: Sequence[Entry]) -> str | None:
    """Why logs ``a`` and ``b`` break log matching, or None if they do not."""
    for k in range(min(len(a), len(b)), 0, -1):
        if a[k - 1][0] == b[k - 1][0]:
            if a[:k] != b[:k]:
                first = next(i for i in range(k) if a[i] != b[i]) + 1
                return (f"both hold term {a[k - 1][0]} at index {k} but differ at index {first}")
            return None
    return None


def _span(terms: list[int]) -> str:
    if not terms:
        return "none"
    return str(terms[0]) if len(terms) == 1 else f"{terms[0]}..{terms[-1]}"
