"""The Raft exercise checker has teeth: it passes the reference rules, fails every untouched stub
with "not implemented yet", and rejects each known-wrong implementation in ``mutants/`` at the
rule that is wrong, both through the library and through ``dslab check``."""

from __future__ import annotations

from pathlib import Path

import pytest

import dslab.check
from dslab.check import NOT_YET, CheckReport, run_checker
from dslab.cli import main
from dslab.impl import load_module
from dslab.labs.raft.lab import LAB
from dslab.labs.raft.rules import EXERCISE

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
STUBS = REPO / "labs" / "raft" / "exercise.py"
REFERENCE = HERE / "reference_impl.py"
MUTANTS = sorted((HERE / "mutants").glob("*.py"))

#: For each mutant, the checker test that exists to catch that bug (a prefix of its name, so a
#: parametrized test counts through any of its cases).
CAUGHT_BY = {
    "votes_twice": "test_grant_vote_at_most_once_per_term",
    "stale_log_vote": "test_grant_vote_refuses_a_stale_log",
    "no_step_down": "test_observe_term_steps_down_on_a_higher_term",
    "majority_off_by_one": "test_quorum_is_a_strict_majority",
    "own_vote_twice": "test_election_won_counts_each_voter_once",
}

#: Checker tests that drive a whole cluster; any wrong rule may show up in them too.
WHOLE_CLUSTER = "test_all_rules_"


_REPORTS: dict[Path, CheckReport] = {}


def report(path: Path) -> CheckReport:
    """One checker run per file, shared by every test that asks about it (each run is a pytest
    subprocess of a few seconds)."""
    key = path.resolve()
    if key not in _REPORTS:
        _REPORTS[key] = run_checker(LAB, key)
    return _REPORTS[key]


def failed(rep: CheckReport) -> list[str]:
    return [v.test for v in rep.verdicts if not v.passed]


def broken_rules(path: Path) -> list[str]:
    """The exercise functions a mutant defines itself (the rest it imports from the reference)."""
    module = load_module(path)
    return [n for n in EXERCISE if getattr(module, n).__module__ != "dslab.labs.raft.rules"]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Rich wraps tables to the terminal width; a wide one keeps each hint on one line."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def shared_checker(monkeypatch):
    """``dslab check`` runs the real checker, and its report joins the shared ones, so the
    library tests below do not run the same file again."""
    real = dslab.check.run_checker

    def run(lab, impl=None, **kwargs):
        key = Path(impl).resolve() if impl else STUBS
        if key not in _REPORTS:
            _REPORTS[key] = real(lab, impl, **kwargs)
        return _REPORTS[key]

    monkeypatch.setattr(dslab.check, "run_checker", run)


# -- through the command line (first, so their checker runs are the ones shared) --------------

def test_cli_check_rejects_a_mutant(capsys, shared_checker):
    mutant = HERE / "mutants" / "votes_twice.py"
    assert main(["check", "raft", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "grant vote at most once per term" in out
    assert "✘ failed" in out and "§5.2" in out


def test_cli_check_on_the_stubs_says_not_implemented_yet(capsys, monkeypatch, shared_checker):
    monkeypatch.chdir(REPO)
    assert main(["check", "raft"]) == 1
    out = capsys.readouterr().out
    assert NOT_YET in out
    assert "0 of" in out and "rules pass" in out


def test_cli_run_on_the_stubs_stops_with_not_implemented_yet(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["run", "raft", "--impl", "labs/raft/exercise.py", "--no-plot"]) == 2
    err = capsys.readouterr().err
    assert NOT_YET in err


def test_cli_run_with_a_short_majority_breaks_safety_in_a_partition(capsys):
    # Deterministic at seed 1 (the default), and not by luck: with a "quorum" of 2 of 5 the
    # leader commits as soon as one follower stores an entry, before the partition even starts
    # (t=268 ms), and again on the cut-off side. Seeds 1 to 10 all break this check.
    mutant = HERE / "mutants" / "majority_off_by_one.py"
    assert main(["run", "raft", "--partition", "--impl", str(mutant), "--no-plot"]) == 1
    out = capsys.readouterr().out
    assert "a minority side never commits" in out


# -- through the library ---------------------------------------------------------------------


def test_mutants_are_catalogued():
    names = {p.stem for p in MUTANTS}
    assert names >= set(CAUGHT_BY), f"mutants listed but missing: {set(CAUGHT_BY) - names}"
    for path in MUTANTS:
        assert path.stem in CAUGHT_BY, f"{path.name}: add the checker test that must catch it"
        assert len(broken_rules(path)) == 1, f"{path.name} should break exactly one rule"


def test_reference_passes_every_rule():
    rep = report(REFERENCE)
    assert rep.passed, [(v.test, v.hint) for v in rep.verdicts if not v.passed]
    tested = {name for name in EXERCISE if any(v.test.startswith(f"test_{name}_")
                                               for v in rep.verdicts)}
    assert tested == set(EXERCISE), f"rules with no test: {set(EXERCISE) - tested}"
    assert any(v.test.startswith(WHOLE_CLUSTER) for v in rep.verdicts)


def test_untouched_stubs_fail_every_rule_with_not_implemented_yet():
    rep = report(STUBS)
    assert len(rep.verdicts) == len(report(REFERENCE).verdicts)
    assert not rep.passed
    wrong = [(v.test, v.passed, v.hint) for v in rep.verdicts if v.passed or v.hint != NOT_YET]
    assert not wrong, wrong


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_mutant_is_rejected_at_the_rule_it_breaks(mutant):
    rep = report(mutant)
    assert not rep.passed, f"the checker passed {mutant.name}: {mutant.read_text()[:200]}"
    [rule] = broken_rules(mutant)
    blamed = failed(rep)
    assert any(t.startswith(f"test_{rule}_") for t in blamed), (rule, blamed)
    # A wrong rule must not make the checker blame a rule that is right.
    elsewhere = [t for t in blamed if not t.startswith((f"test_{rule}_", WHOLE_CLUSTER))]
    assert not elsewhere, elsewhere
    hints = [v.hint for v in rep.verdicts if not v.passed]
    assert all(h and h != NOT_YET for h in hints), hints


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_mutant_is_caught_by_its_own_test(mutant):
    expected = CAUGHT_BY.get(mutant.stem)
    assert expected, f"{mutant.name}: add the checker test that must catch it to CAUGHT_BY"
    blamed = failed(report(mutant))
    assert any(t.startswith(expected) for t in blamed), (expected, blamed)

