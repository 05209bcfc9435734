"""Raft exercise: write the five rules a server uses to elect a leader safely.

Each function is pure: plain values in, an answer out; no clock, no network, no state kept
between calls. The simulator calls them for every server and every message, so once they are
right, the whole cluster runs on your code.

Replace each ``raise NotImplementedError`` with your rule, then check them in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone):

    dslab check raft

and watch your rules drive a cluster through a partition, where a wrong rule shows up as two
leaders in one term or as a commit on the minority side:

    dslab run raft --partition --impl exercise.py

The rule numbers below (Figure 2, §5.2, §5.4.1) point into the Raft paper, "In Search of an
Understandable Consensus Algorithm" by Ongaro and Ousterhout (2014).
"""

from __future__ import annotations

# The roles and the two record types your rules will need; nothing else is imported for you.
from dslab.labs.raft.rules import CANDIDATE, FOLLOWER, LEADER, TermState, VoteRequest  # noqa: F401


def quorum(cluster_size: int) -> int:
    """How many servers, out of ``cluster_size``, it takes to decide anything.

    Raft uses the same number to win an election and to commit an entry. Choose it so that any
    two groups of that size always share at least one server: that shared server is what stops
    two leaders in one term and keeps a committed entry from being forgotten. Take the smallest
    number with that property, or the cluster loses tolerance to failures for nothing.

    Hint: try it by hand for 3, 4 and 5 servers. What goes wrong with a 4-server cluster split
    2 and 2?
    """
    raise NotImplementedError("not implemented yet")


def election_won(candidate_id: int, granted_by: frozenset[int], cluster_size: int) -> bool:
    """Has the candidate ``candidate_id`` won its election?

    ``granted_by`` is the set of servers that have granted it a vote in its current term, and
    the candidate has already voted for itself, so its own id is in the set. The candidate
    becomes leader once the voters form a quorum of the whole cluster (§5.2), counting servers
    that are down or unreachable as part of ``cluster_size``.

    Hint: a set holds each voter once. Think about whether the candidate's own vote is already
    in ``granted_by`` before you count it.
    """
    raise NotImplementedError("not implemented yet")


def log_is_up_to_date(cand_last_term: int, cand_last_index: int,
                      my_last_term: int, my_last_index: int) -> bool:
    """Is the candidate's log at least as up to date as mine (§5.4.1)?

    A log is summed up by its last entry: the term that entry was written in and its index
    (the log's length; an empty log has last term 0 and last index 0). A voter refuses any
    candidate whose log is behind its own, which is how Raft makes sure a new leader already
    holds every committed entry.

    Hint: compare the last terms first. Only when they are equal does the length matter, and a
    log exactly as long as mine counts as up to date. A longer log is not automatically newer.
    """
    raise NotImplementedError("not implemented yet")


def grant_vote(current_term: int, voted_for: int | None, my_last_term: int, my_last_index: int,
               req: VoteRequest) -> bool:
    """Should I vote for ``req.candidate_id``, who asks with the request ``req``?

    The simulator calls ``observe_term`` with ``req.term`` first, so ``current_term`` and
    ``voted_for`` already reflect it: if the request came from a later term, my term has been
    raised to it and I have no vote cast yet. ``voted_for`` is whom I voted for in
    ``current_term`` (None if nobody). If you say yes, the simulator records the vote.

    Figure 2 gives three reasons to refuse: the request is from an older term; I have already
    voted for a different candidate this term (one vote per server per term is what lets a
    majority mean something, §5.2); or the candidate's log is behind mine (§5.4.1).

    Hint: a candidate may ask the same server twice, because a reply can be lost. Saying yes
    again to the candidate you already voted for is harmless; you still hold one vote.
    """
    raise NotImplementedError("not implemented yet")


def observe_term(current_term: int, voted_for: int | None, role: str, msg_term: int) -> TermState:
    """What my term, vote and role become after I see a message carrying ``msg_term``.

    Every Raft message, request or reply, carries its sender's term, and the simulator calls
    this before handling any of them. Figure 2, "rules for all servers": a later term means my
    information is out of date, so I move to that term and become a follower, whatever I was.
    ``role`` is one of FOLLOWER, CANDIDATE or LEADER. An equal or earlier term changes nothing
    here (the message handlers deal with stale messages themselves).

    Return ``TermState(term, voted_for, role)``.

    Hint: a vote belongs to one term. When the term changes, what becomes of the vote I cast
    in the old one?
    """
    raise NotImplementedError("not implemented yet")
