"""The exercise checker behind ``dslab check``: runs a lab's checker (``test_exercise.py``, the copy
that ships with the package) on a learner's file in a separate process, and reports a verdict for
each rule the learner writes.

The separate process (``python -m dslab.check_worker``, a worker) keeps a learner's hanging or
crashing code away from the command: it loads the learner's file first (a file that does not load
is one sentence, not a row per test), then runs each checker test under a wall-clock limit, and
writes each test's verdict. One worker can check several files in turn (``run_checker_many``),
forgetting each file's modules before the next, so a test suite that checks a whole catalogue of
implementations pays for one Python, pytest and numpy start instead of one per file.

Each checker test checks one rule, named by the test (``test_<rule>_...``); the tests named
``test_all_rules_...`` run the whole lab on every rule together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from dslab.errors import InputError
from dslab.lab import Lab, did_you_mean

NOT_YET = "not implemented yet"

#: Set (to 1) in the checker's environment when only the verdicts matter, not the examples a
#: learner reads: the checkers then leave out hypothesis's shrinking (dslab.exercise_support).
VERDICT_ONLY = "DSLAB_CHECK_VERDICT_ONLY"

#: The name under which the tests that run every rule together are reported.
ALL_RULES = "all rules together"

#: How long one checker test may run before it is stopped, in seconds. The reference's slowest
#: test (retries' circuit breaker driven through 150 generated call sequences) takes 0.9 s, and
#: the slowest test on a mutant, shrinking its failure to the smallest example as a learner's
#: check does, 1.6 s: both measured on a 2-core machine loaded by other test runs. Ten seconds is
#: six times the slower one, so a loaded CI machine never stops a test that would have finished,
#: while a loop that never ends costs a learner seconds, not minutes. ``dslab check --time-limit``
#: and the environment variable below (for the test suite on a slow machine) change it.
DEFAULT_TIME_LIMIT_S = 10.0
TIME_LIMIT_ENV = "DSLAB_CHECK_TIME_LIMIT"


@dataclass(frozen=True)
class Verdict:
    """One test of the checker: the rule it checks, whether it passed, and the hint if not."""

    test: str
    rule: str
    passed: bool
    hint: str

    @property
    def title(self) -> str:
        return title_of(self.test)


@dataclass(frozen=True)
class RuleVerdict:
    """A rule's verdict: it passes when every test of it passes; ``first_failure`` is the test
    whose hint the learner reads first."""

    rule: str
    tests: int
    failures: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def first_failure(self) -> Verdict | None:
        return self.failures[0] if self.failures else None


@dataclass(frozen=True)
class CheckReport:
    """What the checker said about one file: each test's verdict, grouped by rule in ``rules``.
    ``problem`` (with ``problem_hint``) is set instead when the file as a whole could not be
    checked (it does not load); there are no verdicts then."""

    lab: str
    impl: str  # the file, as the learner would type it
    verdicts: list[Verdict]
    output: str  # pytest's own output, for --verbose
    order: tuple[str, ...] = ()  # the rules in the lab's order, then ALL_RULES
    problem: str | None = None
    problem_hint: str | None = None

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.verdicts) and all(v.passed for v in self.verdicts)

    @property
    def rules(self) -> list[RuleVerdict]:
        """One verdict per rule that was checked, in the lab's order."""
        seen = {v.rule for v in self.verdicts}
        names = [r for r in self.order if r in seen] + sorted(seen - set(self.order))
        out = []
        for name in names:
            tests = [v for v in self.verdicts if v.rule == name]
            out.append(RuleVerdict(name, len(tests), tuple(v for v in tests if not v.passed)))
        return out


def rule_of(test_name: str, rules: tuple[str, ...]) -> str | None:
    """The rule a checker test checks, read from its name (``test_<rule>_...``), ALL_RULES for
    ``test_all_rules_...``, or None for a test that names no rule."""
    if test_name.startswith("test_all_rules_"):
        return ALL_RULES
    named = [r for r in rules if test_name.startswith(f"test_{r}_")]
    return max(named, key=len) if named else None


def title_of(test_name: str) -> str:
    """``test_quorum_is_a_majority[5]`` -> ``quorum is a majority [5]``."""
    base, _, param = test_name.partition("[")
    title = base.removeprefix("test_").replace("_", " ")
    return f"{title} [{param}" if param else title


def checker_path(lab: Lab) -> Path:
    path = lab.lab_dir() / "test_exercise.py"
    if not path.is_file():
        raise InputError(f"The checker for {lab.name} is missing: expected {path}.",
                         hint="Reinstall dslab-labs; its package carries every lab's checker.")
    return path


def time_limit_s(seconds: float | None = None) -> float:
    """The time limit of one checker test: ``seconds`` if given, else $DSLAB_CHECK_TIME_LIMIT,
    else DEFAULT_TIME_LIMIT_S."""
    if seconds is None:
        text = os.environ.get(TIME_LIMIT_ENV, "")
        try:
            seconds = float(text) if text else DEFAULT_TIME_LIMIT_S
        except ValueError:
            raise InputError(f"{TIME_LIMIT_ENV} must be a number of seconds, got '{text}'.") from None
    if not seconds > 0 or seconds == float("inf"):
        raise InputError(f"A time limit must be a positive number of seconds, got {seconds:g}.")
    return seconds


