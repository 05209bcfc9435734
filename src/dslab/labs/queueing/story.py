"""What a queueing run showed, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.queueing.params import PoolParams, QueueParams, SweepParams
from dslab.labs.queueing.theory import formula_used, model_name
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
                     f"each. λW = {_lw(m):,.2f}, so Little's Law holds to {m['littles_law_error']:.2%}.")
        if m["W_ms"] > 0:
            lines.append(f"A request waits {m['Wq_ms']:,.1f} ms for {m['W_ms'] - m['Wq_ms']:,.1f} ms "
                         f"of service; p99 is {m['p99_ms']:,.0f} ms, {m['p99_ms'] / m['W_ms']:.1f}x "
                         "the mean: the average hides the slow tail.")
    rho = p.arrival_rate_per_s * p.service_ms.mean() / 1000 / p.servers
    if not p.closed and p.burst_at_ms is None and rho >= 1:
        lines.append(f"Unstable: utilization {rho:.2f} means work arrives faster than "
                     f"{count(p.servers, 'server')} can do it. The queue grows for as long as "
                     "requests arrive, so W measures the run's length, not the system.")
    if "rejected_fraction" in m:
        lines.append(f"{m['rejected_fraction']:.1%} of arrivals found {p.queue_limit:,} waiting "
                     "and were turned away.")
    if p.burst_at_ms is not None:
        lines.append(_burst(p, m, theory))
    if p.closed:
        lines.append(_closed(p, m, series))
    if p.discipline == "lifo":
        lines.append("LIFO serves the newest first: the mean W is the same as FIFO's, but a "
                     "request stuck at the back can wait for every later arrival, so the tail "
                     "is longer.")
    return lines


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
    return (f"The spike at {ms(p.burst_at_ms)} brought {p.burst_rate_per_s:,.0f} per second for "
            f"{ms(p.burst_ms)} against a capacity of {cap:,.0f} per second. The queue peaked at "
            f"{m['peak_in_system']:,.0f} (fluid estimate {th['peak_in_system']:,.0f}) and "
            + (f"took {ms(drain)} to empty after the spike ended" if not math.isnan(drain) else
               "had not emptied when the run ended")
            + (f" (fluid estimate {ms(fluid)}): spare capacity, not total capacity, sets the "
               "drain time." if isinstance(fluid, float) else "."))


def _closed(p: QueueParams, m: dict[str, Any], series: dict[str, Any]) -> str:
    twin = series["open_twin"]
    cap = p.servers * 1000 / p.service_ms.mean()
    return (f"Throughput is an output here: {m['lambda_per_s']:,.1f} per second against a capacity "
            f"of {cap:,.0f}, and never more than {p.users:,} requests in the system, because a "
            f"user who waits sends nothing new. The same demand as an open stream "
            f"({twin['rate_per_s']:,.1f} per second, arriving whatever happens) reached "
            f"{m['open_peak_in_system']:,.0f} in the system.")


def sweep_story(p: SweepParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The hockey stick in words: the slowdown at a few utilizations, and runs too short."""
    series = out.series
    pts = series["points"]
    S = series["service_ms"]
    slow = ", ".join(f"{pt['utilization']:.0%}: {pt['W_ms'] / S:.1f}x" for pt in pts
                     if round(pt["utilization"] * 100) in (50, 80, 90, 95, 98))
    lines = [f"{model_name(p)}, service {p.service_ms} ms; {count(len(pts), 'run')} of "
             f"{p.customers:,} requests each, one per utilization; theory: {formula_used(p)}.",
             f"Time in system as a multiple of the service time: {slow}. Past 70-80% every extra "
             "point of utilization costs more than the one before: the hockey stick."]
    short = [f"{pt['utilization']:.0%}" for pt in pts if not pt["settled"]]
    if short:
        lines.append(f"At {', '.join(short)} a run of this length is too short to settle, so its "
                     "mean wanders from the long-run curve: see the width of its bar.")
    return lines


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
    if m.get("Wq_ms_one_fewer") is not None:
        lines.append(f"One server fewer ({need - 1}) waits {m['Wq_ms_one_fewer']:,.1f} ms on "
                     "average: near saturation a single server makes a large difference.")
    return lines
