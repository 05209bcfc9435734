"""The queueing lab's fast paths give what the plain ones give: a sweep solved by the Lindley
recursion measures exactly what the event simulation measures, and the lean measurement (records
read in place, paths integrated a chunk at a time) gives exactly the numbers of the plain one,
with a bounded memory per request."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.labs.queueing import checks, experiments, measure
from dslab.labs.queueing.checks import most_in_service, verdicts
from dslab.labs.queueing.lab import LAB
from dslab.labs.queueing.measure import Little, batch_ci, occupancy
from dslab.labs.queueing.model import QueueModel, finished
from dslab.sim import lindley


def params(scenario: str = "default", **overrides):
    return LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})


def same(a, b) -> bool:
    """Equal to the last bit, NaN equal to NaN, through dicts, lists and tuples."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def by_events(p, seed, rate=None, servers=None):
    model = QueueModel(p, seed, rate_per_s=rate, servers=servers, record_path=False)
    model.finish()
    return model


def measured(model):
    m = measure.measure(model)
    return m, [(c.name, c.passed, c.detail) for c in verdicts(model, m)]


# -- the Lindley recursion against the events ------------------------------------------------

@pytest.mark.parametrize("seed", [1, 5])
@pytest.mark.parametrize("load", [0.3, 0.8, 0.95, 0.98])
def test_a_solved_queue_measures_exactly_what_the_simulated_one_does(seed, load):
    p = params("hockey-stick", customers=8000, warmup_ms=300)
    rate = load * 100.0  # 10 ms service
    solved = finished(p, seed, rate_per_s=rate, record_path=False)
    events = by_events(p, seed, rate)
    assert solved._solved_at is not None  # it was solved, not simulated
    a, b = solved.station.records(), events.station.records()
    assert np.array_equal(a.wait, b.wait) and np.array_equal(a.sojourn, b.sojourn)
    assert (solved.now, solved.window(), solved.window_integral()) == (
        events.now, events.window(), events.window_integral())
    assert same(measured(solved), measured(events))


@pytest.mark.parametrize("overrides", [
    {"customers": "none", "duration_ms": 30_000.0, "warmup_ms": 1000},  # stops on the clock
    {"service_ms": "lognormal(10,25)", "arrivals": "uniform(0.2,1.8)", "customers": 6000},
    {"service_ms": "const(10)", "arrivals": "const(1)", "customers": 3000, "warmup_ms": 0},
])
def test_solving_matches_events_for_other_shapes_and_a_run_of_fixed_length(overrides):
    p = params("hockey-stick", **overrides)
    solved = finished(p, 3, rate_per_s=90.0, record_path=False)
    assert solved._solved_at is not None
    assert same(measured(solved), measured(by_events(p, 3, 90.0)))


def test_an_arrival_at_the_instant_of_a_finish_falls_back_to_the_events():
    # every 20 ms an arrival; half the requests take exactly 20 ms: arrivals meet finishes
    p = params("hockey-stick", service_ms="mix(0.5:const(20),0.5:const(0))",
               arrivals="const(1)", customers=2000, warmup_ms=0)
    probe = QueueModel(p, 1, rate_per_s=50.0, record_path=False)
    assert probe.solvable() and not probe.solve()
    model = finished(p, 1, rate_per_s=50.0, record_path=False)
    assert model._solved_at is None  # simulated
    assert same(measured(model), measured(by_events(p, 1, 50.0)))


@pytest.mark.parametrize("overrides, servers", [
    ({"discipline": "lifo"}, None), ({"queue_limit": 3}, None), ({}, 2),
])
def test_queues_the_recursion_does_not_describe_are_simulated(overrides, servers):
    model = QueueModel(params("hockey-stick", customers=500, **overrides), 1, rate_per_s=80.0,
                       servers=servers, record_path=False)
    assert not model.solvable()
    with pytest.raises(ValueError):
        model.solve()
    assert not QueueModel(params("closed", duration_ms=5000), 1).solvable()


@pytest.mark.parametrize("overrides", [{"customers": 6000},
                                       {"customers": "none", "duration_ms": 40_000.0}])
