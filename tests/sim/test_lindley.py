"""The Lindley recursion against the event simulation it replaces: on the same draws, one FIFO
server gives the same per-request times to the last bit, the same integral of the number in
system and the same longest queue, at light load and near saturation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.sim import lindley
from dslab.sim.dist import Const, Exp, LogNormal, Mixture, Uniform
from dslab.sim.simulation import Simulation
from dslab.sim.sources import OpenArrivals, _advance, _advance_by_loop
from dslab.sim.station import Station


def by_events(seed, rate, service, gaps=None, limit=None, stop_ms=math.inf, record_path=False):
    """A station fed by an open stream, run event by event to its end."""
    sim = Simulation(seed)
    station = Station(sim, 1, service, record_path=record_path)
    source = OpenArrivals(sim, station.arrive, [(0.0, rate)], gaps, limit=limit, stop_ms=stop_ms)
    times = []
    source.target = lambda: (times.append(sim.now), station.arrive())
    source.start()
    sim.run(math.inf)
    return station, np.array(times)


def by_recursion(seed, rate, service, gaps=None, limit=None, stop_ms=math.inf,
                 record_path=False):
    """The same station and stream, built the same way, solved by the recursion."""
    sim = Simulation(seed)
    station = Station(sim, 1, service, record_path=record_path)
    source = OpenArrivals(sim, station.arrive, [(0.0, rate)], gaps, limit=limit, stop_ms=stop_ms)
    source.start()
    arrival = source.arrival_times()
    assert station.serve_all(arrival) is not None
    return station, arrival


# loads from light to 99% busy; 10 ms mean service, so the rate is 100 per second times the load
LOADS = (0.1, 0.5, 0.8, 0.95, 0.99)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("load", LOADS)
def test_the_recursion_gives_the_event_simulations_waits_to_the_last_bit(seed, load):
    events, times = by_events(seed, 100 * load, Exp(10), limit=20_000)
    solved, arrival = by_recursion(seed, 100 * load, Exp(10), limit=20_000)
    a, b = events.records(), solved.records()
    assert np.array_equal(arrival, times)
    for name in ("arrival", "start", "finish", "wait", "sojourn"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert solved.max_queue == events.max_queue
    # the same sums in the same order (the solved station's clock never moved: read it at the end)
    assert solved.integral(events.sim.now) == events.integral()
    assert solved.arrivals == events.arrivals == 20_000 and solved.in_system == 0


@pytest.mark.parametrize("service, gaps", [
    (LogNormal(10, 20), Uniform(0.5, 1.5)),   # heavy-ish service, smoother arrivals
    (Const(9.5), Const(1)),                     # deterministic: every request alone
    (Mixture((0.9, 0.1), (Exp(5), Exp(55))), None),
])
def test_the_recursion_matches_for_other_distributions_and_a_stream_that_stops_on_time(service,
                                                                                      gaps):
    events, times = by_events(7, 95.0, service, gaps, stop_ms=60_000)
    solved, arrival = by_recursion(7, 95.0, service, gaps, stop_ms=60_000)
    assert len(arrival) > 5000 and np.array_equal(arrival, times)
    a, b = events.records(), solved.records()
    assert np.array_equal(a.start, b.start) and np.array_equal(a.finish, b.finish)
    assert solved.max_queue == events.max_queue
    assert solved.integral(events.sim.now) == events.integral()


@pytest.mark.parametrize("service, gaps", [(Exp(10), None), (Const(9.5), Const(1)),
                                            (LogNormal(10, 20), Uniform(0.5, 1.5))])
def test_the_path_of_the_number_in_system_is_the_stations_own(service, gaps, monkeypatch):
    # small chunks put the steps, and the times the integral is read at, across chunks
    monkeypatch.setattr(lindley, "CHUNK", 97)
    events, _ = by_events(2, 90.0, service, gaps, limit=5000, record_path=True)
    solved, _ = by_recursion(2, 90.0, service, gaps, limit=5000, record_path=True)
    assert np.array_equal(solved.path_t, events.path_t)
    assert np.array_equal(solved.path_n, events.path_n)
    assert solved.integral(events.sim.now) == events.integral()
    assert np.array_equal(solved.records().finish, events.records().finish)


def test_the_integral_at_any_moment_is_the_stations_own():
    sim = Simulation(5)
    events = Station(sim, 1, Exp(10))
    OpenArrivals(sim, events.arrive, [(0.0, 90.0)], limit=3000).start()
    seen = {}
    for t in (0.0, 1.5, 777.0, 15_000.0, 29_000.0):
        sim.run(t)
        seen[t] = events.integral()
    sim.run(math.inf)
    rec = events.records()
    assert lindley.integrals(rec.arrival, rec.finish, list(seen)) == list(seen.values())
    sim = Simulation(5)
    solved = Station(sim, 1, Exp(10))
    source = OpenArrivals(sim, solved.arrive, [(0.0, 90.0)], limit=3000)
    source.start()
    assert solved.serve_all(source.arrival_times(), list(seen)) == list(seen.values())


def test_an_arrival_at_the_instant_of_a_finish_is_refused_rather_than_guessed():
    # Arrivals every 20 ms; half the requests take exactly 20 ms, so the next one arrives just
    # as such a request finishes. Which event goes first decides the longest queue.
    service = Mixture((0.5, 0.5), (Const(20), Const(1)))
    sim = Simulation(1)
    station = Station(sim, 1, service)
    source = OpenArrivals(sim, station.arrive, [(0.0, 50.0)], Const(1), limit=100)
    source.start()
    arrival = source.arrival_times()
    assert station.serve_all(arrival) is None
    assert station.arrivals == 0  # nothing recorded


def test_serve_all_refuses_a_station_the_recursion_does_not_describe():
    for kwargs in ({"servers": 2}, {"discipline": "lifo"}, {"queue_limit": 5},
                   {"shed_after_ms": 50.0}):
        station = Station(Simulation(1), kwargs.pop("servers", 1), Exp(10), **kwargs)
        with pytest.raises(ValueError):
            station.serve_all(np.array([1.0, 2.0]))


def test_arrival_times_need_a_steady_stream_that_ends_and_has_not_fired():
    sim = Simulation(1)
    endless = OpenArrivals(sim, lambda: None, [(0.0, 10.0)])
    endless.start()
    with pytest.raises(ValueError):
        endless.arrival_times()
    changing = OpenArrivals(sim, lambda: None, [(0.0, 10.0), (100.0, 20.0)], limit=5)
    changing.start()
    with pytest.raises(ValueError):
        changing.arrival_times()
    unstarted = OpenArrivals(sim, lambda: None, [(0.0, 10.0)], limit=5)
    with pytest.raises(ValueError):
        unstarted.arrival_times()
    late = OpenArrivals(sim, lambda: None, [(0.0, 10.0)], stop_ms=1e-9)
    late.start()
    assert len(late.arrival_times()) == 0  # the first gap already ends the stream


@given(now=st.floats(0, 1e6), gaps=st.lists(st.floats(0, 1e7), min_size=1, max_size=40))
def test_arrival_times_take_the_clock_steps_the_events_take(now, gaps):
    # The event loop plans clock + gap, and SimPy fires at clock + (planned - clock); the running
    # sum and the loop must both give exactly those times, tiny clocks and huge gaps included.
    t = now
    expected = []
    for gap in gaps:
        x = t + gap
        t = t + (x - t)
        expected.append((x, t))
    for planned, at in (_advance(now, np.array(gaps)), _advance_by_loop(now, np.array(gaps))):
        assert list(zip(planned.tolist(), at.tolist(), strict=True)) == expected
