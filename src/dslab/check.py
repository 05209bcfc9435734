"""The exercise checker behind ``dslab check``: runs a lab's ``labs/<name>/test_exercise.py``
against a learner's file, in a separate process, and reports each rule's verdict.

The separate process (``python -m dslab.check``, a worker) keeps a learner's hanging or crashing
code away from the command: a file that runs too long is stopped and reported in one sentence.
One worker can check several files in turn (``run_checker_many``), running pytest once per file
and forgetting each file's modules before the next, so a test suite that checks a whole catalogue
of implementations pays for one Python, pytest and numpy start instead of one per file."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from dslab.errors import InputError
from dslab.lab import Lab

NOT_YET = "not implemented yet"

#: Set (to 1) in the checker's environment when only the verdicts matter, not the examples a
#: learner reads: the checkers then leave out hypothesis's shrinking (see labs/*/test_exercise.py).
VERDICT_ONLY = "DSLAB_CHECK_VERDICT_ONLY"


@dataclass(frozen=True)
class RuleVerdict:
    """One test of the checker: the rule it checks, whether it passed, and the hint if not."""

    test: str
    rule: str
    passed: bool
    hint: str


@dataclass(frozen=True)
class CheckReport:
    lab: str
    impl: str
    verdicts: list[RuleVerdict]
    output: str  # pytest's own output, for --verbose

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and all(v.passed for v in self.verdicts)


def checker_path(lab: Lab) -> Path:
    path = lab.lab_dir() / "test_exercise.py"
    if not path.is_file():
        raise InputError(f"The checker for {lab.name} is missing: expected {path}.",
                         hint="Run dslab from a clone of the repository (pip install -e .).")
    return path


def run_checker(lab: Lab, impl: str | Path | None = None, timeout_s: float = 600) -> CheckReport:
    """Run the checker of ``lab`` on ``impl`` (default ``labs/<name>/exercise.py``)."""
    return run_checker_many(lab, [impl or lab.lab_dir() / "exercise.py"], timeout_s)[0]


def run_checker_many(lab: Lab, impls: list[str | Path], timeout_s: float = 600,
                     verdict_only: bool = False) -> list[CheckReport]:
    """Run the checker of ``lab`` on each file of ``impls`` in turn, in one worker process; the
    reports come in the same order. ``timeout_s`` is allowed for each file. ``verdict_only``
    skips shrinking failures to a minimal example: the same verdicts, sooner, less clear hints.
    Raises InputError, naming the file, if the checker runs too long on one or cannot run."""
    test_file = checker_path(lab)
    paths = [Path(p) for p in impls]
    for p in paths:
        if not p.is_file():
            raise InputError(f"There is no file at {p} to check.")
    if not paths:
        return []
    env = dict(os.environ)
    env.pop(VERDICT_ONLY, None)
    if verdict_only:
        env[VERDICT_ONLY] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cmd = [sys.executable, "-m", "dslab.check", str(test_file), tmp, *(str(p.resolve()) for p in paths)]
        with open(out / "worker.err", "w") as worker_err:
            proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=worker_err)
            try:
                stuck = _wait(proc, out, len(paths), timeout_s)
            finally:  # a timeout, or Ctrl-C: the worker goes too
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if stuck is not None:
            raise InputError(f"The checker ran longer than {timeout_s:.0f} s on {paths[stuck]}: "
                             "look for a loop that never ends in your rules.")
        reports = []
        for i, p in enumerate(paths):
            output = _read(out / f"{i}.out") + _read(out / f"{i}.err")
            if not (out / f"{i}.xml").exists():
                said = _read(out / f"{i}.out") or _read(out / "worker.err")
                raise InputError(f"The checker could not run on {p}:\n{said[-2000:]}")
            reports.append(CheckReport(lab.name, str(p), _parse(out / f"{i}.xml"), output))
    return reports


def _wait(proc: subprocess.Popen, out: Path, n: int, timeout_s: float) -> int | None:
    """Wait for the worker, allowing ``timeout_s`` for each file: None when it has ended, or on a
    timeout the index of the file it is stuck on."""
    done, deadline = 0, time.monotonic() + timeout_s
    while True:
        try:
            proc.wait(timeout=min(0.5, max(deadline - time.monotonic(), 0.01)))
            return None
        except subprocess.TimeoutExpired:
            pass
        finished = sum((out / f"{i}.xml").exists() for i in range(done, n))
        if finished:
            done, deadline = done + finished, time.monotonic() + timeout_s
        elif time.monotonic() > deadline:
            return min(done, n - 1)


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _worker(test_file: str, out_dir: str, impls: list[str]) -> None:
    """The worker's loop: pytest on ``test_file`` once for each impl, writing ``<i>.xml``, and its
    output to ``<i>.out`` and ``<i>.err``. After each run it forgets the modules that run loaded
    from outside the libraries (the checker module, the impl and whatever it imported), so the
    next file is loaded afresh, as in a process of its own."""
    import pytest

    kinds = ("stdlib", "platstdlib", "purelib", "platlib")
    libraries = {Path(sysconfig.get_path(kind)).resolve() for kind in kinds}
    libraries.add(Path(__file__).resolve().parent)  # dslab itself: shared and read-only
    for i, impl in enumerate(impls):
        before = set(sys.modules)
        os.environ["DSLAB_IMPL"] = impl
        base = Path(out_dir) / str(i)
        with open(f"{base}.out", "w") as out, open(f"{base}.err", "w") as err:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                pytest.main([test_file, "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                             "--rootdir", str(Path(test_file).parent), f"--junitxml={base}.xml"])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
        for name in set(sys.modules) - before:
            if not _is_library(sys.modules.get(name), libraries):
                del sys.modules[name]


def _is_library(module, libraries: set[Path]) -> bool:
    file = getattr(module, "__file__", None)
    if not file:
        return True
    return any(parent in libraries for parent in Path(file).resolve().parents)


def _parse(xml_path: Path) -> list[RuleVerdict]:
    out = []
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        name = case.get("name", "")
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        skipped = case.find("skipped") is not None
        hint = ""
        if bad is not None:
            text = (bad.get("message") or "") + "\n" + (bad.text or "")
            hint = NOT_YET if NOT_YET in text else _first_line(bad.get("message") or text)
        out.append(RuleVerdict(name, rule_title(name), bad is None and not skipped, hint))
    return out


def rule_title(test_name: str) -> str:
    """``test_quorum_is_a_majority[5]`` -> ``quorum is a majority [5]``."""
    base, _, param = test_name.partition("[")
    title = base.removeprefix("test_").replace("_", " ")
    return f"{title} [{param}" if param else title


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("AssertionError: ").removeprefix("Failed: ")[:300]
    return ""


if __name__ == "__main__":  # the worker: python -m dslab.check TEST_FILE OUT_DIR IMPL...
    _worker(sys.argv[1], sys.argv[2], sys.argv[3:])
