"""The checker runner (dslab.check): results by rule, a file that does not load in one sentence
(exit code 2), hints kept whole, a time limit on every test that names the function that did not
return, and a checker that cannot start saying why. (That one worker checks many files as if each
had a process of its own, the catalogue tests of every lab show: they check the reference, then
the stubs and the mutants, in one worker.)"""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from dslab.check import ALL_RULES, NOT_YET, TIME_LIMIT_ENV, run_checker, run_checker_many
from dslab.check_plugin import first_paragraph
from dslab.cli import main
from dslab.errors import InputError
from dslab.labs import get_lab

RAFT = get_lab("raft")
QUEUEING = get_lab("queueing")
REFERENCE = REPO / "tests" / "labs" / "queueing" / "reference_impl.py"
MUTANTS = REPO / "tests" / "labs" / "raft" / "mutants"
RAFT_RULES = ("from dslab.labs.raft.rules import election_won, grant_vote, log_is_up_to_date, "
              "observe_term, quorum, grant_pre_vote, append_entries, advance_commit")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def raft_file(tmp_path, body: str, name: str = "exercise.py"):
    """A raft exercise file: the reference rules, then ``body`` (which may redefine some)."""
    path = tmp_path / name
    path.write_text(f"{RAFT_RULES}  # noqa: F401\n\n\n{body}")
    return path


# -- results by rule --------------------------------------------------------------------------

def test_results_are_by_rule_with_the_first_failing_tests_hint(capsys):
    assert main(["check", "raft", "--impl", str(MUTANTS / "votes_twice.py")]) == 1
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if re.match(r"^│ \w", line)]
    assert [row.split("│")[1].strip() for row in rows if row.split("│")[1].strip()] == [
        *RAFT.exercise_rules, ALL_RULES]
    assert "7 of 8 rules pass." in out
    grant = next(row for row in rows if "grant_vote" in row)
    assert "✘ failed (3 of 8 tests)" in grant and "grant vote at most once per term:" in grant
    assert out.count("✔ passed") == 7


def test_the_stubs_fail_every_rule_counted_by_rule_not_by_test(capsys, monkeypatch):
    monkeypatch.chdir(REPO)  # in a checkout, dslab check without a workspace checks the stubs
    assert main(["check", "raft"]) == 1
    out = capsys.readouterr().out
    assert "labs/raft/exercise.py" in out and "0 of 8 rules pass." in out
    assert out.count(NOT_YET) == 9  # eight rules and all rules together, once each


def test_one_rule_can_be_checked_alone(capsys):
    assert main(["check", "raft", "--rule", "grant_vote", "--impl", str(MUTANTS / "votes_twice.py")]) == 1
    out = capsys.readouterr().out
    assert "grant_vote" in out and "grant_vote fails." in out
    for rule in ("quorum", "election_won", "observe_term", ALL_RULES):
        assert rule not in out


def test_a_rule_that_is_not_one_gets_a_suggestion(capsys):
    assert main(["check", "raft", "--rule", "grant_vot"]) == 2
    err = capsys.readouterr().err
    assert "'grant_vot' is not a rule of the raft exercise. Did you mean 'grant_vote'?" in err


def test_a_learner_sees_the_smallest_failing_example():
    # What the catalogue's verdict-only runs skip: hypothesis shrinks a quorum that is one short
    # down to the smallest cluster it breaks.
    report = run_checker(RAFT, MUTANTS / "majority_off_by_one.py", rule="quorum")
    [hint] = [v.hint for v in report.verdicts if v.test == "test_quorum_any_two_quorums_share_a_server"]
    assert "with 2 servers and quorum(2) = 1, the groups [0] and [1]" in hint


def test_a_hint_keeps_its_replay_command_whole(tmp_path):
    # A long path makes the replay command at the end of the first line pass 300 characters.
    deep = tmp_path / ("a-folder-with-a-long-name-" * 6)
    deep.mkdir()
    mutant = deep / "exercise.py"
    mutant.write_text((MUTANTS / "votes_twice.py").read_text())
    report = run_checker(RAFT, mutant)
    [hint] = [v.hint for v in report.verdicts
              if v.test == "test_all_rules_keep_a_cluster_safe_under_faults"]
    first = hint.splitlines()[0]
    assert len(first) > 300 and re.search(rf"--impl {re.escape(str(mutant))} --seed \d+$", first)
    assert "at most one leader per term" in hint.splitlines()[1]  # the paragraph goes on