def test_a_single_run_finished_in_one_go_is_solved_and_gives_the_stepped_runs_result(overrides):
    # Lab.run solves a plain queue; a notebook that steps it runs the events: the same Result
    p = params(**overrides)
    whole_run = LAB.start(p, 6)
    whole_run.finish()
    assert whole_run.model.model._solved_at is not None
    stepped = LAB.start(p, 6)
    stepped.run_until(1.0)
    stepped.finish()
    assert stepped.model.model._solved_at is None
    assert whole_run.result().to_json() == stepped.result().to_json()


def test_the_hockey_stick_is_the_same_solved_or_simulated(monkeypatch):
    p = params("hockey-stick", customers=4000, warmup_ms=200)
    solved = experiments.sweep(p, 2)
    monkeypatch.setattr(QueueModel, "solvable", lambda self: False)
    simulated = experiments.sweep(p, 2)
    assert same(solved.metrics, simulated.metrics) and same(solved.series, simulated.series)
    assert [(c.name, c.passed, c.detail) for c in solved.checks] == [
        (c.name, c.passed, c.detail) for c in simulated.checks]


# -- the lean measurement against the plain one ----------------------------------------------

def plain_measure(model):
    """measure() as it was first written: whole-run masks and copies, easy to check by eye."""
    rec = model.station.records()
    now = model.now
    t0, t1 = model.window()
    span = t1 - t0
    inside = (rec.arrival >= t0) & (rec.arrival <= t1)
    admitted = inside & ~rec.rejected
    left = np.where(np.isnan(rec.finish), now, rec.finish)
    soj = (left - rec.arrival)[admitted]
    wait = (np.where(np.isnan(rec.start), now, rec.start) - rec.arrival)[admitted]
    n = int(admitted.sum())
    nan = math.nan
    L = model.window_integral() / span if span > 0 else nan
    lam = 1000.0 * n / span if span > 0 else nan
    W = float(soj.mean()) if n else nan
    served = ~np.isnan(rec.start)
    busy = np.clip(left[served], t0, t1) - np.clip(rec.start[served], t0, t1)
    m = {"L": L, "lambda_per_s": lam, "W_ms": W, "Wq_ms": float(wait.mean()) if n else nan,
         "utilization": float(busy.sum()) / (model.servers * span) if span > 0 else nan}
    for key, q in (("p50_ms", 50), ("p90_ms", 90), ("p99_ms", 99), ("p999_ms", 99.9)):
        m[key] = float(np.percentile(soj, q)) if n else nan
    if span > 0 and L > 0 and math.isfinite(W):
        lw = lam * W / 1000.0
        before = (rec.arrival < t0) & ~rec.rejected
        carry_in = float((np.clip(left[before], t0, t1) - t0).sum())
        carry_out = float(np.clip(left[admitted] - t1, 0, None).sum())
        little = Little(L, lw, abs(L - lw) / L, (carry_in + carry_out) / span / L)
    else:
        little = Little(L, math.nan, 0.0, 0.0)
    m["littles_law_error"] = little.error
    if model.params.queue_limit is not None:
        offered = int(inside.sum())
        m["rejected_fraction"] = float((inside & rec.rejected).sum()) / offered if offered else nan
    return (m, little, batch_ci(soj, np.mean), batch_ci(wait, np.mean),
            batch_ci(soj, lambda x: np.percentile(x, 99)))


def plain_occupancy(model, bins=600):
    """occupancy() as first written: the whole path's running integral in one cumulative sum."""
    t = np.asarray(model.station.path_t)
    n = np.asarray(model.station.path_n, dtype=float)
    end = model.now
    if len(t) == 0 or end <= 0:
        return {"t_ms": [], "mean": [], "max": []}
    edges = np.linspace(0.0, end, bins + 1)
    area = np.concatenate([[0.0], np.cumsum(n[:-1] * np.diff(t))])
    i = np.clip(np.searchsorted(t, edges, side="right") - 1, 0, None)
    held = np.where(edges >= t[0], n[i], 0.0)
    at_edge = np.where(edges >= t[0], area[i] + held * (edges - t[i]), 0.0)
    first = np.searchsorted(t, edges[:-1], side="left")
    last = np.searchsorted(t, edges[1:], side="right")
    peak = [max(held[k], n[first[k]:last[k]].max()) if last[k] > first[k] else held[k]
            for k in range(bins)]
    return {"t_ms": ((edges[:-1] + edges[1:]) / 2).tolist(),
            "mean": (np.diff(at_edge) / np.diff(edges)).tolist(), "max": [float(x) for x in peak]}


