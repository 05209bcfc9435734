"""The queueing lab's experiments: one queue (steppable; a closed loop is set beside the open
stream with the same demand), a sweep of utilizations, and a search for the fewest servers. Each
gives an Outcome; the Lab contract turns it into a Result."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dslab.labs.queueing import rules
from dslab.labs.queueing.checks import verdicts
from dslab.labs.queueing.measure import burst_metrics, measure, occupancy, rejections
from dslab.labs.queueing.model import QueueModel, completed, finished
from dslab.labs.queueing.params import PoolParams, QueueParams, SweepParams
from dslab.labs.queueing.rules import Rules
from dslab.labs.queueing.theory import (
    formula_used,
    model_name,
    point_key,
    predict,
    sweep_rate,
    whole,
)
from dslab.result import Check
from dslab.run import Outcome


class QueueRun:
    """One queue as a steppable model: the queue, and the formulas (``impl``) it is measured with."""

    def __init__(self, params: QueueParams, seed: int = 1, impl: Rules | None = None) -> None:
        self.model = QueueModel(params, seed)
        self.impl = impl

    @property
    def now(self) -> float:
        return self.model.now

    def run_until(self, t_ms: float) -> None:
        self.model.run_until(t_ms)

    def finish(self) -> None:
        """The rest of the run: solved at once if it has not been stepped and can be (the same
        records as the events give, see ``model.finished``), else event by event."""
        self.model = completed(self.model)

    def state(self) -> list[dict[str, Any]]:
        """The queue right now: requests inside, waiting and in service, and how many arrived."""
        st = self.model.station
        return [{"t_ms": self.model.now, "in_system": st.in_system, "waiting": len(st.queue),
                 "in_service": st.busy, "servers": st.servers, "arrived": st.arrivals}]

    def outcome(self) -> Outcome:
        return single(self.model, self.impl)


def single(model: QueueModel, impl: Rules | None = None) -> Outcome:
    """One queue that has run: its measurements, invariants and number-in-system picture."""
    m = measure(model, impl)
    metrics = dict(m.metrics)
    p = model.params
    if p.burst_at_ms is not None:
        metrics.update(burst_metrics(model))
    series: dict[str, Any] = {"occupancy": occupancy(model), "window": list(model.window()),
              "users": p.users, "W_ci95": list(m.W_ci95), "p99_ci95": list(m.p99_ci95),
              "end_ms": model.now, "rejections": rejections(model),
              "model": model_name(p), "servers": p.servers}
    if p.closed:
        open_twin = open_equivalent(p, model.seed)
        series["open_twin"] = {"rate_per_s": open_twin.rate_per_s,
                               "occupancy": occupancy(open_twin)}
        metrics["open_peak_in_system"] = float(open_twin.station.path_n.max(initial=0))
    return Outcome(metrics, verdicts(model, m), series)


def open_equivalent(p: QueueParams, seed: int) -> QueueModel:
    """An open stream with the demand the closed users would bring if answers were instant:
    users / (think + service) requests per second, for as long as the closed run sends."""
    assert p.users is not None
    rate = p.users * 1000.0 / (p.think_ms.mean() + p.service_ms.mean())
    twin = dataclasses.replace(p, users=None, arrival_rate_per_s=rate)
    model = QueueModel(twin, seed)
    model.finish()
    return model


def sweep(p: SweepParams, seed: int, impl: Rules | None = None) -> Outcome:
    """One run per utilization: mean and p99 time in system with batch-means intervals."""
    points, metrics, per_point = [], {}, []
    for k, u in enumerate(p.utilizations):
        rate = sweep_rate(p, u)
        model = finished(p, seed + k, rate_per_s=rate, record_path=False)
        m = measure(model, impl)
        th = predict(p, impl, rate)
        points.append({"utilization": u, "rate_per_s": rate, "W_ms": m.metrics["W_ms"],
                       "W_ci95": list(m.W_ci95), "p99_ms": m.metrics["p99_ms"],
                       "p99_ci95": list(m.p99_ci95), "theory_W_ms": _long_run(p, impl, rate, "W_ms"),
                       "theory_p99_ms": _long_run(p, impl, rate, "p99_ms"),
                       "settled": isinstance(th["W_ms"], float)})
        metrics[point_key(u)] = m.metrics["W_ms"]
        per_point.append((u, verdicts(model, m)))
    top = max(p.utilizations)
    grid = [top * k / 120 for k in range(1, 121)]
    curve = {"utilization": grid, "formula": formula_used(p),
             "W_ms": [_long_run(p, impl, sweep_rate(p, u), "W_ms") for u in grid],
             "p99_ms": [_long_run(p, impl, sweep_rate(p, u), "p99_ms") for u in grid]}
    return Outcome(metrics, _combine(per_point, "utilization"),
                   {"points": points, "curve": curve, "model": model_name(p),
                    "service_ms": p.service_ms.mean(), "servers": p.servers})


def _long_run(p: QueueParams, impl: Rules | None, rate: float, key: str) -> float | None:
    """The long-run prediction even where the run is too short to reach it (for the curves)."""
    long = dataclasses.replace(p, customers=None, duration_ms=math.inf, warmup_ms=0.0)
    value = predict(long, impl, rate)[key]
    return value if isinstance(value, float) else None


def pool(p: PoolParams, seed: int, impl: Rules | None = None) -> Outcome:
    """Simulate pools around the answer of servers_needed; the smallest that meets the target
    in simulation is the simulated answer."""
    r = impl or rules
    S = p.service_ms.mean()
    a = p.arrival_rate_per_s * S / 1000.0
    stable = math.floor(a) + 1
    need_ref = rules.servers_needed(p.arrival_rate_per_s, S, p.max_wait_ms)
    need = whole(r.servers_needed(p.arrival_rate_per_s, S, p.max_wait_ms), "servers_needed")
    lo = max(stable, min(need_ref, need) - 2)
    hi = max(need_ref, min(need, need_ref + 3)) + 1  # a wild answer is not worth 100 runs
    points, per_point, waits = [], [], {}
    for c in range(lo, hi + 1):
        model = finished(p, seed + c, servers=c, record_path=False)
        m = measure(model, impl)
        waits[c] = m.metrics["Wq_ms"]
        points.append({"servers": c, "Wq_ms": waits[c], "Wq_ci95": list(m.Wq_ci95),
                       "theory_Wq_ms": rules.mean_wait_ms(c, p.arrival_rate_per_s, S)})
        per_point.append((c, verdicts(model, m)))
    meeting = [c for c in sorted(waits) if waits[c] <= p.max_wait_ms]
    metrics: dict[str, Any] = {"servers_needed": meeting[0] if meeting else None,
                               "Wq_ms_with_needed": waits.get(need)}
    if need - 1 > a:
        metrics["Wq_ms_one_fewer"] = waits.get(need - 1)
    return Outcome(metrics, _combine(per_point, "servers"),
                   {"points": points, "target_ms": p.max_wait_ms,
                    "offered_load": a, "needed": need,
                    "model": "/".join(model_name(p).split("/")[:2]) + "/c"})


def _combine(per_point: list[tuple[Any, list[Check]]], label: str) -> list[Check]:
    """One verdict per invariant across the experiment's runs: held in all, or where it broke."""
    out = []
    for i, first in enumerate(per_point[0][1]):
        broke = [(at, cs[i]) for at, cs in per_point if not cs[i].passed]
        if broke:
            at, c = broke[0]
            out.append(Check(first.name, False, f"broke at {label} {at}: {c.detail}"))
        else:
            out.append(Check(first.name, True, f"held in all {len(per_point)} runs ({label} "
                             f"{per_point[0][0]} to {per_point[-1][0]}); the last: "
                             f"{per_point[-1][1][i].detail}"))
    return out
