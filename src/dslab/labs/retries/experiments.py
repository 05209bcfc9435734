"""The three families as experiments: each runs every policy on the same seed and returns its
metrics (keyed ``name[policy]``), the series the plot draws, and what the story needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dslab.labs.retries import contention as contention_mod
from dslab.labs.retries.chain import run_chain
from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.measure import Measured, measure
from dslab.labs.retries.overload import Overload
from dslab.labs.retries.params import RetryParams
from dslab.labs.retries.rules import BACKOFF
from dslab.labs.retries.theory import WAIT_ATTEMPT, calls_by_layer


@dataclass
class Outcome:
    metrics: dict[str, Any]
    series: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)  # for the story: per-policy details


def overload(params: RetryParams, seed: int, impl: Any, monitor: Monitor) -> Outcome:
    runs = {}
    for pol in params.policy:
        model = Overload(params, pol, seed, impl, monitor)
        model.run()
        runs[pol] = model
    return overload_outcome(runs, monitor)


def overload_outcome(runs: dict[str, Overload], monitor: Monitor) -> Outcome:
    """The outcome of overload models that have run (to the end, or as far as a notebook went)."""
    metrics: dict[str, Any] = {}
    series: dict[str, Any] = {}
    facts: dict[str, Measured] = {}
    for pol, model in runs.items():
        m = measure(model)
        monitor.tally(f"{pol}", m.requests, m.succeeded, m.failed, m.in_flight)
        metrics.update({
            f"goodput_per_s_before[{pol}]": m.goodput_before,
            f"goodput_per_s_during[{pol}]": m.goodput_during,
            f"goodput_per_s_after[{pol}]": m.goodput_after,
            f"offered_load_per_s_after[{pol}]": m.offered_after,
            f"amplification[{pol}]": m.amplification,
            f"recovered[{pol}]": m.recovered,
            f"recovery_ms[{pol}]": m.recovery_ms,
            f"wasted_work[{pol}]": m.wasted / m.served if m.served else 0.0,
        })
        series[pol] = m.series
        facts[pol] = m
    return Outcome(metrics, series, facts)


def contention(params: RetryParams, seed: int, impl: Any, monitor: Monitor) -> Outcome:
    metrics: dict[str, Any] = {}
    series: dict[str, Any] = {"clients": np.array(params.clients)}
    for pol in params.policy:
        s = contention_mod.summary(contention_mod.races(params, pol, seed, impl, monitor))
        series[pol] = s
        metrics[f"calls[{pol}]"] = float(s["calls"][-1])
        metrics[f"completion_ms[{pol}]"] = float(s["completion_ms"][-1])
        metrics[f"succeeded[{pol}]"] = float(s["succeeded"][-1])
        if pol in BACKOFF:
            metrics[f"wait_ms_retry{WAIT_ATTEMPT + 1}[{pol}]"] = monitor.mean_wait(pol, WAIT_ATTEMPT)
    # how many waits each mean is over and its standard error, for setting it beside theory
    series["waits"] = {pol: (monitor.wait_n.get((pol, WAIT_ATTEMPT), 0),
                             monitor.wait_se(pol, WAIT_ATTEMPT)) for pol in params.policy}
    return Outcome(metrics, series)


def layers(params: RetryParams, seed: int, impl: Any, monitor: Monitor) -> Outcome:
    metrics: dict[str, Any] = {}
    series: dict[str, Any] = {}
    for pol in params.policy:
        chain = run_chain(params, pol, seed, impl, monitor)
        per_request = chain.calls / params.requests
        metrics[f"amplification[{pol}]"] = float(per_request[-1])
        metrics[f"succeeded[{pol}]"] = chain.succeeded / params.requests
        metrics[f"latency_ms[{pol}]"] = float(np.nanmean(chain.latency_ms))
        series[pol] = {"calls": per_request, "theory": calls_by_layer(params, pol)}
    return Outcome(metrics, series)


FAMILIES = {"overload": overload, "contention": contention, "layers": layers}
