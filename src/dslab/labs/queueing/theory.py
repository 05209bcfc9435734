"""Which closed form applies to a run, and its predictions keyed like the run's metrics.

A metric with no honest prediction maps to a short sentence saying why (a closed model with
several servers, LIFO percentiles, an unstable queue, a run too short to settle), so the output
never sets a misleading number beside a measured one.
"""

from __future__ import annotations

import math
from typing import Any

from dslab.errors import InputError
from dslab.labs.queueing import formulas, rules
from dslab.labs.queueing.params import PoolParams, QueueParams, SweepParams
from dslab.labs.queueing.rules import Rules
from dslab.sim.dist import Const, Exp

QUANTILES = {"p50_ms": 0.50, "p90_ms": 0.90, "p99_ms": 0.99, "p999_ms": 0.999}
MEANS = ("L", "lambda_per_s", "W_ms", "Wq_ms", "utilization")
#: a run shorter than this many relaxation times gets no long-run prediction for its averages
SETTLE = 20


def _is_exp(d) -> bool:
    return isinstance(d, Exp)


def model_name(p: QueueParams, servers: int | None = None) -> str:
    """Kendall's notation for the run: arrivals / service / servers (/ capacity)."""
    c = servers or p.servers
    if p.closed:
        return f"closed loop of {p.users} users and {'M' if _is_exp(p.service_ms) else 'G'}/{c}"
    a = "M" if _is_exp(p.arrivals) else ("D" if isinstance(p.arrivals, Const) else "G")
    s = "M" if _is_exp(p.service_ms) else ("D" if isinstance(p.service_ms, Const) else "G")
    name = f"{a}/{s}/{c}"
    return name + (f"/{c + p.queue_limit}" if p.queue_limit is not None else "")


def formula_used(p: QueueParams, servers: int | None = None) -> str:
    """The closed form behind the predictions, and whether it is exact."""
    c = servers or p.servers
    if p.burst_at_ms is not None:
        return "a fluid model of the spike (averages ignore the randomness)"
    if p.closed:
        if c == 1 and _is_exp(p.service_ms):
            return "exact mean value analysis (one exponential server, any think time)"
        return "none: mean value analysis here needs one server with exponential service"
    m_arr, m_srv = _is_exp(p.arrivals), _is_exp(p.service_ms)
    if p.queue_limit is not None:
        return ("exact M/M/c/K birth-death chain" if m_arr and m_srv else
                "none: a bounded queue has a closed form here only with Poisson arrivals and "
                "exponential service")
    if m_arr and m_srv:
        return "exact M/M/1" if c == 1 else "exact Erlang C (M/M/c)"
    if m_arr and c == 1:
        return "exact Pollaczek-Khinchine mean (M/G/1)"
    return "Kingman's approximation (G/G/1)" if c == 1 else "Allen-Cunneen approximation (G/G/c)"


def predict(p: QueueParams, impl: Rules | None = None, rate_per_s: float | None = None,
            servers: int | None = None) -> dict[str, Any]:
    """Long-run predictions for one open or closed queue, with reasons where there are none."""
    r = impl or rules
    c = servers or p.servers
    if p.closed:
        return _closed(p, r, c)
    lam = p.arrival_rate_per_s if rate_per_s is None else rate_per_s
    S = p.service_ms.mean()
    a = lam * S / 1000.0
    rho = a / c
    ca2, cs2 = p.arrivals.cv2(), p.service_ms.cv2()
    out: dict[str, Any] = {"lambda_per_s": lam}
    if p.queue_limit is not None:
        if not (_is_exp(p.arrivals) and _is_exp(p.service_ms)):
            return {k: "n/a: bounded queue, not M/M/c/K" for k in (*MEANS, "rejected_fraction")}
        m = formulas.mmck(lam, S, c, p.queue_limit)
        out.update(L=m.L, lambda_per_s=m.lambda_per_s, W_ms=m.W_ms, Wq_ms=m.Wq_ms,
                   utilization=m.utilization, rejected_fraction=m.rejected_fraction)
        out.update({k: "n/a: bounded queue" for k in QUANTILES})
        return out
    if rho >= 1:
        out["utilization"] = 1.0
        unstable = f"n/a: utilization {rho:.2f} >= 1, the queue grows without bound"
        out.update({k: unstable for k in ("L", "W_ms", "Wq_ms", *QUANTILES)})
        return out
    p_wait = r.erlang_c(c, a)
    wq = formulas.gg_wait_ms(lam, S, c, ca2, cs2, p_wait)
    W = wq + S
    out.update(L=r.littles_law(lambda_per_s=lam, W_ms=W), W_ms=W, Wq_ms=wq, utilization=rho)
    if _is_exp(p.arrivals) and _is_exp(p.service_ms) and p.discipline == "fifo":
        for key, q in QUANTILES.items():
            out[key] = (r.mm1_percentile(lam, S, q) if c == 1 else
                        formulas.mmc_sojourn_quantile(q, lam, S, c, p_wait))
    else:
        why = ("n/a: LIFO keeps the mean but stretches the tail" if p.discipline == "lifo" else
               "n/a: no closed form for this tail")
        out.update({k: why for k in QUANTILES})
    span = p.arrival_span_ms(lam) - p.warmup_ms
    settle = formulas.relaxation_ms(rho, S, c, ca2, cs2)
    if span < SETTLE * settle:
        for k in ("L", "W_ms", "Wq_ms", *QUANTILES):
            if isinstance(out[k], float):
                out[k] = f"n/a: run too short to settle (long run: {out[k]:,.1f})"
    return out


