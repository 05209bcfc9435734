"""The checker runner (dslab.check): a learner's ``dslab check`` still shows the smallest failing
example, and a file that hangs or kills the worker process is stopped and named in one sentence.
(That one worker checks many files as if each had a process of its own, the catalogue tests of
every lab show: they check the reference, then the stubs and the mutants, in one worker.)"""

from __future__ import annotations

import pytest

from conftest import REPO
from dslab.check import run_checker, run_checker_many
from dslab.cli import main
from dslab.errors import InputError
from dslab.labs import get_lab

QUEUEING = get_lab("queueing")
REFERENCE = REPO / "tests" / "labs" / "queueing" / "reference_impl.py"


def test_a_learner_sees_the_smallest_failing_example(capsys, monkeypatch):
    # What the catalogue's verdict-only runs skip: hypothesis shrinks a quorum that is one short
    # down to the smallest cluster it breaks.
    monkeypatch.setenv("COLUMNS", "200")
    mutant = REPO / "tests" / "labs" / "raft" / "mutants" / "majority_off_by_one.py"
    assert main(["check", "raft", "--impl", str(mutant)]) == 1
    assert "with 2 servers and quorum(2) = 1, the groups [0] and [1]" in capsys.readouterr().out


def test_a_file_that_never_finishes_is_stopped_and_named(tmp_path):
    endless = tmp_path / "exercise.py"
    endless.write_text("import time\n\nwhile True:\n    time.sleep(1)\n")
    with pytest.raises(InputError, match="ran longer than 2 s on .*exercise.py: look for a loop"):
        run_checker(QUEUEING, endless, timeout_s=2)


def test_a_file_that_kills_the_worker_is_named(tmp_path):
    fatal = tmp_path / "fatal.py"
    fatal.write_text("import os\n\nos._exit(3)\n")
    with pytest.raises(InputError, match="could not run on .*fatal.py"):
        run_checker_many(QUEUEING, [fatal, REFERENCE], verdict_only=True)