def test_a_hint_is_the_first_paragraph_without_pytests_explanation():
    assert first_paragraph("quorum(4) = 2: too few\ncheck it (§5.2)\nassert (2 * 2) > 4\n") == (
        "quorum(4) = 2: too few\ncheck it (§5.2)")
    assert first_paragraph("one\n  two\n\nthree") == "one\ntwo"


# -- a file that does not load: one sentence, exit code 2 --------------------------------------

BROKEN = {
    "syntax": ("def quorum(n)\n    return n // 2 + 1\n", "does not parse: expected ':' (line 1)"),
    "import": ("import no_such_module_here\n", "could not be loaded: ModuleNotFoundError"),
    "missing": ("def quorum(n):\n    return n // 2 + 1\n", "does not define election_won"),
    "raises": ("x = 1 / 0\n", "ZeroDivisionError (division by zero) at line 1"),
    "exits": ("import sys\n\nsys.exit(3)\n", "called sys.exit() at line 3 while being loaded"),
    "loops": ("while True:\n    pass\n", "did not finish within 1 s (it was at line"),
}


def test_a_file_that_does_not_load_is_one_problem_not_a_row_per_test(tmp_path, monkeypatch):
    monkeypatch.setenv(TIME_LIMIT_ENV, "1")  # the limit for the file that never finishes loading
    files = []
    for name, (text, _) in BROKEN.items():
        files.append(tmp_path / f"{name}.py")
        files[-1].write_text(text)
    reports = run_checker_many(RAFT, files)
    for (name, (_, words)), report in zip(BROKEN.items(), reports, strict=True):
        assert report.problem is not None and words in report.problem, (name, report.problem)
        assert report.verdicts == [] and not report.passed
        assert "\n" not in report.problem and "Traceback" not in report.problem


def test_a_file_that_does_not_load_exits_with_code_2(tmp_path, capsys):
    bad = tmp_path / "exercise.py"
    bad.write_text("import no_such_module_here\n")
    assert main(["check", "raft", "--impl", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "exercise.py could not be loaded: ModuleNotFoundError" in captured.err
    assert "Traceback" not in captured.err and "rules pass" not in captured.out


# -- time limits --------------------------------------------------------------------------------

def test_a_rule_that_never_returns_is_stopped_and_named(tmp_path, capsys):
    endless = raft_file(tmp_path, "def grant_vote(current_term, voted_for, last_term, last_index, req):\n"
                                  "    while True: pass\n")
    assert main(["check", "raft", "--impl", str(endless), "--time-limit", "1"]) == 1
    out = capsys.readouterr().out
    assert "The test ran longer than 1 s and was stopped in your grant_vote (line 5): a loop that " \
           "never ends?" in out
    assert "Not run: grant_vote did not return" in out  # all rules together: not waited for
    # (how many of the other rules pass is not asserted: with a 1 s limit, a loaded machine can
    # stop a right rule's long property test too)


def test_the_time_limit_must_be_a_positive_number(capsys):
    assert main(["check", "raft", "--time-limit", "0"]) == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err


def test_a_file_that_never_finishes_is_stopped_by_the_runners_own_timeout(tmp_path):
    # The last resort, for when a test's time limit cannot act (a hang inside C code, where the
    # signal waits): the runner stops the worker once a file has taken timeout_s. Here the
    # test's limit is made too long to act first.
    endless = tmp_path / "exercise.py"
    endless.write_text("import time\n\nwhile True:\n    time.sleep(1)\n")
    with pytest.raises(InputError, match="ran longer than 2 s on .*exercise.py: look for a loop"):
        run_checker(QUEUEING, endless, timeout_s=2, time_limit=600)


def test_a_file_that_kills_the_worker_is_named(tmp_path):
    fatal = tmp_path / "fatal.py"
    fatal.write_text("import os\n\nos._exit(3)\n")
    with pytest.raises(InputError, match=r"process ended \(exit code 3\) as .*fatal.py was loaded"):
        run_checker_many(QUEUEING, [fatal, REFERENCE], verdict_only=True)


# -- a checker that cannot start -------------------------------------------------------------

def test_a_checker_that_cannot_start_says_why_in_one_sentence(tmp_path, monkeypatch):
    # hypothesis installed but broken (here: shadowed by a module that fails to import), where
    # the checker used to report "0 of 1 rules pass".
    (tmp_path / "hypothesis.py").write_text("raise ImportError('this copy of hypothesis is broken')\n")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{REPO / 'src'}")
    with pytest.raises(InputError) as info:
        run_checker(QUEUEING, REFERENCE)
    assert str(info.value) == ("The checker cannot start: importing hypothesis failed (ImportError: "
                               "this copy of hypothesis is broken).")
    assert "pip install" in (info.value.hint or "")
