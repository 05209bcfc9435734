"""quorum is n // 2, one server short of a majority, so two quorums need not overlap."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    append_entries,
    election_won,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    observe_term,
)


def quorum(cluster_size):
    return cluster_size // 2
