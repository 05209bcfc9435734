"""The package carries what a learner needs outside a source checkout: the checker's own
dependencies, and every lab's card, stubs and checker as package data (labs/ staying the one copy
in the repository), which Lab.lab_dir() finds before the checkout's. The whole path in a fresh
virtual environment, from a wheel, is tried by .ci/run."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO
from dslab import lab as lab_module
from dslab.labs import NAMES, get_lab
from dslab.workspace import FILES

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_checker_runs_on_runtime_dependencies():
    needs = {re.split(r"[<>=\[ ]", d)[0] for d in PYPROJECT["project"]["dependencies"]}
    assert {"pytest", "hypothesis"} <= needs


def test_the_wheel_carries_every_labs_learner_files():
    shipped = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert shipped == {f"labs/{name}/{f}": f"dslab/exercises/{name}/{f}" for name in NAMES for f in FILES}
    on_disk = {str(p.relative_to(REPO)) for p in (REPO / "labs").glob("*/*") if p.is_file()}
    assert on_disk <= set(shipped), f"labs/ files the wheel would leave out: {on_disk - set(shipped)}"


def test_lab_dir_is_the_packaged_copy_else_the_checkout(tmp_path, monkeypatch):
    raft = get_lab("raft")
    assert raft.lab_dir() == REPO / "labs" / "raft"  # a checkout has no packaged copy
    (tmp_path / "raft").mkdir()
    monkeypatch.setattr(lab_module, "PACKAGED_LABS", tmp_path)
    assert raft.lab_dir() == tmp_path / "raft"


def test_the_checkers_need_no_checkout():
    for name in NAMES:
        text = (REPO / "labs" / name / "test_exercise.py").read_text(encoding="utf-8")
        assert "REPO_ROOT" not in text and "dslab.lab import" not in text, name
