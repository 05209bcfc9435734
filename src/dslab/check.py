"""The exercise checker behind ``dslab check``: runs a lab's ``labs/<name>/test_exercise.py``
against a learner's file, in a separate pytest process, and reports each rule's verdict."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from dslab.errors import InputError
from dslab.lab import Lab

NOT_YET = "not implemented yet"


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
    test_file = checker_path(lab)
    impl_path = Path(impl) if impl else lab.lab_dir() / "exercise.py"
    if not impl_path.is_file():
        raise InputError(f"There is no file at {impl_path} to check.")
    env = dict(os.environ, DSLAB_IMPL=str(impl_path.resolve()))
    with tempfile.TemporaryDirectory() as tmp:
        xml_path = Path(tmp) / "report.xml"
        cmd = [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider",
               "-o", "addopts=", "--rootdir", str(test_file.parent), f"--junitxml={xml_path}"]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s,
                                  cwd=tmp)
        except subprocess.TimeoutExpired:
            raise InputError(f"The checker ran longer than {timeout_s:.0f} s on {impl_path}: "
                             "look for a loop that never ends in your rules.") from None
        if not xml_path.exists():
            raise InputError(f"The checker could not run on {impl_path}:\n{proc.stdout[-2000:]}")
        verdicts = _parse(xml_path)
    return CheckReport(lab.name, str(impl_path), verdicts, proc.stdout + proc.stderr)


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
