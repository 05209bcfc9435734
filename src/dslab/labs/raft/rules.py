"""Raft's decisions as pure functions (the reference solution of the exercise).

Nothing here knows about time or messages; ``model.py`` calls these through an implementation
object, so a learner's version of the exercise rules can be swapped in and tested on its own.
Follows Figure 2 of the Raft paper (Ongaro and Ousterhout, 2014), and §9.6 of Ongaro's
dissertation (2014) for PreVote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"

#: The first tier of the exercise: the rules that elect a leader safely.
ELECTION_RULES = ("quorum", "election_won", "log_is_up_to_date", "grant_vote", "observe_term")
#: The second tier: the log's consistency check, the leader's commit rule, and PreVote. A run on
#: a learner's file whose second-tier rule is still a stub uses the reference one (``tiers.py``).
REPLICATION_RULES = ("append_entries", "advance_commit", "grant_pre_vote")
#: The rules the exercise asks a learner to write; the rest stay as given.
EXERCISE = ELECTION_RULES + REPLICATION_RULES
#: rules a learner's file may lack: a workspace made before the second tier existed. Each
#: missing one is a stub that is "not implemented yet", so a run uses the reference in its
#: place (``tiers``) and the checker reports it unwritten.
OPTIONAL_RULES = REPLICATION_RULES


@dataclass(frozen=True, slots=True)
class VoteRequest:
    """RequestVote's arguments: the candidate's term, id and the position of its last log entry."""

    term: int
    candidate_id: int
    last_log_index: int
    last_log_term: int


class TermState(NamedTuple):
    """What a server remembers about terms: its current term, its vote in it, and its role."""

    term: int
    voted_for: int | None
    role: str


def quorum(cluster_size: int) -> int:
    """The fewest servers that form a majority of ``cluster_size``: any two such sets overlap."""
    return cluster_size // 2 + 1


def election_won(candidate_id: int, granted_by: frozenset[int], cluster_size: int) -> bool:
    """Whether a candidate holding votes from ``granted_by`` (its own vote included) has won."""
    return len(granted_by) >= quorum(cluster_size)


def log_is_up_to_date(cand_last_term: int, cand_last_index: int,
                      my_last_term: int, my_last_index: int) -> bool:
    """True if the candidate's log is at least as up to date as mine (Raft §5.4.1): the later
    last term wins; with equal last terms, the longer log wins."""
    if cand_last_term != my_last_term:
        return cand_last_term > my_last_term
    return cand_last_index >= my_last_index


def grant_vote(current_term: int, voted_for: int | None, my_last_term: int, my_last_index: int,
               req: VoteRequest) -> bool:
    """Whether to vote for ``req.candidate_id``. ``observe_term`` has already been applied, so a
    request from a later term has raised ``current_term`` and cleared ``voted_for``."""
    if req.term < current_term:
        return False
    if voted_for is not None and voted_for != req.candidate_id:
        return False
    return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term, my_last_index)


def observe_term(current_term: int, voted_for: int | None, role: str, msg_term: int) -> TermState:
    """Apply the term carried by any message: a later term makes this server a follower of that
    term with no vote cast yet; an equal or earlier term changes nothing."""
    if msg_term > current_term:
        return TermState(msg_term, None, FOLLOWER)
    return TermState(current_term, voted_for, role)


def grant_pre_vote(current_term: int, heard_from_leader: bool, my_last_term: int,
                   my_last_index: int, req: VoteRequest) -> bool:
    """PreVote (dissertation §9.6): would I vote for ``req.candidate_id`` if it raised its term
    to ``req.term``? Yes only if that term is later than mine, its log is at least as up to date
    as mine, and I have not heard from a leader within the shortest election timeout. Answering
    changes nothing here: no term adopted, no vote recorded."""
    if heard_from_leader or req.term <= current_term:
        return False
    return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term, my_last_index)


def append_entries(log_terms: Sequence[int], prev_index: int, prev_term: int,
                   entry_terms: Sequence[int]) -> int | None:
    """A follower's AppendEntries (Figure 2, receiver steps 2 to 4): None if my log holds no
    entry at ``prev_index`` of term ``prev_term`` (the leader backs up and retries); otherwise
    how many of my entries stay, the leader's entries beyond them being appended. The entries
    arrive at ``prev_index + 1`` on; the first whose term differs from mine at that index is a
    conflict, and it and everything after it go. Entries that match stay, and so do any beyond
    the last one sent: a delayed, shorter request must not cut what a later one added."""
    if not entries_match(log_terms, prev_index, prev_term):
        return None
    for k, term in enumerate(entry_terms):
        index = prev_index + k + 1
        if index > len(log_terms):
            return len(log_terms)
        if log_terms[index - 1] != term:
            return index - 1
    return len(log_terms)


def advance_commit(match_index: Sequence[int], log_terms: Sequence[int], current_term: int,
                   commit_index: int, quorum_size: int) -> int:
    """The leader's new commit index: the highest N replicated on a quorum (the leader counts
    itself in ``match_index``) whose entry is from the current term (Raft §5.4.2). An entry of
    an earlier term is never committed by counting its replicas (Figure 8 shows one so counted
    and then overwritten); it becomes committed along with a later entry of the current term.
    ``quorum_size`` is between 1 and ``len(match_index)``, and the leader's log holds no entry
    of a term later than ``current_term``; the guard below is for a run whose learner's
    ``quorum`` breaks the first, so that the run reports their rule, not an IndexError here."""
    ranked = sorted(match_index, reverse=True)
    n = ranked[quorum_size - 1] if 0 < quorum_size <= len(ranked) else 0
    while n > commit_index:
        if log_terms[n - 1] == current_term:
            return n
        n -= 1
    return commit_index


# -- given rules (not part of the exercise) ------------------------------------------------------

def entries_match(log_terms: Sequence[int], prev_index: int, prev_term: int) -> bool:
    """AppendEntries' consistency check: does my log hold an entry at ``prev_index`` (1-based;
    0 means 'before the first entry') whose term is ``prev_term``?"""
    if prev_index == 0:
        return True
    return prev_index <= len(log_terms) and log_terms[prev_index - 1] == prev_term


@runtime_checkable
class Rules(Protocol):
    """What the cluster model calls: this module satisfies it, and so does a learner's overlay
    (``LAB.load_impl(path)``), whose exercise rules replace these."""

    def quorum(self, cluster_size: int) -> int: ...
    def election_won(self, candidate_id: int, granted_by: frozenset[int],
                     cluster_size: int) -> bool: ...
    def log_is_up_to_date(self, cand_last_term: int, cand_last_index: int, my_last_term: int,
                          my_last_index: int) -> bool: ...
    def grant_vote(self, current_term: int, voted_for: int | None, my_last_term: int,
                   my_last_index: int, req: VoteRequest) -> bool: ...
    def observe_term(self, current_term: int, voted_for: int | None, role: str,
                     msg_term: int) -> TermState: ...
    def append_entries(self, log_terms: Sequence[int], prev_index: int, prev_term: int,
                       entry_terms: Sequence[int]) -> int | None: ...
    def grant_pre_vote(self, current_term: int, heard_from_leader: bool, my_last_term: int,
                       my_last_index: int, req: VoteRequest) -> bool: ...
    def advance_commit(self, match_index: Sequence[int], log_terms: Sequence[int],
                       current_term: int, commit_index: int, quorum_size: int) -> int: ...


# -- what a learner's answers must also satisfy ----------------------------------------------------
# Beyond its type (checked from the annotations above), an answer of a learner's rule is checked
# against these as the simulation runs on it (dslab.impl): each takes the answer and the rule's
# arguments and says, as the end of the sentence "Your <rule> (file line N) ...", what is wrong,
# or returns None. Only answers the simulation could not go on with are refused here; a wrong but
# usable answer is for the run's checks and the checker to find.

ROLES = (FOLLOWER, CANDIDATE, LEADER)


def _known_role(answer: TermState, *args: Any) -> str | None:
    if answer.role in ROLES:
        return None
    return (f"returned a TermState whose role is {answer.role!r}, but a role is one of "
            f"{', '.join(map(repr, ROLES))}")


def _kept_in_range(answer: int | None, log_terms: Sequence[int], prev_index: int, *args: Any) -> str | None:
    if answer is None or prev_index <= answer <= len(log_terms):
        return None
    return (f"returned {answer}, but the entries kept run from 0 to at least prev_index "
            f"({prev_index}) and at most the log's length ({len(log_terms)}): keeping fewer "
            "would leave a hole before the leader's entries")


BOUNDS = {"observe_term": _known_role, "append_entries": _kept_in_range}
