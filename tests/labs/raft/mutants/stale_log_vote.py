"""grant_vote skips the up-to-date check, so a candidate with a stale log can be elected."""

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
    return voted_for is None or voted_for == req.candidate_id
