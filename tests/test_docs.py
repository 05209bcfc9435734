"""The documentation does what it says: every Python block in the README runs, and every `dslab`
command in the READMEs and lab cards names real flags, scenarios, parameters and files, with
values the lab accepts. (SimPy's docs run their examples for the same reason.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import REPO
from dslab.cli import _lab_for, build_parser
from dslab.compare import parse_compare
from dslab.labs import get_lab
from dslab.params import parse_assignment
from dslab.sweep import parse_grid
from dslab.workspace import default_dir

DOCS = [REPO / "README.md", *sorted((REPO / "labs").glob("*/README.md"))]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def dslab_commands(text: str) -> list[str]:
    """Each ``dslab ...`` command: whole lines in code blocks, and inline `dslab ...` spans."""
    found = []
    for block in re.findall(r"```(?:bash)?\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("dslab "):
                found.append(line)
    found += re.findall(r"`(dslab [^`]+)`", text)
    return list(dict.fromkeys(found))


COMMANDS = [(doc, cmd) for doc in DOCS for cmd in dslab_commands(doc.read_text(encoding="utf-8"))]


def test_the_docs_name_commands_to_check():
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("doc, command", COMMANDS,
                         ids=[f"{d.relative_to(REPO)}: {c}" for d, c in COMMANDS])
def test_each_documented_command_is_one_dslab_accepts(doc, command):
    argv = shlex.split(command)[1:]
    if "--help" in argv:
        argv.remove("--help")
    args = build_parser(_lab_for(argv)).parse_args(argv)
    if args.command == "list":
        return
    lab = get_lab(args.lab)
    if args.command in ("run", "sweep"):
        overrides = dict(parse_assignment(a) for a in args.set)
        lab.make_params(args.scenario or "default", overrides)  # raises on a bad name or value
        # each value a comparison or a sweep would run must be one the lab accepts too
        varied = ([parse_compare(args.compare)] if getattr(args, "compare", None) else []) + [
            parse_grid(g) for g in getattr(args, "grid", [])]
        for name, values in varied:
            for v in values:
                lab.make_params(args.scenario or "default", {**overrides, name: v})
    impl = getattr(args, "impl", None)
    if impl:
        assert documented_file(impl, lab).is_file(), f"{doc.name}: {command} names a file that is not there"


def documented_file(impl: str, lab) -> Path:
    """The file a documented ``--impl`` names: in the repository, or in the workspace that
    ``dslab init`` makes (``dslab-<lab>/exercise.py``, or ``exercise.py`` inside it)."""
    path = Path(impl)
    if path.parts[0] == default_dir(lab):
        path = Path(*path.parts[1:])
    return REPO / impl if (REPO / impl).is_file() else lab.lab_dir() / path


@pytest.mark.parametrize("doc", [d for d in DOCS if python_blocks(d.read_text(encoding="utf-8"))],
                         ids=lambda d: str(d.relative_to(REPO)))
def test_each_python_block_runs(doc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a block that saves a file saves it here
    for block in python_blocks(doc.read_text(encoding="utf-8")):
        exec(compile(block, f"{doc.name} python block", "exec"), {})
