"""The exercise's two tiers: a learner who has written only the election rules can run the
cluster on them (a second-tier stub runs as the reference, with one note each) and check one
election rule alone; the checker's second-tier tests still fail such a stub."""

from __future__ import annotations

import pytest

from dslab.check import NOT_YET
from dslab.cli import main
from dslab.labs.raft import rules, tiers
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.lab import LAB

FIRST_TIER_ONLY = '''
from dslab.labs.raft.rules import (  # the election rules, "written"
    election_won, grant_vote, log_is_up_to_date, observe_term, quorum,
)


def grant_pre_vote(current_term, heard_from_leader, my_last_term, my_last_index, req):
    raise NotImplementedError("not implemented yet")


def append_entries(log_terms, prev_index, prev_term, entry_terms):
    raise NotImplementedError("not implemented yet")


def advance_commit(match_index, log_terms, current_term, commit_index, quorum_size):
    raise NotImplementedError("not implemented yet")
'''


@pytest.fixture
def first_tier(tmp_path, monkeypatch):
    monkeypatch.setattr(tiers, "_NOTED", set())
    path = tmp_path / "exercise.py"
    path.write_text(FIRST_TIER_ONLY)
    return path


def test_a_run_on_the_first_tier_alone_uses_the_reference_second_tier(first_tier, capsys):
    argv = ["run", "raft", "--rejoin", "--set", "pre_vote=true", "--impl", str(first_tier),
            "--no-plot", "--json"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    for rule in rules.REPLICATION_RULES:
        assert err.count(f"note: {rule} in") == 1, err
    assert "not implemented yet" in err


def test_the_fallback_changes_nothing_in_the_run(first_tier):
    params = LAB.make_params("partition", {"pre_vote": "true"})
    theirs = LAB.run(params, 3, impl=LAB.load_impl(first_tier))
    ours = LAB.run(params, 3)
    assert theirs.metrics == ours.metrics


def test_a_strict_cluster_lets_the_stub_say_it_is_not_written(first_tier):
    impl = LAB.watched(LAB.load_impl(first_tier))
    cluster = RaftCluster(LAB.make_params("default", {"duration_ms": "1000"}), 1, impl, strict=True)
    with pytest.raises(NotImplementedError):
        cluster.finish()


def test_check_one_election_rule_with_the_second_tier_untouched(first_tier, capsys):
    assert main(["check", "raft", "--rule", "grant_vote", "--impl", str(first_tier)]) == 0
    capsys.readouterr()
    assert main(["check", "raft", "--impl", str(first_tier)]) == 1
    out = capsys.readouterr().out
    assert NOT_YET in out and "5 of 8 rules pass" in out, out


def test_the_reference_rules_are_never_wrapped():
    assert tiers.with_fallback(rules) is rules
    impl = LAB.load_impl()
    assert tiers.with_fallback(impl) is impl


def test_a_workspace_from_before_the_second_tier_still_runs_and_checks(tmp_path, capsys,
                                                                      monkeypatch):
    # An exercise.py made by `dslab init raft` before the second tier has none of its functions:
    # each is taken as a stub, so the run uses the reference (with its note) and the checker
    # says those rules are not implemented yet, rather than refusing the whole file.
    monkeypatch.setattr(tiers, "_NOTED", set())
    old = tmp_path / "exercise.py"
    old.write_text(FIRST_TIER_ONLY.split("\n\n\ndef grant_pre_vote")[0] + "\n")
    assert "def append_entries" not in old.read_text()
    assert main(["run", "raft", "--impl", str(old), "--no-plot", "--json"]) == 0
    assert "note: append_entries in" in capsys.readouterr().err
    assert main(["check", "raft", "--impl", str(old)]) == 1
    out = capsys.readouterr().out
    assert NOT_YET in out and "5 of 8 rules pass" in out, out
    assert LAB.load_impl(old).append_entries.__name__ == "append_entries"


def test_only_the_optional_rules_may_be_missing(tmp_path):
    from dslab.errors import InputError

    partial = tmp_path / "exercise.py"
    partial.write_text("from dslab.labs.raft.rules import election_won, grant_vote, quorum\n")
    with pytest.raises(InputError, match="does not define log_is_up_to_date, observe_term;"):
        LAB.load_impl(partial)
