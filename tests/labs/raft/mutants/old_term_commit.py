"""advance_commit counts replicas of any entry, an old term's too: the Figure 8 trap."""

from dslab.labs.raft.rules import (  # noqa: F401
    append_entries,
    election_won,
    entries_match,
    grant_pre_vote,
    grant_vote,
    log_is_up_to_date,
    observe_term,
    quorum,
)


def advance_commit(match_index, log_terms, current_term, commit_index, quorum_size):
    ranked = sorted(match_index, reverse=True)
    return max(commit_index, ranked[quorum_size - 1])
