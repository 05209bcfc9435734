"""A correct solution in another style: numpy integers where ints are asked (as a learner who
computed with arrays might return them), and every case spelled out as its own branch."""

import numpy as np

from dslab.labs.raft.rules import FOLLOWER, TermState, VoteRequest


def quorum(cluster_size: int) -> int:
    return int(np.floor_divide(cluster_size, 2)) + 1


def election_won(candidate_id: int, granted_by: frozenset[int], cluster_size: int) -> bool:
    votes = np.int64(len(granted_by))
    return bool(votes * 2 > cluster_size)


def log_is_up_to_date(cand_last_term: int, cand_last_index: int,
                      my_last_term: int, my_last_index: int) -> bool:
    if cand_last_term > my_last_term:
        return True
    if cand_last_term < my_last_term:
        return False
    if cand_last_index > my_last_index:
        return True
    if cand_last_index == my_last_index:
        return True
    return False


def grant_vote(current_term: int, voted_for: int | None, my_last_term: int, my_last_index: int,
               req: VoteRequest) -> bool:
    if req.term < current_term:
        return False
    if voted_for is None or voted_for == req.candidate_id:
        return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term,
                                 my_last_index)
    return False


def observe_term(current_term: int, voted_for: int | None, role: str, msg_term: int) -> TermState:
    if msg_term <= current_term:
        return TermState(term=current_term, voted_for=voted_for, role=role)
    return TermState(term=msg_term, voted_for=None, role=FOLLOWER)


def grant_pre_vote(current_term: int, heard_from_leader: bool, my_last_term: int,
                   my_last_index: int, req: VoteRequest) -> bool:
    if heard_from_leader:
        return False
    if req.term > current_term:
        return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term,
                                 my_last_index)
    return False


def append_entries(log_terms, prev_index: int, prev_term: int, entry_terms) -> int | None:
    mine = np.asarray(list(log_terms), dtype=np.int64)
    if prev_index > len(mine):
        return None
    if prev_index > 0 and mine[prev_index - 1] != prev_term:
        return None
    theirs = np.asarray(list(entry_terms), dtype=np.int64)
    overlap = min(len(theirs), len(mine) - prev_index)
    differ = np.nonzero(mine[prev_index:prev_index + overlap] != theirs[:overlap])[0]
    if len(differ):
        return prev_index + int(differ[0])
    return len(mine)


def advance_commit(match_index, log_terms, current_term: int, commit_index: int,
                   quorum_size: int) -> int:
    matches = np.asarray(list(match_index), dtype=np.int64)
    best = commit_index
    for n in range(commit_index + 1, int(matches.max(initial=0)) + 1):
        if np.count_nonzero(matches >= n) >= quorum_size and log_terms[n - 1] == current_term:
            best = n
    return best
