"""What every lab's checker test needs: one checker run per file, the rules a mutant breaks, and
the assertions that give a checker its teeth: it passes the reference, fails every untouched stub
with "not implemented yet", and rejects each known-wrong implementation at the rule that is wrong.

A lab's whole catalogue (reference, stubs, mutants) is checked at its first use by one worker
process, verdicts only (no shrinking: these tests read which rules fail, not the examples), and
kept for the rest of the session; the lab's tests run in one xdist worker (tests/conftest.py) so
they share that one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import dslab.check
from dslab.check import ALL_RULES, NOT_YET, CheckReport, run_checker_many
from dslab.errors import InputError
from dslab.impl import load_module
from dslab.lab import Lab

_REPORTS: dict[Path, CheckReport] = {}
_BATCHED: set[str] = set()  # labs whose catalogue has been checked in one batch (or tried to)


@dataclass
class Catalogue:
    """A lab's checker, its catalogue of known bugs (``tests/labs/<lab>/mutants``) and other
    correct solutions, written in other styles, that it must accept (``.../alternatives``)."""

    lab: Lab
    here: Path  # tests/labs/<lab>
    caught_by: dict[str, str]  # mutant -> the checker test (name prefix) that exists to catch it
    whole: str = "test_all_rules_"  # tests that run everything together; any bug may show there
    mutants: list[Path] = field(init=False)
    alternatives: list[Path] = field(init=False)

    def __post_init__(self) -> None:
        self.mutants = sorted((self.here / "mutants").glob("*.py"))
        self.alternatives = sorted((self.here / "alternatives").glob("*.py"))

    @property
    def stubs(self) -> Path:
        return self.lab.lab_dir() / "exercise.py"

    @property
    def reference(self) -> Path:
        return self.here / "reference_impl.py"

    @property
    def files(self) -> list[Path]:
        """Every file the checker is tested on: reference, stubs, mutants and alternatives."""
        return [p.resolve() for p in (self.reference, self.stubs, *self.mutants,
                                      *self.alternatives)]

    def report(self, path: Path) -> CheckReport:
        key = path.resolve()
        if key not in _REPORTS and key in self.files and self.lab.name not in _BATCHED:
            _BATCHED.add(self.lab.name)
            todo = [p for p in self.files if p not in _REPORTS]
            try:
                _REPORTS.update(zip(todo, run_checker_many(self.lab, todo, verdict_only=True),
                                    strict=True))
            except InputError:
                pass  # then each file is checked on its own, and the error shows on its own tests
        if key not in _REPORTS:
            _REPORTS[key] = run_checker_many(self.lab, [key], verdict_only=True)[0]
        return _REPORTS[key]

    def share(self, monkeypatch) -> None:
        """Make ``dslab check`` (through the CLI) use the shared reports: the catalogue's, or for
        another file, a real run of the checker that then joins them."""
        real = dslab.check.run_checker

        def run(lab, impl=None, **kwargs):
            key = Path(impl).resolve() if impl else self.stubs.resolve()
            if key in self.files:
                return self.report(key)
            if key not in _REPORTS:
                _REPORTS[key] = real(lab, impl, **kwargs)
            return _REPORTS[key]

        monkeypatch.setattr(dslab.check, "run_checker", run)

    def broken_rules(self, path: Path) -> list[str]:
        """The exercise functions a mutant defines itself (the rest it imports)."""
        module = load_module(path)
        return [n for n in self.lab.exercise_rules
                if getattr(module, n).__module__ != self.lab.rules.__name__]

    # -- the assertions -----------------------------------------------------------------------

    def assert_catalogued(self) -> None:
        names = {p.stem for p in self.mutants}
        assert names >= set(self.caught_by), f"mutants listed but missing: {set(self.caught_by) - names}"
        for path in self.mutants:
            assert path.stem in self.caught_by, f"{path.name}: add the checker test that must catch it"
            assert len(self.broken_rules(path)) == 1, f"{path.name} should break exactly one rule"

    def assert_reference_passes(self) -> None:
        rep = self.report(self.reference)
        assert rep.passed, [(v.test, v.hint) for v in rep.verdicts if not v.passed]
        rules = self.lab.exercise_rules
        # Each test checks a known rule, or all of them together; dslab check groups by rule.
        unknown = [v.test for v in rep.verdicts if v.rule not in (*rules, ALL_RULES)]
        assert not unknown, f"checker tests named after no rule (test_<rule>_...): {unknown}"
        tested = {v.rule for v in rep.verdicts}
        assert tested >= set(rules), f"rules with no test: {set(rules) - tested}"
        assert ALL_RULES in tested, "no test runs all the rules together (test_all_rules_...)"

    def assert_stubs_not_implemented(self) -> None:
        rep = self.report(self.stubs)
        assert len(rep.verdicts) == len(self.report(self.reference).verdicts)
        assert not rep.passed
        wrong = [(v.test, v.passed, v.hint) for v in rep.verdicts if v.passed or v.hint != NOT_YET]
        assert not wrong, wrong

    def assert_accepted(self, solution: Path) -> None:
        """A correct solution in another style passes every test of the checker."""
        rep = self.report(solution)
        assert rep.passed, [(v.test, v.hint) for v in rep.verdicts if not v.passed]
        assert len(rep.verdicts) == len(self.report(self.reference).verdicts)

    def assert_rejected_at_its_rule(self, mutant: Path) -> None:
        rep = self.report(mutant)
        assert not rep.passed, f"the checker passed {mutant.name}: {mutant.read_text()[:200]}"
        [rule] = self.broken_rules(mutant)
        blamed = [v.test for v in rep.verdicts if not v.passed]
        assert any(t.startswith(f"test_{rule}_") for t in blamed), (rule, blamed)
        # A wrong rule must not make the checker blame a rule that is right.
        elsewhere = [t for t in blamed if not t.startswith((f"test_{rule}_", self.whole))]
        assert not elsewhere, elsewhere
        hints = [v.hint for v in rep.verdicts if not v.passed]
        assert all(h and h != NOT_YET for h in hints), hints

    def assert_caught_by_its_own_test(self, mutant: Path) -> None:
        expected = self.caught_by.get(mutant.stem)
        assert expected, f"{mutant.name}: add the checker test that must catch it to caught_by"
        blamed = [v.test for v in self.report(mutant).verdicts if not v.passed]
        assert any(t.startswith(expected) for t in blamed), (expected, blamed)


def catalogue_tests(cat: Catalogue) -> dict[str, Callable]:
    """The tests every lab's checker needs, and the fixtures its own CLI tests use, for the lab's
    test module to adopt with ``globals().update(catalogue_tests(CATALOGUE))`` (pytest collects
    tests and fixtures from there)."""
    from dslab.cli import main

    by_stem = pytest.mark.parametrize("mutant", cat.mutants, ids=lambda p: p.stem)
    by_style = pytest.mark.parametrize("solution", cat.alternatives, ids=lambda p: p.stem)
    name = cat.lab.name
    repo = cat.lab.lab_dir().parents[1]

    @pytest.fixture(autouse=True)
    def wide_terminal(monkeypatch):
        """Rich wraps tables to the terminal width; a wide one keeps each hint on one line."""
        monkeypatch.setenv("COLUMNS", "200")

    @pytest.fixture
    def shared_checker(monkeypatch):
        """``dslab check`` on a file of the catalogue shows the shared report (the library tests
        run each file once); on another file it runs the real checker."""
        cat.share(monkeypatch)

    def test_cli_check_on_the_stubs_says_not_implemented_yet(capsys, monkeypatch, shared_checker):
        monkeypatch.chdir(repo)
        assert main(["check", name]) == 1
        out = capsys.readouterr().out
        assert NOT_YET in out
        assert "0 of" in out and "rules pass" in out

    def test_cli_run_on_the_stubs_stops_with_not_implemented_yet(capsys, monkeypatch):
        monkeypatch.chdir(repo)
        assert main(["run", name, "--impl", f"labs/{name}/exercise.py", "--no-plot"]) == 2
        assert NOT_YET in capsys.readouterr().err

    def test_mutants_are_catalogued():
        cat.assert_catalogued()

    def test_reference_passes_every_rule():
        cat.assert_reference_passes()

    def test_untouched_stubs_fail_every_rule_with_not_implemented_yet():
        cat.assert_stubs_not_implemented()

    @by_stem
    def test_mutant_is_rejected_at_the_rule_it_breaks(mutant):
        cat.assert_rejected_at_its_rule(mutant)

    @by_stem
    def test_mutant_is_caught_by_its_own_test(mutant):
        cat.assert_caught_by_its_own_test(mutant)

    @by_style
    def test_alternative_solution_passes_every_rule(solution):
        cat.assert_accepted(solution)

    def test_there_are_alternative_solutions():
        assert len(cat.alternatives) >= 2, (
            f"add correct solutions in other styles to tests/labs/{name}/alternatives/")

    tests = (test_cli_check_on_the_stubs_says_not_implemented_yet,
             test_cli_run_on_the_stubs_stops_with_not_implemented_yet,
             test_mutants_are_catalogued, test_reference_passes_every_rule,
             test_untouched_stubs_fail_every_rule_with_not_implemented_yet,
             test_mutant_is_rejected_at_the_rule_it_breaks, test_mutant_is_caught_by_its_own_test,
             test_alternative_solution_passes_every_rule, test_there_are_alternative_solutions)
    return {"wide_terminal": wide_terminal, "shared_checker": shared_checker,
            **{t.__name__: t for t in tests}}
