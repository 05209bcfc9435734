"""The pytest plugin the checker's worker runs a lab's checker with (see dslab.check_worker).

It keeps only the tests of one rule when asked (``dslab check LAB --rule NAME``), stops each
test that runs longer than the time limit, and records for every test its rule, whether it
passed, and the hint a learner reads: the first paragraph of the failure's message, whole (a
replay command at its end included), "not implemented yet" for a stub, or which function of the
learner's file was running when the time ran out.

Once a test has run out of time, the rest of that rule's tests, and the tests of all rules
together, are not run: they would most likely wait for the same loop, one time limit each."""

from __future__ import annotations

from pathlib import Path

import pytest

from dslab.check import ALL_RULES, NOT_YET, rule_of, title_of
from dslab.errors import InputError
from dslab.limits import TimeLimitExceeded, learner_frame, time_limit


class Recorder:
    """Records a verdict for each checker test; ``results`` maps a test's id to its verdict, a
    dict with the fields of dslab.check.Verdict."""

    def __init__(self, rules: tuple[str, ...], source: Path, limit: float, only: str | None,
                 current: Path) -> None:
        self.rules, self.source, self.limit, self.only, self.current = rules, source, limit, only, current
        self.results: dict[str, dict] = {}
        self.cannot_start: str | None = None
        self.stopped: tuple[str, str] | None = None  # the rule and title of the first test stopped

    def rule(self, item: pytest.Item) -> str:
        return rule_of(item.name, self.rules) or title_of(item.name)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.only is None:
            return
        drop = [item for item in items if self.rule(item) != self.only]
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = [item for item in items if self.rule(item) == self.only]

    def pytest_exception_interact(self, node, call: pytest.CallInfo, report) -> None:
        if isinstance(report, pytest.CollectReport) and call.excinfo is not None:
            e = call.excinfo.value
            cause = e.__cause__ or e
            self.cannot_start = (f"The checker could not start: loading {Path(str(node.path)).name} "
                                 f"failed with {type(cause).__name__} ({_one_line(str(cause))}).")

    def pytest_runtest_logstart(self, nodeid: str, location) -> None:
        self.current.write_text(nodeid.rpartition("::")[2], encoding="utf-8")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.stopped is None:
            return
        rule, title = self.stopped
        mine = self.rule(item)
        if mine == rule:
            pytest.fail(f"Not run: '{title}', a test of the same rule, was stopped after "
                        f"{self.limit:g} s already.", pytrace=False)
        if mine == ALL_RULES:
            pytest.fail(f"Not run: {rule} did not return in '{title}' (stopped after "
                        f"{self.limit:g} s), and this test needs every rule.", pytrace=False)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        with time_limit(self.limit):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        self._record(item, call, report)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
        before = self.results.get(item.nodeid)
        if before is not None and not before["passed"]:
            return  # the first failure stands
        if report.passed and call.when != "call":
            return
        rule, hint = self.rule(item), ""
        if report.skipped:
            hint = "skipped"
        elif report.failed and call.excinfo is not None:
            e = call.excinfo.value
            hint = hint_for(e, self.source, self.limit)
            if isinstance(e, TimeLimitExceeded) and self.stopped is None:
                self.stopped = (rule, title_of(item.name))
        self.results[item.nodeid] = {"test": item.name, "rule": rule, "passed": report.passed,
                                     "hint": hint}


def hint_for(e: BaseException, source: Path, limit: float) -> str:
    """What a learner reads about a failed test: see the module's docstring."""
    if any(isinstance(x, NotImplementedError) or NOT_YET in str(x) for x in _related(e)):
        return NOT_YET
    while isinstance(e, BaseExceptionGroup):  # hypothesis found several distinct failures
        e = e.exceptions[0]
    if isinstance(e, TimeLimitExceeded):
        where = learner_frame(e.__traceback__, source)
        if where is None:
            return (f"The test ran longer than {limit:g} s and was stopped outside your file: "
                    "a slow run? (dslab check --time-limit SECONDS allows more)")
        return (f"The test ran longer than {limit:g} s and was stopped in your {where}: a loop "
                "that never ends?")
    if isinstance(e, (AssertionError, pytest.fail.Exception)):
        return first_paragraph(str(e))
    if isinstance(e, InputError):  # the lab's own sentence, say for a rule that crashed a run
        return str(e)
    where = learner_frame(e.__traceback__, source)
    return f"{'your ' + str(where) if where else 'The test'} raised {type(e).__name__}: {e}"


def first_paragraph(message: str) -> str:
    """A failure message up to its first blank line, without the explanation pytest adds to a
    failed assert (from the line starting "assert ")."""
    lines: list[str] = []
    for line in message.strip().splitlines():
        if not line.strip() or (lines and line.startswith("assert ")):
            break
        lines.append(line.strip())
    return "\n".join(lines)


def _related(e: BaseException) -> list[BaseException]:
    """``e``, its causes and contexts, and every exception of a group, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [e]
    while todo:
        x = todo.pop()
        if x is None or any(x is s for s in seen):
            continue
        seen.append(x)
        todo += [x.__cause__, x.__context__]
        if isinstance(x, BaseExceptionGroup):
            todo += list(x.exceptions)
    return seen


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
