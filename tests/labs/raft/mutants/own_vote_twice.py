"""election_won adds the candidate's own vote again, though granted_by already holds it."""

from dslab.labs.raft.rules import (  # noqa: F401
    advance_commit,
    append_entries,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)


def election_won(candidate_id, granted_by, cluster_size):
    return len(granted_by) + 1 >= quorum(cluster_size)
