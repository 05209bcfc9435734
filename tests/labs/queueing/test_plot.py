"""The queueing pictures say what queue they show: the number of servers in the heading, the
customers a queue limit turned away, and log axes labelled with their values."""

from __future__ import annotations

from plot_support import drawn, legend_texts, tick_texts

from dslab.labs.queueing.lab import LAB


def run(scenario: str = "default", **overrides):
    return LAB.run(LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()}), 1,
                   scenario=scenario)


def rejected_lines(fig):
    return [ln for ax in fig.axes for ln in ax.get_lines()
            if ln.get_label().startswith("turned away at the door")]


def test_a_queue_limit_plot_shows_the_customers_turned_away():
    r = run(queue_limit=5, arrival_rate_per_s=95, customers=5000)
    fig = drawn(LAB.plot(r))
    (line,) = rejected_lines(fig)
    assert sum(line.get_ydata()) > 0
    assert f"{r.metrics['rejected_fraction']:.1%} of arrivals" in line.get_label()
    assert line.get_label() in legend_texts(fig.axes[0])


def test_a_queue_without_a_limit_turns_no_one_away():
    assert not rejected_lines(drawn(LAB.plot(run(customers=5000))))


def test_the_heading_says_how_many_servers():
    fig = drawn(LAB.plot(run(servers=4, arrival_rate_per_s=340, customers=5000)))
    assert "M/M/4 queue: 4 servers, utilization 0.85" in fig.axes[0].get_title(loc="right")
    sweep = drawn(LAB.plot(run("hockey-stick", customers=2000, utilizations="0.5,0.9")))
    assert "M/M/1 queue: 1 server, one run per utilization" in sweep.axes[0].get_title(loc="right")
    pool = drawn(LAB.plot(run("pool-sizing", customers=5000)))
    assert "M/M/c queue: c servers" in pool.axes[0].get_title(loc="right")


def test_log_axes_show_their_values():
    pool = drawn(LAB.plot(run("pool-sizing", customers=5000))).axes[0]
    labels = tick_texts(pool, "y")
    assert {"0.5", "1", "2", "5"} <= set(labels) and not any("$" in t for t in labels)
    closed = drawn(LAB.plot(run("closed", duration_ms=10_000))).axes[0]
    labels = tick_texts(closed, "y")
    assert labels[0] == "0" and "10" in labels and not any("$" in t for t in labels)
