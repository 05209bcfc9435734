"""observe_term ignores higher terms: no server adopts a newer term or steps down."""

from dslab.labs.raft.rules import (  # noqa: F401
    TermState,
    advance_commit,
    append_entries,
    election_won,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    quorum,
)


def observe_term(current_term, voted_for, role, msg_term):
    return TermState(current_term, voted_for, role)
