"""A learner's workspace: ``dslab init`` makes one, ``dslab check`` finds the exercise in it (or
says to run ``dslab init``), always runs the package's own checker, and ``pytest`` run inside the
workspace checks the learner's file too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from dslab.cli import main
from dslab.errors import InputError
from dslab.labs import get_lab
from dslab.workspace import FILES, MARKER, find_exercise, init, workspace_lab

RAFT = get_lab("raft")
REFERENCE = REPO / "tests" / "labs" / "raft" / "reference_impl.py"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_init_copies_the_card_stubs_and_checker_and_says_what_next(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "raft"]) == 0
    folder = tmp_path / "dslab-raft"
    for name in FILES:
        assert (folder / name).read_text() == (RAFT.lab_dir() / name).read_text()
    assert workspace_lab(folder) == "raft"
    out = capsys.readouterr().out
    for step in ("cd dslab-raft", "dslab check raft", "dslab run raft --partition --impl exercise.py"):
        assert step in out


def test_init_into_a_named_folder_and_the_current_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "hashing", "mine/hashing"]) == 0
    assert workspace_lab(tmp_path / "mine" / "hashing") == "hashing"
    assert "cd mine/hashing" in capsys.readouterr().out
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert main(["init", "queueing", "."]) == 0
    assert "cd " not in capsys.readouterr().out and workspace_lab(tmp_path / "here") == "queueing"


def test_init_never_overwrites_a_file(tmp_path, capsys):
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "exercise.py").write_text("my work")
    assert main(["init", "raft", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "already has exercise.py, and dslab init never overwrites a file" in err
    assert (folder / "exercise.py").read_text() == "my work"
    assert not (folder / "README.md").exists() and not (folder / MARKER).exists()


def test_init_refuses_another_labs_workspace_and_a_file(tmp_path):
    init(get_lab("hashing"), tmp_path / "ws")
    with pytest.raises(InputError, match="is already a workspace of hashing"):
        init(RAFT, tmp_path / "ws")
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="is a file, not a folder"):
        init(RAFT, tmp_path / "f")


# -- where dslab check finds the exercise -----------------------------------------------------

def test_check_finds_the_exercise_in_a_workspace_then_below_then_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="There is no raft exercise to check here") as info:
        find_exercise(RAFT)
    assert "Run dslab init raft" in (info.value.hint or "")
    init(RAFT, tmp_path / "dslab-raft")
    assert find_exercise(RAFT) == (tmp_path / "dslab-raft" / "exercise.py", "dslab-raft/exercise.py")
    assert find_exercise(RAFT, "other.py") == (Path("other.py"), "other.py")  # --impl first
    monkeypatch.chdir(tmp_path / "dslab-raft")
    assert find_exercise(RAFT) == (tmp_path / "dslab-raft" / "exercise.py", "exercise.py")
    with pytest.raises(InputError, match="this folder is a workspace of raft"):
        find_exercise(get_lab("hashing"))
    monkeypatch.chdir(tmp_path)
    init(RAFT, tmp_path / "second")
    with pytest.raises(InputError, match=r"There are 2 raft workspaces here \(dslab-raft/, second/\)"):
        find_exercise(RAFT)
    monkeypatch.chdir(REPO)  # in a checkout: its stubs
    assert find_exercise(RAFT) == (REPO / "labs" / "raft" / "exercise.py", "labs/raft/exercise.py")


def test_check_outside_any_workspace_says_to_run_init(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "raft"]) == 2
    err = capsys.readouterr().err
    assert "There is no raft exercise to check here" in err and "dslab init raft" in err


def test_check_in_a_workspace_runs_the_packages_own_checker(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    init(RAFT, tmp_path / "dslab-raft")
    # A checker the learner edited into one that passes anything changes nothing.
    (tmp_path / "dslab-raft" / "test_exercise.py").write_text("def test_quorum_ok():\n    pass\n")
    assert main(["check", "raft"]) == 1
    out = capsys.readouterr().out
    assert "dslab-raft/exercise.py" in out and "0 of 8 rules pass." in out and "not implemented yet" in out
    (tmp_path / "dslab-raft" / "exercise.py").write_text(REFERENCE.read_text())
    monkeypatch.chdir(tmp_path / "dslab-raft")
    assert main(["check", "raft"]) == 0
    assert "dslab run raft --partition --impl exercise.py" in capsys.readouterr().out


def test_pytest_in_a_workspace_checks_the_learners_file(tmp_path):
    init(RAFT, tmp_path / "ws")
    (tmp_path / "ws" / "exercise.py").write_text(REFERENCE.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DSLAB_", "PYTEST_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=tmp_path / "ws", env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:]
    assert re.search(r"\d+ passed", done.stdout) and "failed" not in done.stdout
