"""Time limits on learner code: a loop that never ends is stopped, and the learner's line found."""

from __future__ import annotations

import sys

import pytest

from dslab.limits import TimeLimitExceeded, learner_frame, time_limit


def spin() -> None:
    while True:
        pass


def test_a_loop_that_never_ends_is_stopped_and_its_line_found():
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.05):
            spin()
    where = learner_frame(info.value.__traceback__, __file__)
    assert where is not None and where.function == "spin"
    assert spin.__code__.co_firstlineno < where.line <= spin.__code__.co_firstlineno + 2


def test_except_exception_does_not_swallow_the_limit():
    def stubborn() -> None:
        while True:
            try:
                spin()
            except Exception:
                pass

    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.05):
            stubborn()


def test_code_that_returns_in_time_is_untouched_and_the_timer_is_disarmed():
    import signal

    with time_limit(5):
        total = sum(range(1000))
    assert total == 499500
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_outer_limit_survives_an_inner_one():
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.2):
            with time_limit(5):
                pass
            spin()
    assert info.value.seconds == 0.2


def test_no_frame_when_the_file_is_not_on_the_stack():
    try:
        {}["missing"]
    except KeyError:
        assert learner_frame(sys.exc_info()[2], "/nowhere/exercise.py") is None


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_a_limit_must_be_a_positive_number(bad):
    with pytest.raises(ValueError):
        with time_limit(bad):
            pass


def test_an_inner_limit_never_stretches_an_outer_one():
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.1):
            with time_limit(30):
                spin()
    assert info.value.seconds == 0.1
