"""What a queueing run showed, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dslab.labs.queueing.checks import LITTLE
from dslab.labs.queueing.params import PoolParams, QueueParams, SweepParams
from dslab.labs.queueing.theory import formula_used, model_name, predict
from dslab.result import Check
from dslab.run import Outcome
from dslab.wording import count, ms


def story(p: QueueParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """One queue: its setting, Little's Law as measured, and what the spike or loop did."""
    lines = [_setting(p)]
    m, series = out.metrics, out.series
    if not math.isnan(m["L"]):  # something was measured
        t0, t1 = series["window"]
        lines.append(f"Measured from {ms(t0)} to {ms(t1)}: on average L = {m['L']:,.2f} requests in "
                     f"the system, λ = {m['lambda_per_s']:,.1f} per second, W = {m['W_ms']:,.1f} ms "
                     f"each. λW = {_lw(m):,.2f}, " + _little(m, out.checks))
        if m["W_ms"] > 0:
            ratio = m["p99_ms"] / m["W_ms"]
            tail = ("the average hides the slow tail" if ratio >= 2 else
                    "here the tail stays close to the average")
            lines.append(f"A request waits {m['Wq_ms']:,.1f} ms for {m['W_ms'] - m['Wq_ms']:,.1f} ms "
                         f"of service; p99 is {m['p99_ms']:,.0f} ms, {ratio:.1f}x the mean: {tail}.")
    rho = p.arrival_rate_per_s * p.service_ms.mean() / 1000 / p.servers
    if not p.closed and p.burst_at_ms is None and rho >= 1:
        peak = max(series["occupancy"]["max"], default=0)
        grew = (f"The number in the system climbed to {peak:,.0f} while requests arrived, so W "
                "measures the run's length, not the system." if p.queue_limit is None else
                f"The queue limit of {p.queue_limit:,} is what keeps the queue short: the excess "
                "is turned away.")
        lines.append(f"Unstable: utilization {rho:.2f} means work arrives faster than "
                     f"{count(p.servers, 'server')} can do it. " + grew)
    if "rejected_fraction" in m:
        expected = theory.get("rejected_fraction")
        lines.append(f"{m['rejected_fraction']:.1%} of arrivals found {p.queue_limit:,} waiting "
                     "and were turned away" + (f" (theory {expected:.1%})"
                                               if isinstance(expected, float) else "") + ".")
    if p.burst_at_ms is not None:
        lines.append(_burst(p, m, theory))
    if p.closed:
        lines.append(_closed(p, m, series))
    if p.discipline == "lifo":
        lines.append(_lifo(p, m, theory))
    return lines


def _little(m: dict[str, Any], checks: list[Check]) -> str:
    """Little's Law as the run's check judged it (with the learner's ``littles_law``)."""
    err = m["littles_law_error"]
    held = next((c.passed for c in checks if c.name == LITTLE), True)
    if not held:
        return (f"but littles_law's λW is {err:.1%} away from the measured L, far more than the "
                "window's edges explain: see the safety checks.")
    if err < 0.01:
        return f"so Little's Law holds to {err:.2%}."
    return (f"{err:.1%} apart from L, within what the requests still inside at the window's edges "
            "explain: Little's Law holds.")


def _lifo(p: QueueParams, m: dict[str, Any], th: dict[str, Any]) -> str:
    """LIFO beside theory: the mean does not depend on the order, the tail does."""
    text = "LIFO serves the newest first."
    if isinstance(th.get("W_ms"), float) and not math.isnan(m["W_ms"]):
        text += (f" Theory's mean W, {th['W_ms']:,.1f} ms, holds for any order of service; this run "
                 f"measured {m['W_ms']:,.1f} ms.")
    fifo = predict(dataclasses.replace(p, discipline="fifo")).get("p99_ms")
    if isinstance(fifo, float) and not math.isnan(m["p99_ms"]):
        if m["p99_ms"] > fifo:
            text += (f" Its p99, {m['p99_ms']:,.0f} ms, is {m['p99_ms'] / fifo:.1f}x the "
                     f"{fifo:,.0f} ms FIFO would give: a request stuck at the back waits for every "
                     "later arrival.")
        else:
            text += (f" Its p99, {m['p99_ms']:,.0f} ms, is no longer than the {fifo:,.0f} ms FIFO "
                     "would give in this run.")
    return text


def _lw(m: dict[str, Any]) -> float:
    return m["lambda_per_s"] * m["W_ms"] / 1000.0


def _setting(p: QueueParams) -> str:
    c = count(p.servers, "server")
    if p.closed:
        return (f"A closed loop: {p.users:,} users who think {p.think_ms} ms between requests, "
                f"served in {p.service_ms} ms by {c}; theory: {formula_used(p)}.")
    rho = p.arrival_rate_per_s * p.service_ms.mean() / 1000 / p.servers
    return (f"{model_name(p)} at utilization {rho:.2f}: {p.arrival_rate_per_s:,.1f} arrivals per "
            f"second, service {p.service_ms} ms, {c}, {p.discipline.upper()}; theory: "
            f"{formula_used(p)}.")


