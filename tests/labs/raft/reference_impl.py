"""The reference rules as an exercise file: the checker must pass every test on it."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    append_entries,
    election_won,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)
