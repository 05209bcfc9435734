"""The two experiments: cache policies side by side, and XFetch across betas. Each runs one
``Cache`` per policy (or beta) on the same seed, so all of them see the same requests, and gives
an Outcome with metrics keyed ``name[policy]`` (or ``name[beta=B]``), the monitor's checks, the
series the plot draws and the measurements the story reads."""

from __future__ import annotations

from typing import Any

from dslab.labs.stampede.cache import Cache
from dslab.labs.stampede.checks import Monitor
from dslab.labs.stampede.measure import Measured, measure
from dslab.labs.stampede.params import CacheParams, PolicyParams, XFetchParams
from dslab.labs.stampede.rules import XFETCH, Rules
from dslab.run import Outcome


def beta_tag(beta: float) -> str:
    """How a beta is named in the xfetch experiment's metric keys: ``beta=0.5``."""
    return f"beta={beta:g}"


class Caches:
    """Several caches on the same seed, advanced together: a steppable model."""

    def __init__(self, params: CacheParams, runs: dict[str, Cache], monitor: Monitor) -> None:
        self.params, self.runs, self.monitor = params, runs, monitor

    @property
    def now(self) -> float:
        return min(run.sim.now for run in self.runs.values())

    def run_until(self, t_ms: float) -> None:
        for run in self.runs.values():
            run.run(t_ms)

    def finish(self) -> None:
        for run in self.runs.values():
            run.run()

    def state(self) -> list[dict[str, Any]]:
        """Each cache right now: its hottest key's entry, and the database's queue."""
        rows = []
        for tag, run in self.runs.items():
            now = run.sim.now
            rows.append({"policy": tag, "t_ms": now, "version": run.version[0],
                         "expires_in_ms": run.expiry[0] - now,
                         "recomputing": run.in_flight[0], "db_busy": run.db.busy,
                         "db_queued": len(run.db.queue), "requests": len(run.how),
                         "db_queries": run.db.arrivals})
        return rows

    def events(self, since_ms: float = 0.0) -> list[dict[str, Any]]:
        """What every cache did from ``since_ms`` to now, in time order (see ``Cache.events``)."""
        out = [e for tag, run in self.runs.items() for e in run.events(since_ms, tag)]
        order = {tag: k for k, tag in enumerate(self.runs)}
        kinds = {"read": 0, "recompute": 1, "write": 2}
        return sorted(out, key=lambda e: (e["t_ms"], order[e["policy"]], kinds[e["kind"]]))

    def outcome(self) -> Outcome:
        self.monitor.clear_tallies()
        metrics: dict[str, Any] = {}
        series: dict[str, Any] = {}
        facts: dict[str, Measured] = {}
        for tag, run in self.runs.items():
            m = measure(run)
            self.monitor.tally(tag, m.requests, m.answered, m.failed, m.pending, run.finished)
            metrics.update(m.metrics(tag))
            series[tag] = m.series
            facts[tag] = m
        return Outcome(metrics, self.monitor.verdicts(), series, facts)


def policies(params: PolicyParams, seed: int, impl: Rules) -> Caches:
    """Every policy of ``params`` on the same seed."""
    monitor = Monitor()
    runs = {pol: Cache(params, pol, seed, impl, monitor, beta=params.beta)
            for pol in params.policy}
    return Caches(params, runs, monitor)


def xfetch(params: XFetchParams, seed: int, impl: Rules) -> Caches:
    """XFetch once per beta, on the same seed."""
    monitor = Monitor()
    runs = {beta_tag(b): Cache(params, XFETCH, seed, impl, monitor, beta=b, label=beta_tag(b))
            for b in params.betas}
    return Caches(params, runs, monitor)