def check_rule_name(lab: Lab, rule: str) -> str:
    """``rule`` if the lab's exercise has a rule of that name, else one sentence naming them."""
    rules = lab.exercise_rules
    if rule not in rules:
        raise InputError(f"'{rule}' is not a rule of the {lab.name} exercise."
                         f"{did_you_mean(rule, rules)} Rules: {', '.join(rules)}.")
    return rule


def run_checker(lab: Lab, impl: str | Path | None = None, timeout_s: float = 600, *,
                rule: str | None = None, time_limit: float | None = None,
                shown: str | None = None) -> CheckReport:
    """Run the checker of ``lab`` on ``impl`` (default: the lab's untouched stubs), only the tests
    of ``rule`` if given. ``shown`` is the file's name as the learner would type it (for the
    report and the replay commands in hints). Raises InputError when the file does not load, or
    when the checker cannot run on it."""
    path = impl or lab.lab_dir() / "exercise.py"
    [report] = run_checker_many(lab, [path], timeout_s, rule=rule, time_limit=time_limit,
                                shown=[shown or str(path)])
    if report.problem is not None:
        raise InputError(report.problem, hint=report.problem_hint)
    return report


def run_checker_many(lab: Lab, impls: list[str | Path], timeout_s: float = 600,
                     verdict_only: bool = False, *, rule: str | None = None,
                     time_limit: float | None = None,
                     shown: list[str] | None = None) -> list[CheckReport]:
    """Run the checker of ``lab`` on each file of ``impls`` in turn, in one worker process; the
    reports come in the same order (a file that does not load has its ``problem`` set).
    ``timeout_s`` is allowed for each file, and ``time_limit`` (see :func:`time_limit_s`) for
    each test. ``verdict_only`` skips shrinking failures to a minimal example: the same
    verdicts, sooner, less clear hints. Raises InputError, naming the file, if the checker
    cannot start, runs too long on one file, or its process dies."""
    test_file = checker_path(lab)
    if rule is not None:
        check_rule_name(lab, rule)
    limit = time_limit_s(time_limit)
    paths = [Path(p) for p in impls]
    for p in paths:
        if not p.is_file():
            raise InputError(f"There is no file at {p} to check.")
    if not paths:
        return []
    names = shown or [str(p) for p in paths]
    env = {k: v for k, v in os.environ.items() if k not in (VERDICT_ONLY, "PYTEST_ADDOPTS")}
    if verdict_only:
        env[VERDICT_ONLY] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        spec = {"lab": lab.name, "checker": str(test_file), "out": tmp, "time_limit": limit,
                "rule": rule, "impls": [str(p.resolve()) for p in paths], "shown": names}
        (out / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        cmd = [sys.executable, "-m", "dslab.check_worker", str(out / "spec.json")]
        with open(out / "worker.err", "w") as worker_err:
            proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=worker_err)
            try:
                stuck = _wait(proc, out, len(paths), timeout_s)
            finally:  # a timeout, or Ctrl-C: the worker goes too
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        start = _load(out / "start.json")
        if start is not None:
            raise InputError(start["problem"], hint=start.get("hint"))
        if stuck is not None:
            raise InputError(f"The checker ran longer than {timeout_s:.0f} s on {paths[stuck]}: "
                             "look for a loop that never ends in your rules.")
        reports = []
        for i, p in enumerate(paths):
            found = _load(out / f"{i}.json")
            if found is None:
                raise InputError(_died(proc.returncode, p, out, i))
            if found.get("cannot_start"):
                raise InputError(found["cannot_start"], hint=found.get("hint"))
            output = _read(out / f"{i}.out") + _read(out / f"{i}.err")
            verdicts = [Verdict(**v) for v in found.get("verdicts", [])]
            reports.append(CheckReport(lab.name, names[i], verdicts, output,
                                       (*lab.exercise_rules, ALL_RULES),
                                       found.get("problem"), found.get("hint")))
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
        finished = sum((out / f"{i}.json").exists() for i in range(done, n))
        if finished:
            done, deadline = done + finished, time.monotonic() + timeout_s
        elif time.monotonic() > deadline:
            return min(done, n - 1)


def _died(code: int | None, path: Path, out: Path, i: int) -> str:
    """One sentence for a worker that ended without a verdict on file ``i``."""
    if i == 0 and not (out / "0.started").exists():  # it never reached a file: it could not start
        said = [line for line in _read(out / "worker.err").splitlines() if line.strip()]
        return f"The checker could not start: {said[-1].strip() if said else f'exit code {code}'}."
    test = _read(out / f"{i}.current").strip()
    when = f"during the test '{title_of(test)}' of {path}" if test else f"as {path} was loaded"
    return (f"The checker's process ended (exit code {code}) {when}: something in the file ends "
            "Python (os._exit, or a crash in an extension module).")


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
