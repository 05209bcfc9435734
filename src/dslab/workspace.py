"""A learner's workspace: a folder of their own with one lab's card (``README.md``), exercise stubs
(``exercise.py``) and checker (``test_exercise.py``), made by ``dslab init LAB [DIR]`` and found
again by ``dslab check LAB``. A small marker file says which lab the folder is for."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from dslab.errors import InputError
from dslab.lab import REPO_ROOT, Lab

#: what dslab init copies from the lab's folder
FILES = ("README.md", "exercise.py", "test_exercise.py")
#: the marker: a TOML file naming the lab (``lab = "raft"``)
MARKER = ".dslab"


def default_dir(lab: Lab) -> str:
    """The folder ``dslab init LAB`` makes when none is named: ``dslab-<lab>``."""
    return f"dslab-{lab.name}"


def workspace_lab(folder: Path) -> str | None:
    """The lab whose workspace ``folder`` is, or None if it is none."""
    try:
        data = tomllib.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    lab = data.get("lab")
    return lab if isinstance(lab, str) else None


def init(lab: Lab, folder: Path) -> None:
    """Make ``folder`` a workspace of ``lab``: copy the card, the stubs and the checker into it,
    and mark it. Refuses, in one sentence, to overwrite any file already there."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder: name another folder "
                         f"(dslab init {lab.name} DIR).")
    there = [name for name in (*FILES, MARKER) if (folder / name).exists()]
    if there:
        other = workspace_lab(folder)
        what = f"is already a workspace of {other}" if other else f"already has {', '.join(there)}"
        raise InputError(f"{folder} {what}, and dslab init never overwrites a file: name another "
                         f"folder (dslab init {lab.name} DIR), or move those files away first.")
    source = lab.lab_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(source / name, folder / name)
        (folder / MARKER).write_text(f"# A dslab workspace: dslab check {lab.name} finds "
                                     f'exercise.py here.\nlab = "{lab.name}"\n', encoding="utf-8")
    except OSError as e:
        raise InputError(f"Could not make the workspace {folder}: {e.strerror or e}.") from None


def next_steps(lab: Lab, folder: Path, cwd: Path | None = None) -> list[str]:
    """What ``dslab init`` prints: what is in the workspace, and the commands to go on with."""
    cwd = (cwd or Path.cwd()).resolve()
    where = _relative(folder.resolve(), cwd)
    flag = "" if lab.gallery == "default" else f" --{lab.gallery}"
    steps = [] if where == "." else [(f"cd {where}", "")]
    steps += [(f"dslab card {lab.name}", "read the card"),
              (f"dslab check {lab.name}", "after each edit of exercise.py: which rules pass"),
              (f"dslab run {lab.name}{flag} --impl exercise.py", "your rules, running the lab")]
    width = max(len(cmd) for cmd, _ in steps)
    return [f"Made {where}/, your {lab.name} workspace:",
            "  README.md         the card",
            "  exercise.py       the rules you write, as stubs to fill in",
            "  test_exercise.py  the checker (pytest runs it here too)",
            "Next:", *(f"  {cmd:<{width}}  # {why}" if why else f"  {cmd}" for cmd, why in steps)]


def find_exercise(lab: Lab, impl: str | None = None, cwd: Path | None = None) -> tuple[Path, str]:
    """The file ``dslab check LAB`` checks, and its name as the learner would type it: ``impl``
    if given; else ``exercise.py`` here when this folder is a workspace of the lab; else that of
    a workspace of the lab inside this folder (``dslab-<lab>/`` first); else, inside a source
    checkout, its stubs ``labs/<lab>/exercise.py``. When there is none, one sentence saying to
    run ``dslab init``."""
    if impl:
        return Path(impl), impl
    cwd = (cwd or Path.cwd()).resolve()
    here = workspace_lab(cwd)
    if here == lab.name and (cwd / "exercise.py").is_file():
        return cwd / "exercise.py", "exercise.py"
    inside = [d for d in _folders(cwd, default_dir(lab))
              if workspace_lab(d) == lab.name and (d / "exercise.py").is_file()]
    if len(inside) > 1:
        names = ", ".join(f"{d.name}/" for d in inside)
        raise InputError(f"There are {len(inside)} {lab.name} workspaces here ({names}): name the "
                         f"one to check with --impl, or run dslab check {lab.name} inside it.")
    if inside:
        return inside[0] / "exercise.py", f"{inside[0].name}/exercise.py"
    stubs = REPO_ROOT / "labs" / lab.name / "exercise.py"
    if stubs.is_file() and (cwd == REPO_ROOT or REPO_ROOT in cwd.parents):
        return stubs, _relative(stubs, cwd)
    why = f"this folder is a workspace of {here}" if here else f"{cwd} is not a {lab.name} workspace"
    raise InputError(f"There is no {lab.name} exercise to check here: {why}, and no "
                     f"{lab.name} workspace is inside it.",
                     hint=f"Run dslab init {lab.name} to make one (the folder {default_dir(lab)}/, "
                          f"with the stubs to fill in), or name a file with --impl PATH.")


def _folders(cwd: Path, first: str) -> list[Path]:
    """The folders in ``cwd``, the one called ``first`` first."""
    try:
        found = sorted(p for p in cwd.iterdir() if p.is_dir())
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name != first)


def _relative(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)
