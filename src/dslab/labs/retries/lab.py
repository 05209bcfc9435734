"""The retry lab: scenarios, one deterministic run, and its registration as a Lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dslab import params as params_mod
from dslab.impl import learner_errors, overlay
from dslab.lab import Card, Lab, Scenario
from dslab.labs.retries import experiments, rules
from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.params import RetryParams
from dslab.labs.retries.plot import plot
from dslab.labs.retries.story import story
from dslab.labs.retries.theory import theory
from dslab.result import Result

JITTER = "immediate,exponential,full-jitter,equal-jitter,decorrelated-jitter"

SCENARIOS = {
    "default": Scenario(
        "a service 80% busy and a one-second spike: clients that never retry see it recover, "
        "clients with three retries (immediate or jittered) keep it down",
        {}),
    "metastable": Scenario(
        "three immediate retries after a short spike: a minute later the service is still down, "
        "serving requests nobody waits for",
        {"policy": "immediate", "duration_ms": 60_000.0}),
    "budget": Scenario(
        "the same spike and retries with a 10% retry budget: the storm is capped and the service "
        "comes back",
        {"policy": "immediate", "budget_ratio": 0.1, "duration_ms": 60_000.0}),
    "breaker": Scenario(
        "the same with a circuit breaker that opens after 5 timeouts in a row and probes after a "
        "second",
        {"policy": "immediate", "breaker_failures": 5, "duration_ms": 60_000.0}),
    "shed": Scenario(
        "the service drops work that waited past the client's timeout: its queue stays short, "
        "but three retries still ask four times what it can do",
        {"policy": "none,immediate", "shed": True}),
    "outage": Scenario(
        "three quarters of the workers vanish for two seconds instead of a spike",
        {"trigger": "capacity", "trigger_size": 4.0, "trigger_ms": 2000.0}),
    "jitter": Scenario(
        "2 to 100 clients race to update one record: write attempts and time to finish for each "
        "backoff policy",
        {"family": "contention", "policy": JITTER, "retries": 100, "base_ms": 5.0,
         "cap_ms": 1000.0}),
    "layers": Scenario(
        "four services each retrying three times over a dead dependency: 256 calls per request",
        {"family": "layers", "layers": 4, "requests": 100}),
}


def load_impl(path: str | Path | None = None):
    """The reference rules, with the exercise's rules taken from ``path`` if given."""
    return overlay(rules, rules.EXERCISE, path)


def run(params: RetryParams, seed: int = 1, impl: Any = None, scenario: str = "custom") -> Result:
    """One deterministic experiment of ``params.family``, every policy on the same seed; ``impl``
    supplies the backoff, budget and breaker (the reference rules if None)."""
    impl = impl if impl is not None else load_impl()
    monitor = Monitor(params.cap_ms, params.budget_ratio, params.budget_tokens)
    with learner_errors(impl, "retries"):
        out = experiments.FAMILIES[params.family](params, seed, impl, monitor)
    return _result(params, seed, scenario, out, monitor)


def _result(params: RetryParams, seed: int, scenario: str, out: experiments.Outcome,
            monitor: Monitor) -> Result:
    th = theory(params)
    return Result(lab="retries", scenario=scenario, seed=seed, params=params_mod.to_dict(params),
                  metrics=out.metrics, theory=th, checks=monitor.verdicts(), series=out.series,
                  story=story(params, out, th))


LAB = Lab(
    name="retries",
    title="Retry storms and metastable failure",
    summary="timeouts and retries that keep a service down, backoff with jitter, budgets, breakers",
    card=Card(
        title="Resilience & Load-Management Patterns",
        mastery="Put a timeout, jittered retries, a retry budget and a circuit breaker around a "
                "call to a dependency, and explain what each one prevents: why retries can keep a "
                "service down after the trigger has passed, and why they multiply across layers "
                "(also the outage studies' cascading failure: retry storms).",
    ),
    params=RetryParams,
    scenarios=SCENARIOS,
    run=run,
    theory=theory,
    plot=plot,
    rules="dslab.labs.retries.rules",
    exercise_rules=rules.EXERCISE,
    load_impl=load_impl,
    gallery="default",
)