def _closed(p: QueueParams, r: Any, c: int) -> dict[str, Any]:
    out: dict[str, Any] = {k: "n/a: closed model" for k in QUANTILES}
    if c != 1 or not _is_exp(p.service_ms) or p.queue_limit is not None:
        out.update({k: "n/a: no exact MVA for this closed model" for k in MEANS})
        return out
    assert p.users is not None
    m = formulas.mva_closed(p.users, p.service_ms.mean(), p.think_ms.mean())
    out.update(L=r.littles_law(lambda_per_s=m.lambda_per_s, W_ms=m.W_ms),
               lambda_per_s=m.lambda_per_s, W_ms=m.W_ms, Wq_ms=m.Wq_ms,
               utilization=m.utilization)
    return out


def whole(value: Any, rule: str) -> int:
    """A learner's count as an int, or one sentence saying it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise InputError(f"{rule} returned {value!r}, which is not a whole number of servers.")
    return int(value)


def sweep_rate(p: QueueParams, utilization: float) -> float:
    """The arrival rate per second that keeps ``p.servers`` servers busy a given fraction."""
    return utilization * p.servers * 1000.0 / p.service_ms.mean()


def point_key(utilization: float) -> str:
    return f"W_ms_at_{round(utilization * 100):d}pct"


def theory(p: QueueParams, impl: Rules | None = None) -> dict[str, Any]:
    """What theory predicts for one queue, keyed like its metrics (with ``impl``'s formulas)."""
    if p.burst_at_ms is not None:
        capacity = p.servers * 1000.0 / p.service_ms.mean()
        backlog, drain = formulas.fluid_burst(p.arrival_rate_per_s, p.burst_rate_per_s, p.burst_ms,
                                              capacity)
        out: dict[str, Any] = {k: "n/a: the load changes during the run" for k in MEANS}
        out["lambda_per_s"] = "n/a: the rate changes during the run"
        out.update(peak_in_system=backlog,
                   drain_ms=drain if math.isfinite(drain) else "n/a: no spare capacity to drain")
        return out
    return predict(p, impl)


def sweep_theory(p: SweepParams, impl: Rules | None = None) -> dict[str, Any]:
    """The mean time in system predicted at each utilization of the sweep."""
    return {point_key(u): predict(p, impl, sweep_rate(p, u))["W_ms"] for u in p.utilizations}


def pool_theory(p: PoolParams, impl: Rules | None = None) -> dict[str, Any]:
    """The pool ``servers_needed`` picks, and the mean waits Erlang C gives it and one fewer."""
    r = impl or rules
    S = p.service_ms.mean()
    need = whole(r.servers_needed(p.arrival_rate_per_s, S, p.max_wait_ms), "servers_needed")
    out = {"servers_needed": need, "Wq_ms_with_needed": predict(p, impl, servers=need)["Wq_ms"]}
    if need - 1 > p.arrival_rate_per_s * S / 1000.0:
        out["Wq_ms_one_fewer"] = predict(p, impl, servers=need - 1)["Wq_ms"]
    return out


def capacity_margin(p: QueueParams) -> float | None:
    """The open stream's offered load less the servers, in servers (arrival rate times mean
    service time, minus c): at or above 0 the queue has no steady state and grows for as long
    as requests come. None for a closed model, whose users wait for their answers and so never
    offer more than the servers can take."""
    if p.users is not None:
        return None
    return p.arrival_rate_per_s * p.service_ms.mean() / 1000.0 - p.servers
