"""append_entries never deletes a conflicting suffix: it keeps the whole log and appends only what
lies beyond it, so entries no leader wrote stay."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    election_won,
    entries_match,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)


def append_entries(log_terms, prev_index, prev_term, entry_terms):
    if not entries_match(log_terms, prev_index, prev_term):
        return None
    return len(log_terms)
