"""Raft exercise: write the rules a server uses to elect a leader safely, then the ones that keep
its log consistent and decide what is committed.

Two tiers. The first five functions (quorum to observe_term) elect a leader; the last three
(grant_pre_vote, append_entries, advance_commit) are the second tier: PreVote, the
AppendEntries consistency check and the leader's commit rule. Do the first tier first. While a
second-tier function still raises NotImplementedError, ``dslab run --impl`` uses dslab's own
rule in its place (and says so once), so your election rules can drive a cluster on their own.

Each function is pure: plain values in, an answer out; no clock, no network, no state kept
between calls. The simulator calls them for every server and every message, so once they are
right, the whole cluster runs on your code.

Replace each ``raise NotImplementedError`` with your rule, then check them in this folder (every
failing rule comes with a hint, and ``--rule NAME`` checks one rule alone, ``--rule grant_vote``
say, while the second tier is still untouched):

    dslab check raft

and watch your rules drive a cluster through a partition, where a wrong rule shows up as two
leaders in one term or as a commit on the minority side:

    dslab run raft --partition --impl exercise.py

The rule numbers below (Figure 2, Figure 8, §5.2, §5.3, §5.4) point into the Raft paper, "In
Search of an Understandable Consensus Algorithm" by Ongaro and Ousterhout (2014); §9.6 into
Ongaro's dissertation, "Consensus: Bridging Theory and Practice" (2014).
"""

from __future__ import annotations

# The roles and the two record types your rules will need; nothing else is imported for you.
# (Sequence is only for the type hints: a log arrives as a sequence of terms, indexable and sized.)
from collections.abc import Sequence

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


# -- second tier: PreVote, the log's consistency check, the commit rule ---------------------------

def grant_pre_vote(current_term: int, heard_from_leader: bool, my_last_term: int,
                   my_last_index: int, req: VoteRequest) -> bool:
    """PreVote (dissertation §9.6): would I vote for ``req.candidate_id`` if it stood in
    ``req.term``?

    With PreVote on (``--set pre_vote=true``), a server whose election timeout fires does not
    raise its term at once. It asks everyone first, with ``req.term`` set to the term it would
    stand in (its own plus one), and only a majority's yes starts the real election. A server cut
    off alone can then time out for ever without inflating its term, so when it comes back it
    cannot depose a healthy leader. Answering changes nothing on my side: I keep my term and my
    vote. ``heard_from_leader`` is True when I lead, or have heard from a leader within the
    shortest election timeout.

    Say yes only if all three hold: I have not heard from a leader lately (a live leader is no
    reason to elect another), ``req.term`` is later than my term, and the candidate's log is at
    least as up to date as mine (the same test as a real vote, §5.4.1).

    Hint: you may call your own log_is_up_to_date.
    """
    raise NotImplementedError("not implemented yet")


def append_entries(log_terms: Sequence[int], prev_index: int, prev_term: int,
                   entry_terms: Sequence[int]) -> int | None:
    """A follower receives AppendEntries: how much of its log survives (Figure 2, receiver
    steps 2 to 4)?

    ``log_terms`` is my log as the terms of its entries: ``log_terms[i]`` is the term of entry
    ``i + 1`` (entries are numbered from 1). The leader sends the entries that follow its entry
    at ``prev_index``, whose term is ``prev_term`` (``prev_index`` 0: from the very start), and
    ``entry_terms`` holds their terms, for indexes ``prev_index + 1`` onwards (empty for a
    heartbeat).

    Return None if my log has no entry at ``prev_index`` with term ``prev_term`` (the
    consistency check, §5.3: the leader then retries from further back). Otherwise return how
    many of my entries stay; the simulator cuts my log to that length and appends the leader's
    entries from there on. Walk through the leader's entries: one whose index I already hold with
    the same term stays; the first whose term differs from mine at that index is a conflict, and
    that entry and every one after it go. If nothing conflicts, everything stays, including
    entries beyond the last one sent.

    Hint: messages arrive late and out of order. A heartbeat sent before the leader's last
    batch may arrive after it; if you cut my log at ``prev_index`` on every request, that old
    heartbeat deletes entries I have already told the leader I store.
    """
    raise NotImplementedError("not implemented yet")


def advance_commit(match_index: Sequence[int], log_terms: Sequence[int], current_term: int,
                   commit_index: int, quorum_size: int) -> int:
    """The leader's new commit index (§5.3, §5.4.2).

    ``match_index`` holds, for every server including the leader itself, the highest index known
    to be stored there; ``log_terms`` is the leader's log as terms (``log_terms[n - 1]`` is the
    term of entry ``n``; none is later than ``current_term``, the leader's own); ``commit_index``
    is the current commit index, and ``quorum_size`` the number of servers that make a majority
    (at least 1, and at most ``len(match_index)``).

    Return the highest index N that a majority (``quorum_size`` or more of ``match_index``)
    stores and whose entry is from ``current_term``; if there is none above ``commit_index``,
    return ``commit_index``: the commit index never goes back.

    Hint: Figure 8. An entry from an earlier term can sit on a majority and still be
    overwritten by a later leader elected without it; so the leader never commits one by
    counting its replicas. It becomes committed along with the first entry of the leader's own
    term that reaches a majority, since everything before a committed entry is committed too.
    """
    raise NotImplementedError("not implemented yet")
