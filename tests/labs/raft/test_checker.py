"""The Raft exercise checker has teeth: it passes the reference rules, fails every untouched stub
with "not implemented yet", and rejects each known-wrong implementation in ``mutants/`` at the
rule that is wrong, both through the library and through ``dslab check``."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.raft.lab import LAB

HERE = Path(__file__).resolve().parent

#: For each mutant, the checker test that exists to catch that bug (a prefix of its name, so a
#: parametrized test counts through any of its cases). Whole-cluster tests may catch any of them.
CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "votes_twice": "test_grant_vote_at_most_once_per_term",
    "stale_log_vote": "test_grant_vote_refuses_a_stale_log",
    "no_step_down": "test_observe_term_steps_down_on_a_higher_term",
    "majority_off_by_one": "test_quorum_is_a_strict_majority",
    "own_vote_twice": "test_election_won_counts_each_voter_once",
    "falsy_vote_for_zero": "test_grant_vote_counts_a_vote_for_server_0",
    "terms_by_identity": "test_log_is_up_to_date_compares_terms_by_value",
    "old_term_commit": "test_advance_commit_never_counts_replicas_of_an_old_term",
    "truncate_on_match": "test_append_entries_keeps_matching_entries_after_a_stale_request",
    "keep_conflicts": "test_append_entries_deletes_a_conflicting_suffix",
    "pre_vote_ignores_leader": "test_grant_pre_vote_refuses_while_a_leader_is_heard",
})


# -- through the command line -----------------------------------------------------------------

def test_cli_check_rejects_a_mutant(capsys, shared_checker):
    mutant = HERE / "mutants" / "votes_twice.py"
    assert main(["check", "raft", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "grant vote at most once per term" in out
    assert "✘ failed" in out and "§5.2" in out


def test_cli_run_with_a_short_majority_breaks_safety_in_a_partition(capsys):
    # Deterministic at seed 1 (the default), and not by luck: with a "quorum" of 2 of 5 the
    # leader commits as soon as one follower stores an entry, before the partition even starts
    # (t=268 ms), and again on the cut-off side. Seeds 1 to 10 all break this check.
    mutant = HERE / "mutants" / "majority_off_by_one.py"
    assert main(["run", "raft", "--partition", "--impl", str(mutant), "--no-plot"]) == 1
    out = capsys.readouterr().out
    assert "a minority side never commits" in out


# -- through the library: reference, stubs and every mutant ---------------------------------

globals().update(catalogue_tests(CATALOGUE))
