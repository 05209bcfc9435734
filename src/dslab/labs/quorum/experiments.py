"""The sweep and repair experiments, each built from runs of the cluster on one seed.

The sweep runs one cluster per replica count N with R = W = 1 and reads each (R, W) off those
same messages (:mod:`dslab.labs.quorum.retime`), so each configuration's p99.9 rests on
thousands of requests while the run stays short."""

from __future__ import annotations

import dataclasses
from typing import Any

from dslab.labs.quorum.checks import merge
from dslab.labs.quorum.cluster import QuorumCluster
from dslab.labs.quorum.params import RepairParams, SweepParams
from dslab.labs.quorum.retime import Trace
from dslab.labs.quorum.rules import Rules
from dslab.labs.quorum.theory import label
from dslab.run import Outcome


def sweep(params: SweepParams, seed: int, impl: Rules) -> Outcome:
    """Every (R, W) of every N, read off one cluster per N."""
    metrics: dict[str, Any] = {}
    checks = []
    points = []
    for n in params.ns:
        p = dataclasses.replace(params, n=n, nodes=n, r=1, w=1, sloppy=False, read_repair=False,
                                propagation="all", keys=None, anti_entropy_ms=None,
                                partition_at_ms=None, heal_at_ms=None, partitioned=())
        model = QuorumCluster(p, seed, impl)
        model.finish()
        checks.append(model.monitor.verdicts())
        trace = Trace(p, model.pairs, model.monitor.history)
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                m = trace.measures(r, w)
                for k, v in m.items():
                    metrics[f"{k}{label(n, r, w)}"] = v
                points.append({"n": n, "r": r, "w": w, **m})
    return Outcome(metrics, merge(checks), {"points": points}, {"points": points})


def repair(params: RepairParams, seed: int, impl: Rules) -> Outcome:
    """The same writes under each repair mechanism, one cluster each, on the same seed."""
    metrics: dict[str, Any] = {}
    checks = []
    series: dict[str, Any] = {}
    for mech in params.mechanisms:
        p = dataclasses.replace(params, read_repair=mech == "read-repair",
                                anti_entropy_ms=params.anti_entropy_ms if mech == "anti-entropy"
                                else None)
        model = QuorumCluster(p, seed, impl)
        model.finish()
        out = model.outcome()
        checks.append(out.checks)
        for k in ("convergence_ms", "converged_fraction", "stale_read_fraction"):
            metrics[f"{k}[{mech}]"] = out.metrics[k]
        series[mech] = {"lag": out.series["lag"], "facts": out.facts}
    return Outcome(metrics, merge(checks), series, series)
