"""The queueing lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Boundary, Card, Experiment, Lab, Scenario
from dslab.labs.queueing import experiments, rules
from dslab.labs.queueing.params import PoolParams, QueueParams, SweepParams
from dslab.labs.queueing.story import pool_story, story, sweep_story
from dslab.labs.queueing.theory import capacity_margin, pool_theory, sweep_theory, theory
from dslab.labs.queueing.view import pool_view, sweep_view, view
from dslab.later import later
from dslab.run import whole

# the plots import matplotlib: only when a plot is drawn
plot = later("dslab.labs.queueing.plot", "plot")
pool_plot = later("dslab.labs.queueing.plot", "pool_plot")
sweep_plot = later("dslab.labs.queueing.plot", "sweep_plot")

QUEUE = Experiment(
    name="queue",
    help="one queue (open or closed, steady or with a spike): measure L, λ and W",
    params=QueueParams, model=experiments.QueueRun, theory=theory, story=story, plot=plot,
    view=view, boundary=Boundary("offered load = servers (λ·E[S] = c)", capacity_margin),
)
SWEEP = Experiment(
    name="sweep",
    help="the queue once per utilization: mean and p99 time in system against theory",
    params=SweepParams, model=whole(experiments.sweep), theory=sweep_theory, story=sweep_story,
    plot=sweep_plot, view=sweep_view,
)
POOL = Experiment(
    name="pool",
    help="pools around servers_needed's answer: the fewest servers that meet a mean-wait target",
    params=PoolParams, model=whole(experiments.pool), theory=pool_theory, story=pool_story,
    plot=pool_plot, view=pool_view,
)

SCENARIOS = {
    "default": Scenario("one M/M/1 server 80% busy: measure L, λ and W, and see Little's Law hold"),
    "hockey-stick": Scenario(
        "one run per utilization from 10% to 98%: time in system bends upward past 70-80%",
        {"customers": 30_000}, experiment="sweep"),
    "pool-sizing": Scenario(
        "900 requests/s of 10 ms each: the fewest servers that keep the mean wait under 2 ms",
        {"arrival_rate_per_s": 900.0, "max_wait_ms": 2.0, "customers": 60_000},
        experiment="pool"),
    "burst": Scenario(
        "a one-second spike at 2.5x capacity on a half-busy server, and the queue draining after",
        {"arrival_rate_per_s": 50.0, "burst_at_ms": 3000.0, "customers": "none",
         "duration_ms": 12_000.0, "warmup_ms": 0.0}),
    "closed": Scenario(
        "60 users who each await their answer: the server saturates but the queue stays bounded, "
        "unlike an open stream with the same demand",
        {"users": 60, "think_ms": "exp(500)", "customers": "none", "duration_ms": 60_000.0}),
}

LAB: Lab[QueueParams] = Lab(
    name="queueing",
    title="Little's Law and the queueing hockey stick",
    summary="L = λW measured, latency exploding past 80% busy, sizing a pool",
    card=Card(
        title="Capacity Planning & Performance",
        mastery="Size a worker pool from a request rate and a latency target with Little's Law "
                "and Erlang C, and explain why latency climbs so steeply as utilization nears "
                "100% (also the Performance & Tail Latency card: why p99 is not the mean).",
    ),
    rules=rules,
    experiments=(QUEUE, SWEEP, POOL),
    scenarios=SCENARIOS,
    gallery="hockey-stick",
    rules_noun="formulas",
)
