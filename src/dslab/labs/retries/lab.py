"""The retry lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Boundary, Card, Experiment, Lab, Scenario
from dslab.labs.retries import experiments, rules, theory
from dslab.labs.retries.params import ContentionParams, LayersParams, OverloadParams, RetryParams
from dslab.labs.retries.story import contention_story, layers_story, overload_story
from dslab.later import later
from dslab.run import whole

# the plots import matplotlib: only when a plot is drawn
contention_plot = later("dslab.labs.retries.plot", "contention_plot")
layers_plot = later("dslab.labs.retries.plot", "layers_plot")
overload_plot = later("dslab.labs.retries.plot", "overload_plot")

OVERLOAD = Experiment(
    name="overload",
    help="a service pushed past capacity, with clients that time out and retry; every policy on "
         "the same arrivals",
    params=OverloadParams, model=experiments.OverloadRun, theory=theory.overload,
    story=overload_story, plot=overload_plot,
    boundary=Boundary("rate × (1 + k) = capacity", theory.collapse_margin),
)
CONTENTION = Experiment(
    name="contention",
    help="clients racing to update one record, backing off between tries",
    params=ContentionParams, model=whole(experiments.contention), theory=theory.contention,
    story=contention_story, plot=contention_plot,
)
LAYERS = Experiment(
    name="layers",
    help="a call chain in which every service retries the one below",
    params=LayersParams, model=whole(experiments.layers), theory=theory.layers,
    story=layers_story, plot=layers_plot,
)

JITTER = "immediate,exponential,full-jitter,equal-jitter,decorrelated-jitter"

SCENARIOS = {
    "default": Scenario(
        "a service 80% busy and a one-second spike: clients that never retry see it recover, "
        "clients with three retries (immediate or jittered) keep it down"),
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
        {"policy": JITTER, "retries": 100, "base_ms": 5.0, "cap_ms": 1000.0},
        experiment="contention"),
    "layers": Scenario(
        "four services each retrying three times over a dead dependency: 256 calls per request",
        {"layers": 4, "requests": 100}, experiment="layers"),
}

LAB: Lab[RetryParams] = Lab(
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
    rules=rules,
    experiments=(OVERLOAD, CONTENTION, LAYERS),
    scenarios=SCENARIOS,
)
