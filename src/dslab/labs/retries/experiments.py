"""The three experiments: each runs every policy on the same seed and gives an Outcome with its
metrics (keyed ``name[policy]``), the monitor's checks, the series the plot draws, and what the
story needs. Overload is steppable; contention and layers run whole."""

from __future__ import annotations

from typing import Any

import numpy as np

from dslab.labs.retries import contention as contention_mod
from dslab.labs.retries.chain import run_chain
from dslab.labs.retries.checks import Monitor
from dslab.labs.retries.measure import Measured, measure
from dslab.labs.retries.overload import Overload
from dslab.labs.retries.params import ContentionParams, LayersParams, OverloadParams, RetryParams
from dslab.labs.retries.rules import BACKOFF, Rules
from dslab.labs.retries.theory import WAIT_ATTEMPT, calls_by_layer
from dslab.run import Outcome


def monitor_for(params: RetryParams) -> Monitor:
    """The invariant monitor every client of one experiment reports to."""
    return Monitor(params.cap_ms, params.budget_ratio, params.budget_tokens)


class OverloadRun:
    """The overload experiment as a steppable model: one service per policy, all on the same
    seed (so the same arrivals), advanced together."""

    def __init__(self, params: OverloadParams, seed: int, impl: Rules) -> None:
        self.params = params
        self.monitor = monitor_for(params)
        self.runs = {pol: Overload(params, pol, seed, impl, self.monitor) for pol in params.policy}

    @property
    def now(self) -> float:
        return min(model.sim.now for model in self.runs.values())

    def run_until(self, t_ms: float) -> None:
        for model in self.runs.values():
            model.run(t_ms)

    def finish(self) -> None:
        for model in self.runs.values():
            model.run()

    def state(self) -> list[dict[str, Any]]:
        """Each policy's service right now: what is inside it, and how much of that is queued for
        a client who has already given up."""
        rows = []
        for pol, model in self.runs.items():
            queued = list(model.station.queue)
            rows.append({"policy": pol, "t_ms": model.sim.now, "at_service": model.station.in_system,
                         "queued_for_no_one": sum(1 for rid in queued if not model.waiting[rid]),
                         "attempts_sent": model.station.arrivals,
                         "served_too_late": model.wasted})
        return rows

    def outcome(self) -> Outcome:
        return overload_outcome(self.runs, self.monitor)


def overload_outcome(runs: dict[str, Overload], monitor: Monitor) -> Outcome:
    """The outcome of overload models that have run (to the end, or as far as a notebook went)."""
    monitor.clear_tallies()
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
    return Outcome(metrics, monitor.verdicts(), series, facts)


def contention(params: ContentionParams, seed: int, impl: Rules) -> Outcome:
    """Every policy's races for one record, at each client count."""
    monitor = monitor_for(params)
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
    return Outcome(metrics, monitor.verdicts(), series)


def layers(params: LayersParams, seed: int, impl: Rules) -> Outcome:
    """Every policy's requests down the call chain."""
    monitor = monitor_for(params)
    metrics: dict[str, Any] = {}
    series: dict[str, Any] = {}
    for pol in params.policy:
        chain = run_chain(params, pol, seed, impl, monitor)
        per_request = chain.calls / params.requests
        metrics[f"amplification[{pol}]"] = float(per_request[-1])
        metrics[f"succeeded[{pol}]"] = chain.succeeded / params.requests
        metrics[f"latency_ms[{pol}]"] = float(np.nanmean(chain.latency_ms))
        series[pol] = {"calls": per_request, "theory": calls_by_layer(params, pol)}
    return Outcome(metrics, monitor.verdicts(), series)