#: queues of every kind the lab builds, finished or stopped part way (requests in flight)
SINGLE_RUNS = [
    ("default", {"customers": 6000}, None),
    ("default", {"customers": 6000}, 30_000.0),  # a notebook stopped mid-run
    ("default", {"queue_limit": 4, "arrival_rate_per_s": 120, "customers": 6000}, None),
    ("default", {"queue_limit": 4, "arrival_rate_per_s": 120, "customers": 6000}, 20_000.0),
    ("default", {"discipline": "lifo", "servers": 3, "arrival_rate_per_s": 280, "customers": 6000},
     None),
    ("burst", {}, None),
    ("closed", {"duration_ms": 20_000}, None),
    ("default", {"customers": 30, "warmup_ms": 0}, None),  # too few for the batch intervals
]


@pytest.mark.parametrize("scenario, overrides, stop", SINGLE_RUNS)
def test_the_lean_measurement_gives_the_plain_ones_numbers_to_the_last_bit(scenario, overrides,
                                                                          stop, monkeypatch):
    model = QueueModel(params(scenario, **overrides), 4)
    model.run_until(stop) if stop is not None else model.finish()
    m = measure.measure(model)
    assert same((m.metrics, m.little, m.W_ci95, m.Wq_ci95, m.p99_ci95), plain_measure(model))
    expected = plain_occupancy(model)
    assert same(occupancy(model), expected)
    details = [c.detail for c in verdicts(model, m)]
    monkeypatch.setattr(measure, "CHUNK", 7)  # many chunks, and edges falling between them
    monkeypatch.setattr(checks, "CHUNK", 5)
    assert same(occupancy(model), expected)
    assert [c.detail for c in verdicts(model, m)] == details


@given(spans=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6), st.booleans()),
                      max_size=60))
def test_most_in_service_counts_as_a_sweep_over_sorted_events_does(spans):
    # Whole-number times, so that starts and finishes often fall at one instant; a finish frees
    # its server before a start at the same instant takes it. Some requests never finish.
    start = np.array([float(s) for s, _, _ in spans])
    finish = np.array([float(s + d) if done else math.nan for s, d, done in spans])
    events = sorted([(s, +1) for s in start] + [(f, -1) for f in finish if not math.isnan(f)])
    busy, most = 0, 0
    for _, step in events:
        busy += step
        most = max(most, busy)
    assert most_in_service(start, finish) == most
    unstarted = np.concatenate([start, [math.nan]]), np.concatenate([finish, [math.nan]])
    assert most_in_service(*unstarted) == most


def peak_bytes(customers: int, stepped: bool) -> int:
    """Peak traced memory of one default run of ``customers`` with its outcome (records, path,
    measurement, picture and checks), above what was allocated before it: solved at once, or
    ``stepped`` through its events."""
    p = params(customers=customers, warmup_ms=100)
    tracemalloc.start()
    try:
        run = experiments.QueueRun(p, 1)
        if stepped:
            run.run_until(1.0)
        run.finish()
        run.outcome()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("stepped", [False, True], ids=["solved", "events"])
def test_a_long_run_holds_at_most_90_bytes_per_request_at_its_peak(monkeypatch, stepped):
    # Memory is deterministic, unlike time. The difference between two lengths is what each
    # extra request costs, whatever the fixed costs (modules, numpy's buffers); the chunks
    # are made small so that these short runs already work in many of them, as long ones do.
    monkeypatch.setattr(measure, "CHUNK", 1024)
    monkeypatch.setattr(checks, "CHUNK", 1024)
    monkeypatch.setattr(lindley, "CHUNK", 1024)
    small, large = 20_000, 60_000
    peak_bytes(1000, stepped)  # the first run imports and caches what every run needs
    per_request = (peak_bytes(large, stepped) - peak_bytes(small, stepped)) / (large - small)
    assert per_request <= 90, f"{per_request:.0f} bytes per request at the peak"
