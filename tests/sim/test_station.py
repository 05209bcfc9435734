"""The queueing station and the request sources: exact behaviour on small hand-made cases, and
conservation, capacity and the time-integral under generated settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.sim.dist import Const, Exp, Uniform
from dslab.sim.simulation import Simulation
from dslab.sim.sources import ClosedUsers, OpenArrivals
from dslab.sim.station import FIFO, LIFO, Station


def arrive_at(sim: Simulation, station: Station, times: list[float]) -> None:
    for t in times:
        sim.call_at(t, station.arrive)


def test_one_server_serves_in_arrival_order_and_queues_the_rest():
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(10))
    arrive_at(sim, st_, [0, 1, 2])
    sim.run(math.inf)
    r = st_.records()
    assert list(r.start) == [0, 10, 20]
    assert list(r.finish) == [10, 20, 30]
    assert list(r.wait) == [0, 9, 18]


def test_lifo_serves_the_newest_waiting_request_first():
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(10), discipline=LIFO)
    arrive_at(sim, st_, [0, 1, 2, 3])
    sim.run(math.inf)
    assert list(st_.records().start) == [0, 30, 20, 10]


def test_a_full_queue_turns_requests_away_at_the_door():
    sim = Simulation(1)
    st_ = Station(sim, 2, Const(10), queue_limit=1)
    turned = []
    st_.on_reject = turned.append
    arrive_at(sim, st_, [0, 0, 0, 0, 5])
    sim.run(math.inf)
    r = st_.records()
    assert list(r.rejected) == [False, False, False, True, True]
    assert turned == [3, 4]
    assert st_.max_queue == 1


def test_the_integral_counts_request_milliseconds():
    # Two requests overlap for 5 ms: 10 + 10 request-ms in total over 15 ms.
    sim = Simulation(1)
    st_ = Station(sim, 2, Const(10))
    arrive_at(sim, st_, [0, 5])
    sim.run(math.inf)
    assert st_.integral() == pytest.approx(20.0)
    assert sim.now == 15.0
    with pytest.raises(ValueError):
        st_.integral(until_ms=3.0)


def test_set_servers_takes_effect_on_the_queue_at_once():
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(10))
    arrive_at(sim, st_, [0, 0, 0])
    sim.call_at(1, st_.set_servers, 3)
    sim.run(math.inf)
    assert list(st_.records().start) == [0, 1, 1]


def test_run_to_infinity_stops_at_the_last_event():
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(7))
    arrive_at(sim, st_, [3])
    sim.run(math.inf)
    assert sim.now == 10.0


@settings(max_examples=60)
@given(servers=st.integers(1, 4), limit=st.one_of(st.none(), st.integers(0, 5)),
       discipline=st.sampled_from([FIFO, LIFO]), rho=st.floats(0.2, 1.6), seed=st.integers(0, 10**6))
def test_generated_queues_conserve_requests_and_respect_capacity(servers, limit, discipline, rho, seed):
    sim = Simulation(seed)
    st_ = Station(sim, servers, Exp(10), discipline=discipline, queue_limit=limit,
                  record_path=True)
    src = OpenArrivals(sim, st_.arrive, [(0, rho * servers * 100)], limit=400)
    src.start()
    sim.run(2000.0)  # part way: some requests still inside
    r = st_.records()
    assert src.count == len(r) == int(r.done.sum() + r.rejected.sum() + r.in_flight.sum())
    assert int(r.in_flight.sum()) == st_.in_system
    assert limit is None or st_.max_queue <= limit
    path_n = np.asarray(st_.path_n)
    assert path_n.min() >= 0 and (limit is None or path_n.max() <= servers + limit)
    # the running integral agrees with the records' own request-milliseconds
    now = sim.now
    spent = np.where(np.isnan(r.finish), now, r.finish) - r.arrival
    assert st_.integral() == pytest.approx(float(spent[~r.rejected].sum()), rel=1e-9, abs=1e-6)


def test_open_arrivals_keep_the_rate_and_stop_at_the_limit():
    sim = Simulation(3)
    times = []
    src = OpenArrivals(sim, lambda: times.append(sim.now), [(0, 200.0)], limit=20_000)
    src.start()
    sim.run(math.inf)
    gaps = np.diff(times)
    assert len(times) == 20_000
    # exponential gaps of mean 5 ms: the sample mean's standard error is 5 / sqrt(20,000)
    assert abs(gaps.mean() - 5.0) < 5 * 5.0 / math.sqrt(len(gaps))
    assert np.std(gaps) / gaps.mean() == pytest.approx(1.0, abs=0.05)


def test_open_arrivals_follow_a_rate_change_and_keep_the_gap_shape():
    sim = Simulation(4)
    times = []
    src = OpenArrivals(sim, lambda: times.append(sim.now), [(0, 100.0), (10_000, 1000.0)],
                       gaps=Uniform(3, 5), stop_ms=20_000)
    src.start()
    sim.run(math.inf)
    t = np.asarray(times)
    before, after = (t < 10_000).sum(), (t >= 10_000).sum()
    # A renewal count over n gaps has standard deviation about sqrt(n * cv^2); uniform(3,5) has
    # cv^2 = 1/48, so 5 standard deviations are about 23 and 72 requests.
    assert before == pytest.approx(1000, abs=23)
    assert after == pytest.approx(10_000, abs=72)
    assert t.max() < 20_000


def test_a_zero_rate_sends_nothing_until_it_changes():
    sim = Simulation(5)
    times = []
    OpenArrivals(sim, lambda: times.append(sim.now), [(0, 0.0), (500, 100.0)], limit=10).start()
    sim.run(math.inf)
    assert len(times) == 10 and min(times) >= 500


def test_closed_users_never_have_more_than_one_request_each_inside():
    sim = Simulation(6)
    st_ = Station(sim, 1, Exp(10), record_path=True)
    users = ClosedUsers(sim, st_, 25, Exp(100), stop_ms=20_000)
    users.start()
    sim.run(math.inf)
    assert max(st_.path_n) <= 25
    assert users.count == st_.arrivals and st_.in_system == 0
    # saturated: 25 users would bring 25 / 110 ms = 227 per second against a capacity of 100
    assert users.count / 20.0 == pytest.approx(100, rel=0.1)


def test_sources_refuse_rates_that_make_no_sense():
    sim = Simulation(1)
    for rates in ([], [(5, 1.0)], [(0, 1.0), (0, 2.0)], [(0, -1.0)]):
        with pytest.raises(ValueError):
            OpenArrivals(sim, lambda: None, rates)


def test_a_request_that_waited_past_the_shedding_limit_is_dropped_unserved():
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(10), shed_after_ms=15)
    shed = []
    st_.on_shed = shed.append
    arrive_at(sim, st_, [0, 1, 2, 3])  # at 10 ms #1 has waited 9; at 20 ms #2 and #3 waited 18, 17
    sim.run(math.inf)
    r = st_.records()
    assert list(r.shed) == [False, False, True, True]
    assert shed == [2, 3]
    assert list(r.finish[:2]) == [10, 20] and np.isnan(r.finish[2:]).all()
    assert list(r.wait) == [0, 9, 18, 17]  # how long each waited before being served or dropped
    assert st_.in_system == 0 and st_.integral() == pytest.approx(10 + 19 + 18 + 17)


@settings(max_examples=40, deadline=None)
@given(servers=st.integers(1, 4), limit=st.floats(0, 50), rate=st.floats(50, 400),
       seed=st.integers(0, 1000))
def test_with_shedding_every_request_is_served_shed_or_still_inside(servers, limit, rate, seed):
    sim = Simulation(seed)
    st_ = Station(sim, servers, Exp(10), shed_after_ms=limit)
    OpenArrivals(sim, st_.arrive, [(0.0, rate)], limit=300).start()
    sim.run(2000)
    r = st_.records()
    assert np.count_nonzero(r.done) + np.count_nonzero(r.shed) + np.count_nonzero(r.in_flight) == len(r)
    assert np.count_nonzero(r.in_flight) == st_.in_system
    served_wait = r.wait[r.done]
    assert (served_wait <= limit + 1e-9).all()  # nobody is served after waiting past the limit
    assert (r.wait[r.shed] > limit).all()


def test_records_allocated_for_few_grow_to_the_same_records_as_for_many():
    # A station told to expect 3 requests grows (twice here) as 3,000 come; one told 3,000
    # allocates once. Same seed, same events: the records and the path must not differ.
    def run(expected):
        sim = Simulation(8)
        st_ = Station(sim, 2, Exp(10), queue_limit=4, record_path=True, expected=expected)
        OpenArrivals(sim, st_.arrive, [(0.0, 230.0)], limit=3000).start()
        sim.run(math.inf)
        return st_

    few, many = run(3), run(3000)
    assert few._cap > 3000 >= many._cap  # the small one did grow
    a, b = few.records(), many.records()
    for name in ("arrival", "start", "finish"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert np.array_equal(a.rejected, b.rejected) and np.array_equal(a.shed, b.shed)
    assert np.array_equal(few.path_t, many.path_t) and np.array_equal(few.path_n, many.path_n)
    assert len(a) == 3000 and a.rejected.any()


def test_records_without_a_copy_are_read_only_views_that_survive_growth():
    sim = Simulation(2)
    st_ = Station(sim, 1, Const(4), expected=2)
    arrive_at(sim, st_, [0, 1, 2, 3, 4])
    sim.run(2.5)  # three arrived, so the records have grown past the 2 expected
    view = st_.records(copy=False)
    copy = st_.records()
    with pytest.raises(ValueError):
        view.arrival[0] = 99.0
    with pytest.raises(ValueError):
        st_.path_t[:] = 0.0
    sim.run(math.inf)  # more arrivals: the records grow again, into new arrays
    assert list(view.arrival) == list(copy.arrival) == [0, 1, 2]
    assert list(st_.records(copy=False).finish) == [4, 8, 12, 16, 20]


def test_on_last_is_called_once_just_after_the_last_arrival_the_limit_allows():
    sim = Simulation(3)
    seen = []
    src = OpenArrivals(sim, lambda: seen.append(("arrival", sim.now)), [(0.0, 100.0)], limit=5)
    src.on_last = lambda: seen.append(("last", sim.now))
    src.start()
    sim.run(math.inf)
    assert [kind for kind, _ in seen] == ["arrival"] * 5 + ["last"]
    assert seen[-1][1] == seen[-2][1]
    none = OpenArrivals(sim, lambda: None, [(0.0, 100.0)], limit=0)
    none.on_last = lambda: seen.append(("never", 0.0))
    none.start()
    sim.run(math.inf)
    assert seen[-1][0] == "last"


def test_a_request_arriving_on_a_whole_number_clock_is_recorded_like_any_other():
    # SimPy keeps an int clock after an int delay; the records are floats all the same.
    sim = Simulation(1)
    st_ = Station(sim, 1, Const(2), record_path=True)
    sim.env.timeout(5).callbacks.append(lambda _ev: st_.arrive())
    sim.env.timeout(6).callbacks.append(lambda _ev: (st_.arrive(), st_.set_servers(2)))
    sim.run(math.inf)
    r = st_.records()
    assert list(r.arrival) == [5.0, 6.0] and list(r.start) == [5.0, 6.0]
    assert list(r.finish) == [7.0, 8.0] and list(st_.path_n) == [1, 2, 1, 0]
