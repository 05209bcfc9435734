"""A correct solution in another style: tuple comparison for the log, a set union for the
candidate's own vote, math.ceil for the majority, and a chatty print or two."""

import math

from dslab.labs.raft.rules import FOLLOWER, TermState, VoteRequest


def quorum(cluster_size: int) -> int:
    return math.ceil((cluster_size + 1) / 2)


def election_won(candidate_id: int, granted_by: frozenset[int], cluster_size: int) -> bool:
    voters = set(granted_by) | {candidate_id}  # its own vote is already in, adding it is harmless
    return len(voters) >= quorum(cluster_size)


def log_is_up_to_date(cand_last_term: int, cand_last_index: int,
                      my_last_term: int, my_last_index: int) -> bool:
    return (cand_last_term, cand_last_index) >= (my_last_term, my_last_index)


def grant_vote(current_term: int, voted_for: int | None, my_last_term: int, my_last_index: int,
               req: VoteRequest) -> bool:
    print(f"vote request from {req.candidate_id} in term {req.term}")  # learners print things
    free = voted_for in (None, req.candidate_id)
    return (req.term >= current_term and free
            and log_is_up_to_date(req.last_log_term, req.last_log_index,
                                  my_last_term, my_last_index))


def observe_term(current_term: int, voted_for: int | None, role: str, msg_term: int) -> TermState:
    newer = msg_term > current_term
    return TermState(*(msg_term, None, FOLLOWER) if newer else (current_term, voted_for, role))


def grant_pre_vote(current_term: int, heard_from_leader: bool, my_last_term: int,
                   my_last_index: int, req: VoteRequest) -> bool:
    return (not heard_from_leader and req.term > current_term
            and (req.last_log_term, req.last_log_index) >= (my_last_term, my_last_index))


def append_entries(log_terms, prev_index, prev_term, entry_terms):
    log = list(log_terms)
    if prev_index and (len(log) < prev_index or log[prev_index - 1] != prev_term):
        return None
    pairs = zip(range(prev_index, len(log)), entry_terms, strict=False)
    conflict = next((i for i, term in pairs if log[i] != term), None)
    return len(log) if conflict is None else conflict


def advance_commit(match_index, log_terms, current_term, commit_index, quorum_size):
    ours = {n for n in range(commit_index + 1, len(log_terms) + 1)
            if log_terms[n - 1] == current_term}
    stored = {n for n in ours if sum(m >= n for m in match_index) >= quorum_size}
    return max(stored | {commit_index})
