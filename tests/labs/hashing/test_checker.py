"""The hashing exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong implementation in ``mutants/`` at
the rule that is wrong, both through the library and through ``dslab check``."""

from __future__ import annotations

from pathlib import Path

import pytest

import dslab.check
from dslab.check import NOT_YET, CheckReport, run_checker
from dslab.cli import main
from dslab.impl import load_module
from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.rules import EXERCISE

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
STUBS = REPO / "labs" / "hashing" / "exercise.py"
REFERENCE = HERE / "reference_impl.py"
MUTANTS = sorted((HERE / "mutants").glob("*.py"))

#: For each mutant, the checker test that exists to catch that bug.
CAUGHT_BY = {
    "no_wrap_around": "test_ring_owner_wraps_around_past_the_last_point",
    "python_hash": "test_build_ring_is_the_same_in_every_process",
    "modulo_ring": "test_ring_owner_picks_the_next_point_clockwise",
    "colliding_vnode_labels": "test_build_ring_labels_never_collide",
    "jump_wrong_constant": "test_jump_hash_matches_the_published_algorithm",
}

#: Checker tests that run the lab on all four rules; any wrong rule may show up in them too.
WHOLE_LAB = "test_all_rules_"

_REPORTS: dict[Path, CheckReport] = {}


def report(path: Path) -> CheckReport:
    """One checker run per file, shared by every test that asks about it."""
    key = path.resolve()
    if key not in _REPORTS:
        _REPORTS[key] = run_checker(LAB, key)
    return _REPORTS[key]


def failed(rep: CheckReport) -> list[str]:
    return [v.test for v in rep.verdicts if not v.passed]


def broken_rules(path: Path) -> list[str]:
    """The exercise functions a mutant defines itself (the rest it imports from the reference)."""
    module = load_module(path)
    return [n for n in EXERCISE if getattr(module, n).__module__ != "dslab.labs.hashing.rules"]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def shared_checker(monkeypatch):
    """``dslab check`` runs the real checker, and its report joins the shared ones."""
    real = dslab.check.run_checker

    def run(lab, impl=None, **kwargs):
        key = Path(impl).resolve() if impl else STUBS
        if key not in _REPORTS:
            _REPORTS[key] = real(lab, impl, **kwargs)
        return _REPORTS[key]

    monkeypatch.setattr(dslab.check, "run_checker", run)


# -- through the command line (first, so their checker runs are the ones shared) --------------

def test_cli_check_rejects_a_mutant(capsys, shared_checker):
    mutant = HERE / "mutants" / "python_hash.py"
    assert main(["check", "hashing", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "build ring is the same in every process" in out
    assert "✘ failed" in out and "PYTHONHASHSEED" in out


def test_cli_check_on_the_stubs_says_not_implemented_yet(capsys, monkeypatch, shared_checker):
    monkeypatch.chdir(REPO)
    assert main(["check", "hashing"]) == 1
    out = capsys.readouterr().out
    assert NOT_YET in out
    assert "0 of" in out and "rules pass" in out


def test_cli_check_passes_the_reference(capsys, shared_checker):
    assert main(["check", "hashing", "--impl", str(REFERENCE)]) == 0
    assert "rules pass" in capsys.readouterr().out


def test_cli_run_on_the_stubs_stops_with_not_implemented_yet(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["run", "hashing", "--impl", "labs/hashing/exercise.py", "--no-plot"]) == 2
    assert NOT_YET in capsys.readouterr().err


def test_cli_run_with_a_modulo_ring_breaks_consistency_on_a_join(capsys):
    # Hash-mod-N posing as a ring reshuffles most keys among the old nodes when one joins: the
    # lab's check catches it whatever the seed.
    mutant = HERE / "mutants" / "modulo_ring.py"
    assert main(["run", "hashing", "--add-node", "--impl", str(mutant), "--no-plot"]) == 1
    out = capsys.readouterr().out
    assert "consistent schemes move no key between unchanged nodes" in out and "✘ broke" in out


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
    tested = {name for name in EXERCISE if any(v.test.startswith(f"test_{name}_") for v in rep.verdicts)}
    assert tested == set(EXERCISE), f"rules with no test: {set(EXERCISE) - tested}"
    assert any(v.test.startswith(WHOLE_LAB) for v in rep.verdicts)


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
    elsewhere = [t for t in blamed if not t.startswith((f"test_{rule}_", WHOLE_LAB))]
    assert not elsewhere, elsewhere
    hints = [v.hint for v in rep.verdicts if not v.passed]
    assert all(h and h != NOT_YET for h in hints), hints


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_mutant_is_caught_by_its_own_test(mutant):
    expected = CAUGHT_BY[mutant.stem]
    blamed = failed(report(mutant))
    assert any(t.startswith(expected) for t in blamed), (expected, blamed)
