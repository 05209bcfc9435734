"""Wall-clock limits for learner code, and finding the learner's line in a traceback.

A learner's rule that loops for ever must end in one sentence naming the rule, not in a hang.
:func:`time_limit` arms a timer (``SIGALRM``) that raises :class:`TimeLimitExceeded` wherever the
main thread is when the time runs out, and :func:`learner_frame` then reads, from the traceback,
which function of the learner's file was running and on which line.

``TimeLimitExceeded`` derives from ``BaseException`` on purpose: a learner's ``except Exception``
(or hypothesis's handling of a failing example) must not swallow it.
"""

from __future__ import annotations

import math
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType


class TimeLimitExceeded(BaseException):
    """The code under a :func:`time_limit` ran longer than the limit allowed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)  # args hold the seconds, so a copy (SimPy makes one) or a pickle
        self.seconds = seconds     # made from them is the same limit

    def __str__(self) -> str:
        return f"ran longer than {self.seconds:g} s"


def can_limit() -> bool:
    """Whether a limit can be armed here: a platform with SIGALRM, on the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in the block if it runs longer than ``seconds`` of wall
    time. ``None`` (or a platform without SIGALRM, or a thread other than the main one) sets no
    limit. Limits nest: the one that runs out first applies, and an outer limit is put back, with
    the time it has left, when the block ends."""
    if seconds is None or not can_limit():
        yield
        return
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"a time limit must be a positive number of seconds, got {seconds}")

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(seconds)

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:  # the outer limit comes first: it stays in charge
        yield
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-3))


@dataclass(frozen=True)
class Where:
    """A place in the learner's file: the function running there and the line."""

    function: str
    line: int

    def __str__(self) -> str:
        return f"{self.function} (line {self.line})"


def learner_frame(tb: TracebackType | None, source: str | Path) -> Where | None:
    """The innermost frame of ``tb`` that runs code from the file ``source``, or None when the
    learner's file is not on the stack."""
    target = Path(source).resolve()
    found = None
    for frame, line in traceback.walk_tb(tb):
        if Path(frame.f_code.co_filename).resolve() == target:
            found = Where(frame.f_code.co_name, line)
    return found
