"""grant_vote ignores voted_for, so a server can vote for two candidates in one term."""

from dslab.labs.raft.rules import (  # noqa: F401
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
    return log_is_up_to_date(req.last_log_term, req.last_log_index, my_last_term, my_last_index)
