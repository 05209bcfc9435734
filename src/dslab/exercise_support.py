"""What every lab's exercise checker (``labs/<name>/test_exercise.py``) shares: which file it
checks, how hypothesis runs in it, and how it calls a learner's rule so that a crash or a loop
that never ends fails the test of that rule with one sentence.

The checkers ship inside the package and are copied into a learner's workspace by ``dslab init``,
so they import only from ``dslab`` (this module among it), never from a source checkout."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import Phase, settings

from dslab.check import VERDICT_ONLY
from dslab.limits import TimeLimitExceeded, can_limit, time_limit

#: set by ``dslab check``: the file to check, and its name as the learner would type it
IMPL, IMPL_SHOWN = "DSLAB_IMPL", "DSLAB_IMPL_SHOWN"


def exercise_path(checker: str) -> Path:
    """The file a checker checks: ``$DSLAB_IMPL`` (set by ``dslab check``), else ``exercise.py``
    beside the checker (so ``pytest`` in a workspace checks the learner's own file)."""
    return Path(os.environ.get(IMPL) or Path(checker).with_name("exercise.py"))


def shown_path(path: Path) -> str:
    """The checked file as the learner would type it in a command: as ``dslab check`` was told,
    else relative to the current folder when it is inside it."""
    if os.environ.get(IMPL_SHOWN):
        return os.environ[IMPL_SHOWN]
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def learner_rules(lab: Any, path: Path) -> Any:
    """The learner's rules laid over the reference ones, exactly as a run sees them: each answer
    checked as it returns (:func:`dslab.impl.watched`), so the checker and ``dslab run --impl``
    agree on what a rule may answer (a None where a bool is due fails here, not later)."""
    from dslab.impl import watched

    return watched(lab.load_impl(path), lab.rules, lab.name)


def checker_settings(max_examples: int, **more: Any) -> settings:
    """Hypothesis's settings for a checker's property tests: fixed examples (derandomize) and no
    example database, so every run gives the same verdicts. The "explain" phase is left out: it
    costs seconds per failure and adds nothing to the hints. Shrinking finds the smallest failing
    example to show the learner; the project's own tests of the checkers need only the verdicts
    and leave it out (DSLAB_CHECK_VERDICT_ONLY)."""
    shrink = () if os.environ.get(VERDICT_ONLY) else (Phase.shrink,)
    return settings(database=None, deadline=None, derandomize=True, max_examples=max_examples,
                    phases=(Phase.explicit, Phase.generate, *shrink), **more)


def type_name(value: object) -> str:
    """``float``, ``numpy.float64``: a value's type as the learner would write it."""
    t = type(value)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def described(value: object) -> str:
    """A value with its type first: "a numpy.ndarray, array([1.])", or "None"."""
    return "None" if value is None else f"a {type_name(value)}, {value!r}"


def shown_call(rule: str, args: tuple, kwargs: dict[str, Any] | None = None,
               show: Callable[[Any], str] = repr) -> str:
    """``rule(1, 2, x=3)``: a call as the learner would type it."""
    parts = [*map(show, args), *(f"{k}={show(v)}" for k, v in (kwargs or {}).items())]
    return f"{rule}({', '.join(parts)})"


def fail(message: str) -> NoReturn:
    """Fail the running test with ``message`` as its hint (and no traceback in pytest's output)."""
    pytest.fail(message, pytrace=False)


class Calls:
    """Calls of a learner's rules for one checker, each under a time limit of ``limit_s`` seconds
    (a right answer takes far less). A call that raises fails the test with a sentence naming
    the call; one that runs out of time fails it too, and every later call of the same rule
    then fails at once, so one loop that never ends costs one limit, not one per example.
    ``typical`` says how long a right answer takes, for the sentence. With ``limit_s`` None a
    call has no limit of its own (arming one costs some microseconds, which a checker making
    tens of thousands of calls may not want), and only the test's limit, dslab check's, applies."""

    def __init__(self, limit_s: float | None, typical: str = "") -> None:
        self.limit_s, self.typical = limit_s, typical
        self.hung: dict[str, str] = {}  # rule -> the call of it that ran out of time

    @contextmanager
    def limited(self, rule: str, call: str, hang: str = "") -> Iterator[None]:
        """Run the block, a call of ``rule`` shown as ``call``, under the time limit; ``hang`` is
        advice for when it runs out of time."""
        if self.limit_s is None:
            yield
            return
        if rule in self.hung:
            fail(f"{call} was not tried: {self.hung[rule]} already ran longer than "
                 f"{self.limit_s:g} s, a loop that never ends?")
        armed = self._room(self.limit_s)
        try:
            with time_limit(self.limit_s if armed else None):
                yield
        except TimeLimitExceeded:
            if not armed:
                raise  # the test's own limit (dslab check's), not this call's
            self.hung[rule] = call
            fail(f"{call} did not return within {self.limit_s:g} s, where a right answer takes "
                 f"{self.typical or 'far less'}: a loop that never ends?{hang}")

    def __call__(self, rule: str, call: str, function: Callable[..., Any], *args: Any,
                 expected: str = "an answer", advice: Callable[[Exception], str] | None = None,
                 hang: str = "", **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``, a call of the learner's ``rule`` shown as ``call``. If it
        raises (a stub's "not implemented yet" aside), the test fails with a sentence saying what
        was ``expected`` instead, and the ``advice`` for that exception."""
        try:
            with self.limited(rule, call, hang):
                return function(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001 - any exception of the learner's is the verdict
            fail(f"{call} raised {type(e).__name__}: {e}, expected {expected}"
                 + (advice(e) if advice else ""))

    @staticmethod
    def _room(limit_s: float) -> bool:
        """Whether a call's limit can be armed: timers work here, and no outer limit (a test's,
        set by dslab check) would run out first."""
        if not can_limit():
            return False
        outer, _ = signal.getitimer(signal.ITIMER_REAL)
        return not outer or outer > limit_s