def _burst(p: QueueParams, m: dict[str, Any], th: dict[str, Any]) -> str:
    assert p.burst_at_ms is not None
    cap = p.servers * 1000 / p.service_ms.mean()
    drain = m["drain_ms"]
    fluid = th.get("drain_ms")
    spare = cap - p.arrival_rate_per_s
    text = (f"The spike at {ms(p.burst_at_ms)} brought {p.burst_rate_per_s:,.0f} per second for "
            f"{ms(p.burst_ms)} against a capacity of {cap:,.0f} per second. The queue peaked at "
            f"{m['peak_in_system']:,.0f} (fluid estimate {th['peak_in_system']:,.0f}) and ")
    if math.isnan(drain):
        text += "had not emptied when the run ended"
    else:
        text += f"took {ms(drain)} to empty after the spike ended"
    if isinstance(fluid, float):
        return text + (f" (fluid estimate {ms(fluid)}: the backlog drains only at the spare rate, "
                       f"{cap:,.0f} − {p.arrival_rate_per_s:,.0f} = {spare:,.0f} per second).")
    return text + (f": with {p.arrival_rate_per_s:,.0f} per second still arriving there is no spare "
                   "capacity to drain it.")


def _closed(p: QueueParams, m: dict[str, Any], series: dict[str, Any]) -> str:
    twin = series["open_twin"]
    cap = p.servers * 1000 / p.service_ms.mean()
    return (f"Throughput is an output here: {m['lambda_per_s']:,.1f} per second against a capacity "
            f"of {cap:,.0f}, and never more than {p.users:,} requests in the system, because a "
            f"user who waits sends nothing new. The same demand as an open stream "
            f"({twin['rate_per_s']:,.1f} per second, arriving whatever happens) reached "
            f"{m['open_peak_in_system']:,.0f} in the system.")


def sweep_story(p: SweepParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The hockey stick in words: the slowdown at a few utilizations, whether it bent, and runs
    too short."""
    series = out.series
    pts = sorted(series["points"], key=lambda pt: pt["utilization"])
    S = series["service_ms"]
    shown = [pt for pt in pts if round(pt["utilization"] * 100) in (50, 80, 90, 95, 98)]
    if len(shown) < 2:
        shown = pts if len(pts) <= 6 else [pts[round(k * (len(pts) - 1) / 5)] for k in range(6)]
    slow = ", ".join(f"{pt['utilization']:.0%}: {pt['W_ms'] / S:.1f}x" for pt in shown)
    size = (f"{p.customers:,} requests each" if p.customers is not None
            else f"{p.duration_ms:,.0f} ms of requests each")
    lines = [f"{model_name(p)}, service {p.service_ms} ms; {count(len(pts), 'run')} of "
             f"{size}, one per utilization; theory: {formula_used(p)}.",
             f"Time in system as a multiple of the service time: {slow}."]
    bend = _bend(pts, S)
    if bend:
        lines.append(bend)
    short = [f"{pt['utilization']:.0%}" for pt in pts if not pt["settled"]]
    if short:
        lines.append(f"At {', '.join(short)} a run of this length is too short to settle, so its "
                     "mean wanders from the long-run curve: see the width of its bar.")
    return lines


def _bend(pts: list[dict[str, Any]], S: float) -> str:
    """Whether the measured time in system bent upward: its rise per 10 points of utilization
    between the two lowest and the two highest utilizations of the sweep."""
    if len(pts) < 3:
        return ""

    def rise(a: dict[str, Any], b: dict[str, Any]) -> float:
        return (b["W_ms"] - a["W_ms"]) / S / (b["utilization"] - a["utilization"]) / 10

    low, high = rise(pts[0], pts[1]), rise(pts[-2], pts[-1])
    spans = (f"from {pts[0]['utilization']:.0%} to {pts[1]['utilization']:.0%} it rose by "
             f"{_x(low)} the service time per 10 points of utilization, from "
             f"{pts[-2]['utilization']:.0%} to {pts[-1]['utilization']:.0%} by {_x(high)}")
    if high > 3 * max(low, 0.01):
        return f"The curve bent upward, the hockey stick: {spans}."
    beyond = (" The bend comes past 70-80% busy, beyond this sweep." if pts[-1]["utilization"] < 0.8
              else "")
    return f"The time in system barely bent: {spans}.{beyond}"


def pool_story(p: PoolParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The offered load, servers_needed's answer, and whether the simulation agrees."""
    m, series = out.metrics, out.series
    a = series["offered_load"]
    need = series["needed"]
    sim = m["servers_needed"]
    lines = [f"{p.arrival_rate_per_s:,.0f} requests per second of {p.service_ms} ms each is an "
             f"offered load of {a:,.2f} Erlangs: at least {int(a) + 1} servers just to keep up.",
             f"servers_needed says {need} keep the mean wait at or under {p.max_wait_ms:g} ms; the "
             + (f"simulation agrees: {sim} is the fewest that met it." if sim == need else
                f"simulation found {sim} to be the fewest that met it." if sim else
                "simulation found no pool in the range tried that met it.")]
    fewer, needed = m.get("Wq_ms_one_fewer"), m.get("Wq_ms_with_needed")
    if fewer is not None and needed is not None and _known(fewer) and _known(needed):
        ratio = fewer / needed if needed > 0 else math.inf
        lines.append(f"One server fewer ({need - 1}) waits {fewer:,.1f} ms on average against "
                     f"{needed:,.1f} ms with {need}"
                     + (f": {ratio:.1f}x as long, so near saturation a single server makes a large "
                        "difference." if ratio >= 2 else "."))
    return lines


def _known(x: Any) -> bool:
    return isinstance(x, (int, float)) and not math.isnan(x)


def _x(x: float) -> str:
    """A multiple, with two decimals while it is small."""
    return f"{x:,.2f}x" if abs(x) < 10 else f"{x:,.0f}x"
