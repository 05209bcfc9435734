"""The retry pictures show what the run had: the breaker's state over time, the capacity the
workers really had, every policy's goodput line even where lines coincide, and log axes labelled
with their values."""

from __future__ import annotations

from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from plot_support import drawn, legend_texts, tick_texts

from dslab.labs.retries.lab import LAB
from dslab.labs.retries.plot import breaker_spans
from dslab.sim.dist import parse


def run(scenario: str, **overrides):
    return LAB.run(LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()}), 1,
                   scenario=scenario)


def breaker_bars(fig) -> dict[str, PolyCollection]:
    return {c.get_gid(): c for ax in fig.axes for c in ax.collections
            if (c.get_gid() or "").startswith("breaker:")}


def test_the_breaker_scenario_draws_the_breakers_state_over_time():
    r = run("breaker", duration_ms=20_000)
    states = r.series["immediate"]["breaker_states"]
    assert states[0] == (0.0, "closed")
    assert {s for _, s in states} == {"closed", "open", "half-open"}
    fig = drawn(LAB.plot(r))
    assert set(breaker_bars(fig)) == {"breaker:immediate:closed", "breaker:immediate:open",
                                      "breaker:immediate:half-open"}
    opened = [(a, b) for a, b, s in breaker_spans(states, r.params["duration_ms"]) if s == "open"]
    assert opened and all(b - a <= r.params["breaker_open_ms"] + r.params["timeout_ms"]
                          for a, b in opened)
    band = next(ax for ax in fig.axes if ax.get_ylabel() == "breaker")
    assert legend_texts(band) == ["breaker closed", "breaker open", "breaker half-open"]


def test_a_breaker_that_never_opens_lists_only_closed():
    r = run("breaker", trigger="none", duration_ms=5000)
    fig = drawn(LAB.plot(r))
    assert set(breaker_bars(fig)) == {"breaker:immediate:closed"}
    band = next(ax for ax in fig.axes if ax.get_ylabel() == "breaker")
    assert legend_texts(band) == ["breaker closed"]


def test_a_run_without_a_breaker_draws_no_band():
    fig = drawn(LAB.plot(run("default", duration_ms=10_000)))
    assert not breaker_bars(fig)
    assert len(fig.axes) == 2


def test_the_breaker_band_is_drawn_on_a_given_axes_too():
    r = run("breaker", duration_ms=10_000)
    fresh = Figure()
    single = drawn(LAB.plot(r, ax=fresh.add_subplot(1, 1, 1)))
    assert single is fresh and len(single.axes) == 1
    assert set(breaker_bars(single)) == set(breaker_bars(drawn(LAB.plot(r))))
    ax = single.axes[0]
    assert "immediate: goodput (recovered)" in legend_texts(ax), "the goodput legend stays"
    band = [a for a in ax.artists if isinstance(a, Legend)]
    assert [t.get_text() for t in band[0].get_texts()] == [
        "breaker closed", "breaker open", "breaker half-open"]


def capacity(fig):
    return next(line for line in fig.axes[0].get_lines() if line.get_gid() == "capacity")


def test_the_outage_draws_the_capacity_the_workers_had():
    r = run("outage", duration_ms=15_000)
    p = r.params
    line = capacity(drawn(LAB.plot(r)))
    left = max(1, round(p["servers"] / p["trigger_size"]))
    per_worker = 1000 / parse(p["service_ms"]).mean()
    assert (max(line.get_ydata()), min(line.get_ydata())) == (500, 100)  # the story's 10 and 2 workers
    assert max(line.get_ydata()) == p["servers"] * per_worker
    assert min(line.get_ydata()) == left * per_worker
    low = [x for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True) if y == min(line.get_ydata())]
    assert low == [p["trigger_at_ms"] / 1000, (p["trigger_at_ms"] + p["trigger_ms"]) / 1000]


def test_a_spike_keeps_the_capacity_steady():
    line = capacity(drawn(LAB.plot(run("default", duration_ms=10_000))))
    assert set(line.get_ydata()) == {500.0}


def test_every_policys_goodput_line_shows_where_lines_coincide():
    for scenario in ("default", "shed", "outage"):
        r = run(scenario, duration_ms=12_000)
        lines = [ln for ln in drawn(LAB.plot(r)).axes[0].get_lines()
                 if (ln.get_gid() or "").startswith("goodput:")]
        assert [ln.get_gid() for ln in lines] == [f"goodput:{pol}" for pol in r.params["policy"]]
        assert all(ln.get_visible() and ln.get_alpha() in (None, 1) for ln in lines)
        widths = [ln.get_linewidth() for ln in lines]
        assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths), (
            "each line is thinner than the one drawn before it, so the one below shows round it")
        assert len({ln.get_marker() for ln in lines}) == len(lines)
        assert len({ln.get_markevery()[0] for ln in lines}) == len(lines), "markers staggered"


def test_log_axes_show_their_values():
    fig = drawn(LAB.plot(run("jitter", repeats=3)))
    for ax in fig.axes:
        assert tick_texts(ax, "x") == ["2", "5", "10", "20", "50", "100"]
        assert all("$" not in t for t in tick_texts(ax, "y"))
    layers = drawn(LAB.plot(run("layers", requests=20))).axes[0]
    assert {"1", "2", "5", "10", "20", "50", "100", "200"} <= set(tick_texts(layers, "y"))
    queue = drawn(LAB.plot(run("default", duration_ms=10_000))).axes[1]
    assert tick_texts(queue, "y")[0] == "0" and all("$" not in t for t in tick_texts(queue, "y"))
