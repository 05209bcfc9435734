"""A vote for server 0 is forgotten: 'if voted_for' treats server 0's id as no vote at all."""

from dslab.labs.raft.rules import (  # noqa: F401
    VoteRequest,
    advance_commit,
    append_entries,
    election_won,
    grant_pre_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)


def grant_vote(current_term, voted_for, my_last_term, my_last_index, req):
    if req.term < current_term:
        return False
    if voted_for and voted_for != req.candidate_id:
        return False
    return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term, my_last_index)
