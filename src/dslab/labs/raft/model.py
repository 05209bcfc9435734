"""The SimPy shell around Raft's rules: servers that exchange RequestVote and AppendEntries over
the simulated network, and clients that submit commands to whoever believes it leads.

Every decision goes through ``impl`` (the reference ``rules`` module or a learner's overlay of it);
this file only moves messages and time and tells the safety monitor what happened.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from simpy.events import Event

from dslab.labs.raft.checks import SafetyMonitor
from dslab.labs.raft.logview import EntryTerms, LogTerms
from dslab.labs.raft.rules import CANDIDATE, FOLLOWER, LEADER, Rules, VoteRequest
from dslab.sim.dist import Dist, Draws, Exp
from dslab.sim.network import Node
from dslab.sim.simulation import Simulation

MAX_BATCH = 64  # entries per AppendEntries, so a far-behind follower catches up in chunks


@dataclass(frozen=True, slots=True)
class VoteReply:
    term: int
    granted: bool


@dataclass(frozen=True, slots=True)
class PreVote:
    """PreVote (dissertation §9.6): would you vote for ``req`` at its term ``req.term`` (one
    above the sender's own)? It changes no term, so it carries none of its own."""

    req: VoteRequest


@dataclass(frozen=True, slots=True)
class PreVoteReply:
    term: int  # the voter's current term
    granted: bool
    proposed: int  # the term of the pre-vote this answers


@dataclass(frozen=True, slots=True)
class AppendEntries:
    term: int
    leader_id: int
    prev_index: int
    prev_term: int
    entries: tuple[tuple[int, int], ...]  # (term, command id)
    leader_commit: int


@dataclass(frozen=True, slots=True)
class AppendReply:
    term: int
    success: bool
    match_index: int


class RaftServer(Node):
    """One Raft server. ``current_term``, ``voted_for`` and ``log`` survive a crash (they are
    persisted before replying, per Figure 2); everything else is volatile."""

    def __init__(self, node_id: int, cluster_size: int, impl: Rules, timeout_ms: Dist,
                 heartbeat_ms: float, monitor: SafetyMonitor, pre_vote: bool = False) -> None:
        super().__init__(node_id)
        self.n = cluster_size
        self.impl = impl
        self.timeout_ms = timeout_ms
        self._timeouts: Draws | None = None  # this server's election timeouts, on its own stream
        self.heartbeat_ms = heartbeat_ms
        self.monitor = monitor
        self.pre_vote = pre_vote
        #: how long after hearing from a leader a server refuses pre-votes: the shortest timeout
        self.leader_lease_ms = timeout_ms.low()
        # persistent
        self.current_term = 0
        self.voted_for: int | None = None
        self.log: list[tuple[int, int]] = []
        self._reset_volatile()

    def _reset_volatile(self) -> None:
        self.role = FOLLOWER
        self.commit_index = 0
        self.leader_id: int | None = None
        self.votes: frozenset[int] = frozenset()
        self.next_index: dict[int, int] = {}
        self.match_index: dict[int, int] = {}
        self.pre_votes: frozenset[int] | None = None  # None: no pre-vote under way
        self.leader_heard_ms = float("-inf")

    # -- log helpers ---------------------------------------------------------------------------
    @property
    def last_index(self) -> int:
        return len(self.log)

    @property
    def last_term(self) -> int:
        return self.log[-1][0] if self.log else 0

    def _term_at(self, index: int) -> int:
        return self.log[index - 1][0] if index > 0 else 0

    # -- lifecycle -----------------------------------------------------------------------------
    def on_start(self) -> None:
        self._set_role(FOLLOWER)
        self._reset_election_timer()

    def on_crash(self) -> None:
        self._reset_volatile()
        self.monitor.on_role(self.now, self.id, "down", self.current_term)

    def _reset_election_timer(self) -> None:
        draw = self._timeouts
        if draw is None:  # the first time: the node is on the network, so it has a simulation
            draw = self._timeouts = Draws(self.timeout_ms, self.sim.rng(f"raft.timeout.{self.id}"),
                                          first=Draws.SMALL_FIRST)
        self.set_timer("election", draw(), self._on_election_timeout)

    def _set_role(self, role: str) -> None:
        was = self.role
        self.role = role
        self.monitor.on_role(self.now, self.id, role, self.current_term, was=was)

    # -- elections -----------------------------------------------------------------------------
    def _on_election_timeout(self) -> None:
        if self.pre_vote:
            self._start_pre_vote()
        else:
            self._start_election()

    def _start_pre_vote(self) -> None:
        """Ask the others whether they would vote for me in the next term, without raising mine:
        only a majority's yes starts the real election."""
        self.leader_id = None
        self.pre_votes = frozenset({self.id})
        self.sim.trace.emit(self.now, "pre-vote", self.id, term=self.current_term + 1)
        self._reset_election_timer()
        req = VoteRequest(self.current_term + 1, self.id, self.last_index, self.last_term)
        for p in self.peers():
            self.send(p, PreVote(req))
        self._maybe_pre_won()

    def _maybe_pre_won(self) -> None:
        if self.pre_votes is not None and self.impl.election_won(self.id, self.pre_votes, self.n):
            self._start_election()

    def heard_from_leader(self) -> bool:
        """Whether a leader is known to be alive: I lead, or heard from one within the lease."""
        return self.role == LEADER or self.now - self.leader_heard_ms < self.leader_lease_ms

    def _on_pre_vote(self, src: int, req: VoteRequest) -> None:
        granted = bool(self.impl.grant_pre_vote(self.current_term, self.heard_from_leader(),
                                                self.last_term, self.last_index, req))
        self.send(src, PreVoteReply(self.current_term, granted, req.term))

    def _start_election(self) -> None:
        self.pre_votes = None
        self.current_term += 1
        self.voted_for = self.id
        self.votes = frozenset({self.id})
        self.leader_id = None
        self.sim.trace.emit(self.now, "timeout", self.id, term=self.current_term)
        self._set_role(CANDIDATE)
        self.monitor.on_candidacy(self.now, self.id, self.current_term)
        self._reset_election_timer()
        req = VoteRequest(self.current_term, self.id, self.last_index, self.last_term)
        for p in self.peers():
            self.send(p, req)
        self._maybe_won()

    def _maybe_won(self) -> None:
        if self.role == CANDIDATE and self.impl.election_won(self.id, self.votes, self.n):
            self._become_leader()

    def _become_leader(self) -> None:
        self.cancel_timer("election")
        self.leader_id = self.id
        self.next_index = {p: self.last_index + 1 for p in self.peers()}
        self.match_index = {p: 0 for p in self.peers()}
        self._set_role(LEADER)
        self.sim.trace.emit(self.now, "elected", self.id, term=self.current_term,
                            votes=sorted(self.votes))
        self.monitor.on_leader(self.now, self.id, self.current_term, self.log)
        self._heartbeat()

    def _heartbeat(self) -> None:
        if self.role != LEADER:
            return
        for p in self.peers():
            self._replicate(p)
        self.set_timer("heartbeat", self.heartbeat_ms, self._heartbeat)

    def _replicate(self, peer: int) -> None:
        nxt = self.next_index[peer]
        prev = nxt - 1
        entries = tuple(self.log[prev:prev + MAX_BATCH])
        self.send(peer, AppendEntries(self.current_term, self.id, prev, self._term_at(prev),
                                      entries, self.commit_index))

    # -- messages ------------------------------------------------------------------------------
    def on_message(self, src: int, msg: Any) -> None:
        if isinstance(msg, PreVote):  # asks about a term nobody holds yet: no term to observe
            self._on_pre_vote(src, msg.req)
            return
        before = (self.current_term, self.role)
        st = self.impl.observe_term(self.current_term, self.voted_for, self.role, msg.term)
        self.current_term, self.voted_for = st.term, st.voted_for
        if st.role != self.role:
            self._step_down(st.role, before)
        if isinstance(msg, VoteRequest):
            self._on_vote_request(src, msg)
        elif isinstance(msg, VoteReply):
            if self.role == CANDIDATE and msg.term == self.current_term and msg.granted:
                self.votes = self.votes | {src}
                self._maybe_won()
        elif isinstance(msg, AppendEntries):
            self._on_append(src, msg)
        elif isinstance(msg, AppendReply):
            self._on_append_reply(src, msg)
        elif isinstance(msg, PreVoteReply):
            if (self.pre_votes is not None and msg.granted
                    and msg.proposed == self.current_term + 1):
                self.pre_votes = self.pre_votes | {src}
                self._maybe_pre_won()

    def _step_down(self, role: str, before: tuple[int, str]) -> None:
        was_leader = self.role == LEADER
        self.cancel_timer("heartbeat")
        self.votes = frozenset()
        self.pre_votes = None
        self.sim.trace.emit(self.now, "step-down", self.id, was=self.role, old_term=before[0],
                            term=self.current_term)
        self._set_role(role)
        if was_leader:
            self.monitor.on_step_down(self.now, self.id, before[0], self.current_term)
        if not self.timer_armed("election"):
            self._reset_election_timer()

    def _on_vote_request(self, src: int, req: VoteRequest) -> None:
        granted = bool(self.impl.grant_vote(self.current_term, self.voted_for, self.last_term,
                                            self.last_index, req))
        if granted:
            self.voted_for = req.candidate_id
            self._reset_election_timer()
        self.send(src, VoteReply(self.current_term, granted))

    def _on_append(self, src: int, m: AppendEntries) -> None:
        if m.term < self.current_term:
            self.send(src, AppendReply(self.current_term, False, 0))
            return
        if self.role != FOLLOWER:  # a leader exists in my term: a candidate gives way
            self._step_down(FOLLOWER, (self.current_term, self.role))
        self.leader_id = m.leader_id
        self.leader_heard_ms = self.now
        self.pre_votes = None
        self._reset_election_timer()
        keep = self.impl.append_entries(LogTerms(self.log), m.prev_index, m.prev_term,
                                        EntryTerms(m.entries))
        if keep is None:
            self.send(src, AppendReply(self.current_term, False, min(m.prev_index - 1, self.last_index)))
            return
        del self.log[keep:]  # a conflicting suffix goes (nothing, when every entry matched)
        self.log.extend(m.entries[keep - m.prev_index:])
        last_new = m.prev_index + len(m.entries)
        if m.leader_commit > self.commit_index:
            self._commit_to(min(m.leader_commit, last_new))
        self.send(src, AppendReply(self.current_term, True, last_new))

    def _on_append_reply(self, src: int, m: AppendReply) -> None:
        if self.role != LEADER or m.term != self.current_term:
            return
        if m.success:
            if m.match_index > self.match_index[src]:
                self.match_index[src] = m.match_index
            self.next_index[src] = self.match_index[src] + 1
            self._advance_commit()
        else:
            self.next_index[src] = max(1, min(self.next_index[src] - 1, m.match_index + 1))
            self._replicate(src)

    def _advance_commit(self) -> None:
        matches = [self.last_index, *self.match_index.values()]
        new = self.impl.advance_commit(matches, LogTerms(self.log), self.current_term,
                                       self.commit_index, self.impl.quorum(self.n))
        if new > self.commit_index:
            self.monitor.on_leader_commit(self.now, self.id, self.current_term, new,
                                          self.log[new - 1])
            self._commit_to(new)

    def _commit_to(self, index: int) -> None:
        if index > self.commit_index:
            self.monitor.on_commit(self.now, self.id, self.log, self.commit_index, index)
            self.commit_index = index

    # -- clients -------------------------------------------------------------------------------
    def submit(self, command: int) -> bool:
        """A client command; only a server that believes it leads accepts it. It goes out with
        the next heartbeat, so followers hear from the leader exactly every ``heartbeat_ms``."""
        if not self.up or self.role != LEADER:
            return False
        self.log.append((self.current_term, command))
        self.monitor.on_accept(self.now, self.id, self.current_term, self.last_index)
        return True


#: what an event keeps of each message, after its kind, in the order ``summary`` gives them
FIELDS = {
    "RequestVote": ("term", "last_log_index", "last_log_term"),
    "VoteReply": ("term", "granted"),
    "AppendEntries": ("term", "prev_index", "entries", "leader_commit"),
    "AppendReply": ("term", "success", "match_index"),
    "PreVote": ("term", "last_log_index", "last_log_term"),
    "PreVoteReply": ("term", "granted"),
}


def summary(msg: Any) -> tuple[Any, ...]:
    """A message as its RPC's name (as the Raft paper calls it) and the values of its FIELDS; an
    AppendEntries counts its entries (none: a heartbeat). Numbers and strings only, so the
    network can keep every message of a run cheaply."""
    if isinstance(msg, AppendEntries):
        return "AppendEntries", msg.term, msg.prev_index, len(msg.entries), msg.leader_commit
    if isinstance(msg, AppendReply):
        return "AppendReply", msg.term, msg.success, msg.match_index
    if isinstance(msg, VoteRequest):
        return "RequestVote", msg.term, msg.last_log_index, msg.last_log_term
    if isinstance(msg, VoteReply):
        return "VoteReply", msg.term, msg.granted
    if isinstance(msg, PreVote):
        return "PreVote", msg.req.term, msg.req.last_log_index, msg.req.last_log_term
    if isinstance(msg, PreVoteReply):
        return "PreVoteReply", msg.term, msg.granted
    return (type(msg).__name__,)


def client_process(sim: Simulation, servers: Sequence[RaftServer],
                   rate_per_s: float) -> Generator[Event, Any, None]:
    """Clients everywhere: each command goes to every server that believes it is the leader, the
    way clients on both sides of a partition each reach the leader they can see."""
    if rate_per_s <= 0:
        return
    gap = Draws(Exp(1000.0 / rate_per_s), sim.rng("raft.clients"), first=Draws.SMALL_FIRST)
    timeout = sim.env.timeout
    command = 0
    while True:
        yield timeout(gap())
        command += 1
        for server in servers:  # in id order
            server.submit(command)
