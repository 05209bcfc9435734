"""The simulation clock and its random streams: same seed, same numbers; same-time events in the
order they were scheduled; a runaway run stops at its event budget and names the seed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dslab.errors import BudgetExceeded
from dslab.sim.simulation import Simulation


def _draws(sim: Simulation, name: str, n: int = 8) -> list[float]:
    return [float(x) for x in sim.rng(name).random(n)]


# -- random streams ------------------------------------------------------------------------------

def test_same_seed_gives_the_same_numbers():
    assert _draws(Simulation(7), "x") == _draws(Simulation(7), "x")


def test_different_seeds_give_different_numbers():
    assert _draws(Simulation(7), "x") != _draws(Simulation(8), "x")


def test_differently_named_streams_differ():
    sim = Simulation(7)
    assert _draws(sim, "a") != _draws(sim, "b")


def test_a_stream_continues_rather_than_restarting():
    sim = Simulation(7)
    assert sim.rng("x") is sim.rng("x")
    first, second = _draws(sim, "x", 4), _draws(sim, "x", 4)
    assert first + second == _draws(Simulation(7), "x", 8)


def test_adding_a_stream_does_not_shift_an_existing_one():
    alone = Simulation(11)
    expected = _draws(alone, "network", 20)

    crowded = Simulation(11)
    _draws(crowded, "a-new-stream", 100)
    got = _draws(crowded, "network", 10)
    _draws(crowded, "another", 5)
    got += _draws(crowded, "network", 10)
    assert got == expected


def test_streams_do_not_depend_on_the_process_hash_seed():
    code = ("from dslab.sim.simulation import Simulation;"
            "print(repr(float(Simulation(5).rng('network').random())))")
    here = repr(float(Simulation(5).rng("network").random()))
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        assert out == here


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        Simulation(-1)


# -- scheduling ----------------------------------------------------------------------------------

def test_call_later_runs_in_time_order_and_same_time_in_insertion_order():
    sim = Simulation(1)
    fired: list[tuple[float, str]] = []

    def note(label):
        fired.append((sim.now, label))

    for delay, label in [(5, "e"), (1, "a"), (3, "d"), (1, "b"), (1, "c"), (5, "f")]:
        sim.call_later(delay, note, label)
    sim.run(10)
    assert fired == [(1, "a"), (1, "b"), (1, "c"), (3, "d"), (5, "e"), (5, "f")]


def test_an_event_scheduled_for_now_runs_after_those_already_waiting():
    sim = Simulation(1)
    fired: list[str] = []

    def first():
        fired.append("first")
        sim.call_later(0, fired.append, "scheduled-by-first")

    sim.call_later(2, first)
    sim.call_later(2, fired.append, "second")
    sim.run(5)
    assert fired == ["first", "second", "scheduled-by-first"]


def test_call_at_uses_absolute_time_and_a_past_time_means_now():
    sim = Simulation(1)
    fired: list[tuple[float, str]] = []
    sim.call_at(4, lambda: fired.append((sim.now, "at-4")))
    sim.run(6)
    sim.call_at(2, lambda: fired.append((sim.now, "at-2-is-past")))
    sim.call_at(9, lambda: fired.append((sim.now, "at-9")))
    sim.run(10)
    assert fired == [(4, "at-4"), (6, "at-2-is-past"), (9, "at-9")]


def test_run_can_be_continued_and_time_ends_at_until():
    sim = Simulation(1)
    fired: list[float] = []
    for t in range(1, 11):
        sim.call_at(t, lambda: fired.append(sim.now))
    sim.run(3.5)
    assert fired == [1, 2, 3] and sim.now == 3.5
    sim.run(7)
    assert fired == [1, 2, 3, 4, 5, 6] and sim.now == 7  # an event at exactly `until` waits
    sim.run(20)
    assert fired == list(range(1, 11)) and sim.now == 20


def test_run_with_nothing_to_do_still_advances_the_clock():
    sim = Simulation(1)
    sim.run(250)
    assert sim.now == 250


def test_a_long_idle_stretch_ends_exactly_at_until_and_leaves_an_event_due_then():
    sim = Simulation(1)
    fired: list[float] = []
    sim.call_at(1, lambda: fired.append(sim.now))
    sim.call_at(100, lambda: fired.append(sim.now))
    sim.run(100)
    assert fired == [1] and sim.now == 100
    sim.run(101)
    assert fired == [1, 100] and sim.now == 101


def test_the_clock_lands_on_until_even_where_now_plus_the_gap_rounds_away():
    # 10838.097625372002 + (32514.292876116004 - 10838.097625372002) is one ulp short in floats
    start, until = 10838.097625372002, 32514.292876116004
    assert start + (until - start) != until
    sim = Simulation(1)
    sim.call_at(start, lambda: None)
    sim.call_at(until, lambda: None)
    sim.run(until)
    assert sim.now == until
    assert sim.events_processed == 1  # the event at `until` waits; the way there is no event


def test_a_scheduled_call_is_an_event_whose_value_is_none_like_a_plain_timeout():
    sim = Simulation(1)
    ev = sim.call_later(3, lambda: None)
    sim.run(5)
    assert ev.processed and ev.ok and ev.value is None


def test_continued_runs_count_only_the_events_that_happened():
    sim = Simulation(1)
    for t in range(1, 21):
        sim.call_at(t, lambda: None)
    for until in (2.5, 7, 7.5, 12, 100):  # each stop leaves nothing behind to be counted later
        sim.run(until)
    assert sim.events_processed == 20


def test_a_run_that_an_error_stopped_can_be_continued_to_its_new_end():
    sim = Simulation(1)
    fired: list[float] = []

    def fail():
        raise RuntimeError("a learner's bug")

    for t in range(1, 21):
        sim.call_at(t, lambda: fired.append(sim.now))
    sim.call_at(5.5, fail)
    with pytest.raises(RuntimeError, match="bug"):
        sim.run(10)
    sim.run(15)  # the first run's end at 10 does not stop this one early
    assert fired == list(range(1, 15)) and sim.now == 15
    assert sim.events_processed == 14


# -- event budget --------------------------------------------------------------------------------

def _runaway(sim: Simulation) -> None:
    sim.call_later(1, _runaway, sim)


def test_a_runaway_run_stops_at_the_budget_and_names_the_seed():
    sim = Simulation(42, event_budget=100)
    sim.call_later(0, _runaway, sim)
    with pytest.raises(BudgetExceeded, match=r"seed 42\b") as e:
        sim.run(1_000_000)
    assert "100" in str(e.value)
    assert sim.now < 200, "it should stop near the budget, not run on to the horizon"


def test_a_run_within_the_budget_is_not_stopped():
    sim = Simulation(3, event_budget=10)
    fired: list[int] = []
    for i in range(10):
        sim.call_later(i, fired.append, i)
    sim.run(100)
    assert fired == list(range(10))
    assert sim.events_processed == 10


def test_the_budget_counts_events_across_continued_runs():
    sim = Simulation(3, event_budget=10)
    for i in range(20):
        sim.call_later(i, lambda: None)
    sim.run(8)  # 8 events so far
    with pytest.raises(BudgetExceeded):
        sim.run(100)


def test_the_budget_stops_on_the_very_event_that_exceeds_it_whatever_the_chunk():
    for chunk in (1, 7, 1024):
        sim = Simulation(42, event_budget=100)
        sim.BUDGET_CHUNK = chunk
        sim.call_later(0, _runaway, sim)
        with pytest.raises(BudgetExceeded, match=r"stopped after 100 events at t=100\.0 ms"):
            sim.run(1_000_000)
        assert sim.events_processed == 101 and sim.now == 100
