"""grant_pre_vote forgets the live leader: it grants whenever the term is later and the log up to
date, so a server whose timer fired first can depose a healthy leader."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    append_entries,
    election_won,
    entries_match,
    grant_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)


def grant_pre_vote(current_term, heard_from_leader, my_last_term, my_last_index, req):
    return req.term > current_term and log_is_up_to_date(req.last_log_term, req.last_log_index,
                                                         my_last_term, my_last_index)
