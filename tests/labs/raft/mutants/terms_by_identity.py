"""Terms compared with 'is not' instead of '!=': fine for small terms, wrong past 256."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    append_entries,
    election_won,
    grant_pre_vote,
    grant_vote,
    observe_term,
    quorum,
)


def log_is_up_to_date(cand_last_term, cand_last_index, my_last_term, my_last_index):
    if cand_last_term is not my_last_term:
        return cand_last_term > my_last_term
    return cand_last_index >= my_last_index
