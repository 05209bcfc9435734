"""The queueing lab: scenarios, one deterministic run, and its registration as a Lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dslab import params as params_mod
from dslab.impl import learner_errors, overlay
from dslab.lab import Card, Lab, Scenario
from dslab.labs.queueing import experiments, rules
from dslab.labs.queueing.model import QueueModel
from dslab.labs.queueing.params import QueueParams
from dslab.labs.queueing.plot import plot
from dslab.labs.queueing.story import story
from dslab.labs.queueing.theory import theory
from dslab.labs.queueing.view import view
from dslab.result import Result

CARD_TITLE = "Capacity Planning & Performance"
SWEEP = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.75,0.8,0.85,0.9,0.95,0.98"

SCENARIOS = {
    "default": Scenario("one M/M/1 server 80% busy: measure L, λ and W, and see Little's Law hold",
                        {}),
    "hockey-stick": Scenario(
        "one run per utilization from 10% to 98%: time in system bends upward past 70-80%",
        {"utilizations": SWEEP, "customers": 30_000}),
    "pool-sizing": Scenario(
        "900 requests/s of 10 ms each: the fewest servers that keep the mean wait under 2 ms",
        {"arrival_rate_per_s": 900.0, "max_wait_ms": 2.0, "customers": 60_000}),
    "burst": Scenario(
        "a one-second spike at 2.5x capacity on a half-busy server, and the queue draining after",
        {"arrival_rate_per_s": 50.0, "burst_at_ms": 3000.0, "customers": "none",
         "duration_ms": 12_000.0, "warmup_ms": 0.0}),
    "closed": Scenario(
        "60 users who each await their answer: the server saturates but the queue stays bounded, "
        "unlike an open stream with the same demand",
        {"users": 60, "think_ms": "exp(500)", "customers": "none", "duration_ms": 60_000.0}),
}


def load_impl(path: str | Path | None = None):
    """The reference rules, with the exercise's rules taken from ``path`` if given."""
    return overlay(rules, rules.EXERCISE, path)


def run(params: QueueParams, seed: int = 1, impl: Any = None, scenario: str = "custom") -> Result:
    """One deterministic experiment: a queue, a sweep, or a pool search, as ``params`` says.
    ``impl`` supplies the formulas set beside the simulation (the reference if None)."""
    with learner_errors(impl, "queueing", "formulas", "for these parameters"):
        if params.utilizations:
            out = experiments.sweep(params, seed, impl)
        elif params.max_wait_ms is not None:
            out = experiments.pool(params, seed, impl)
        else:
            model = QueueModel(params, seed)
            model.finish()
            out = experiments.single(model, impl)
        return _result(params, seed, impl, scenario, out)


def result_of(model: QueueModel, scenario: str = "custom", impl: Any = None) -> Result:
    """The Result of one queue that has run (to its end, or as far as a notebook stepped it)."""
    return _result(model.params, model.seed, impl, scenario, experiments.single(model, impl))


def _result(params: QueueParams, seed: int, impl: Any, scenario: str,
            out: experiments.Outcome) -> Result:
    th = theory(params, impl)
    return Result(lab="queueing", scenario=scenario, seed=seed, params=params_mod.to_dict(params),
                  metrics=out.metrics, theory=th, checks=out.checks, series=out.series,
                  story=story(params, out.metrics, th, out.series))


LAB = Lab(
    name="queueing",
    title="Little's Law and the queueing hockey stick",
    summary="L = λW measured, latency exploding past 80% busy, sizing a pool",
    card=Card(
        title=CARD_TITLE,
        mastery="Size a worker pool from a request rate and a latency target with Little's Law "
                "and Erlang C, and explain why latency climbs so steeply as utilization nears "
                "100% (also the Performance & Tail Latency card: why p99 is not the mean).",
    ),
    params=QueueParams,
    scenarios=SCENARIOS,
    run=run,
    theory=theory,
    plot=plot,
    rules="dslab.labs.queueing.rules",
    exercise_rules=rules.EXERCISE,
    load_impl=load_impl,
    view=view,
    gallery="hockey-stick",
)
