"""Theory beside the simulation.

- The PBS closed form (Bailis et al., VLDB 2012): a write that reached exactly W of N replicas is
  missed by a read of R replicas picked at random with probability p_s = C(N-W, R) / C(N, R),
  0 whenever R+W > N; a read misses each of the last k such writes with probability p_s^k.
- The WARS model of the same paper: the chance that a read started t ms after commit is fresh,
  and the latency percentiles of reads and writes. There is no closed form for these, so they
  are computed by a **Monte Carlo of the WARS model** (:data:`SAMPLES` vectorized draws of the
  four legs per replica, from a fixed seed): an independent calculation, not the simulation.
- Availability with f of the N home replicas down: a write needs W live replicas, a read R.
- Last-writer-wins with client 1's clock S ms behind: a write of client 1 is lost when client 0
  wrote the same key in the S ms before it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from dslab.labs.quorum.measure import quantile
from dslab.labs.quorum.params import QuorumParams, RepairParams, SweepParams
from dslab.labs.quorum.profiles import Legs
from dslab.labs.quorum.rules import Rules

#: draws of the WARS Monte Carlo: P(fresh) to about +-0.003 (two standard errors), a p99.9
#: from the 100 draws above it
SAMPLES = 100_000
#: the Monte Carlo's own seed: theory does not depend on the run's seed
MC_SEED = 20120827


def k_staleness(p_s: float, k: int) -> float:
    """The chance that a read returns one of the last k writes: 1 - p_s^k."""
    return 1.0 - p_s ** k


@lru_cache(maxsize=16)
def _legs(legs: Legs, n: int) -> tuple[np.ndarray, ...]:
    """SAMPLES draws of each leg for each of n replicas: arrays of shape (SAMPLES, n)."""
    rng = np.random.default_rng(MC_SEED)
    return tuple(d.sample_n(rng, SAMPLES * n).reshape(SAMPLES, n) for d in legs)


class Wars:
    """The WARS model for one N: each draw's legs, arranged so that any (R, W) reads off them
    at once. For (R, W), a draw's write commits at its W-th fastest ack, its read answers after
    its R-th fastest reply, and its delay to fresh is the smallest delay after commit at which
    one of those R replicas already holds the write when the read reaches it."""

    def __init__(self, legs: Legs, n: int, w_only: int | None = None) -> None:
        wr, ack, rd, rs = _legs(legs, n)
        reach = wr + ack
        if w_only is not None:  # quorum-only: the write goes to the first w replicas alone
            self.commits = np.repeat(reach[:, :w_only].max(axis=1)[:, None], n, axis=1)
            arrive = np.where(np.arange(n) < w_only, wr, np.inf)
        else:
            self.commits = np.sort(reach, axis=1)
            arrive = wr
        trip = rd + rs
        order = np.argsort(trip, axis=1, kind="stable")
        self.trips = np.take_along_axis(trip, order, axis=1)
        # the earliest "write arrives - read arrives" among the first k replies, for each k
        self.lead = np.minimum.accumulate(np.take_along_axis(arrive - rd, order, axis=1), axis=1)

    def write_ms(self, w: int) -> np.ndarray:
        return self.commits[:, w - 1]

    def read_ms(self, r: int) -> np.ndarray:
        return self.trips[:, r - 1]

    def fresh_delay_ms(self, r: int, w: int) -> np.ndarray:
        return np.maximum(0.0, self.lead[:, r - 1] - self.commits[:, w - 1])

    def p_fresh(self, r: int, w: int, t_ms: float | np.ndarray) -> Any:
        """P(a read started t ms after commit returns the write)."""
        d = np.sort(self.fresh_delay_ms(r, w))
        return np.searchsorted(d, t_ms, side="right") / d.size


def _q(values: np.ndarray, q: float) -> float:
    return quantile(values, q)


@lru_cache(maxsize=8)
def wars(legs: Legs, n: int, w_only: int | None = None) -> Wars:
    """The WARS model of N replicas (computed once per legs and N)."""
    return Wars(legs, n, w_only)


def wars_of(p: QuorumParams) -> Wars:
    """The WARS model of this run's N and propagation."""
    return wars(p.legs(), p.n, p.w if p.propagation == "quorum-only" else None)


def why_not(p: QuorumParams) -> str | None:
    """Why the WARS model does not describe this run, or None when it does."""
    return _why_not(p)


def available(n_live: int, need: int) -> float:
    """1 if ``need`` replicas can answer with ``n_live`` up, else 0."""
    return 1.0 if n_live >= need else 0.0


def expected_lost(p: QuorumParams) -> float:
    """Expected writes lost to last-writer-wins: each write picks client 0 or 1 at random and
    one of ``keys`` keys at random, at a time uniform over the run. A write of client 1 at time t
    is lost when one of the other writes is client 0's, on the same key, in (t - S, t)."""
    if p.clock_skew_ms <= 0 or p.keys is None:
        return 0.0
    t = np.linspace(0.0, p.duration_ms, 2001)
    window = np.minimum(p.clock_skew_ms, t) / p.duration_ms  # chance another write lands in it
    hit = window / (2 * p.keys)  # ... and is client 0's, on this key
    lost_one = 1.0 - (1.0 - hit) ** (p.writes - 1)
    return float(p.writes / 2 * np.trapezoid(lost_one, t) / p.duration_ms)


def _why_not(p: QuorumParams) -> str | None:
    """Why the WARS model does not describe this run, or None when it does."""
    if p.partition_at_ms is not None:
        return "n/a: a partition changes which replicas answer, which WARS does not model"
    if p.down or p.loss > 0:
        return "n/a: WARS assumes every replica is up and every message arrives"
    if p.sloppy:
        return "n/a: WARS does not model a sloppy quorum"
    if p.keys is not None:
        return "n/a: writes share keys, so a read can be fresh through a later write"
    return None


def overlap_margin(p: QuorumParams) -> float | None:
    """R + W - N - 1/2: positive where every read quorum meets every write quorum (R + W > N),
    negative where a read can miss the latest write. None for a sloppy quorum, whose stand-ins
    break the overlap."""
    return None if p.sloppy else p.r + p.w - p.n - 0.5


def theory(p: QuorumParams, impl: Rules) -> dict[str, Any]:
    """Theory for one run of pairs (see the module's docstring)."""
    out: dict[str, Any] = {}
    why = _why_not(p)
    strict = bool(impl.is_strict_quorum(p.n, p.r, p.w))
    if why is None and strict:
        # every read set meets every write set, and each of the w replicas that acked holds the
        # write by the commit: fresh at any delay, with no Monte Carlo needed
        out["p_consistent_at_commit"] = 1.0
        out["stale_read_fraction"] = 0.0
        out["t_visibility_999_ms"] = 0.0
        model = wars_of(p)
        out["write_latency_p999_ms"] = _q(model.write_ms(p.w), 0.999)
        out["read_latency_p999_ms"] = _q(model.read_ms(p.r), 0.999)
    elif why is None:
        model = wars_of(p)
        if p.propagation == "quorum-only":
            p_s = float(impl.stale_probability(p.n, p.r, p.w))
            out["p_consistent_at_commit"] = 1.0 - p_s
            out["stale_read_fraction"] = p_s
            out["t_visibility_999_ms"] = ("n/a: a write on only w replicas is never seen by a "
                                          "read that misses them, however late")
        else:
            out["p_consistent_at_commit"] = float(model.p_fresh(p.r, p.w, 0.0))
            out["stale_read_fraction"] = 1.0 - float(model.p_fresh(p.r, p.w, p.read_delay_ms))
            out["t_visibility_999_ms"] = _q(model.fresh_delay_ms(p.r, p.w), 0.999)
        out["write_latency_p999_ms"] = _q(model.write_ms(p.w), 0.999)
        out["read_latency_p999_ms"] = _q(model.read_ms(p.r), 0.999)
    else:
        for key in ("p_consistent_at_commit", "stale_read_fraction", "t_visibility_999_ms",
                    "write_latency_p999_ms", "read_latency_p999_ms"):
            out[key] = why
    if p.partition_at_ms is None and p.loss == 0:
        live = p.n - sum(1 for x in p.down if x < p.n)
        if p.sloppy:
            live = min(p.n, p.nodes - len(p.down))
        out["write_availability"] = available(live, p.w)
        out["read_availability"] = (available(live, p.r) if live >= p.w else
                                    "n/a: no write commits, so no read follows one")
    out["lost_writes"] = expected_lost(p)
    return out


def sweep_theory(p: SweepParams, impl: Rules) -> dict[str, Any]:
    """The Monte Carlo and the availability rule for every (R, W) of every N swept."""
    out: dict[str, Any] = {}
    legs = p.legs()
    for n in p.ns:
        live = n - sum(1 for x in p.down if x < n)
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                tag = label(n, r, w)
                out[f"write_availability{tag}"] = available(live, w)
                out[f"read_availability{tag}"] = available(live, r)
                if p.down or p.loss > 0:
                    continue
                model = wars(legs, n)
                out[f"stale_read_fraction{tag}"] = 1.0 - float(model.p_fresh(r, w, p.read_delay_ms))
                out[f"write_latency_p999_ms{tag}"] = _q(model.write_ms(w), 0.999)
                out[f"read_latency_p999_ms{tag}"] = _q(model.read_ms(r), 0.999)
    return out


def label(n: int, r: int, w: int) -> str:
    """How a sweep's metric names one configuration: ``[N=3 R=2 W=2]``."""
    return f"[N={n} R={r} W={w}]"


def repair_theory(p: RepairParams, impl: Rules) -> dict[str, Any]:
    """How long until every home replica holds a write, by mechanism, for quorum-only writes."""
    out: dict[str, Any] = {}
    legs = p.legs()
    missing = p.propagation == "quorum-only" and p.w < p.n
    for mech in p.mechanisms:
        key = f"convergence_ms[{mech}]"
        if p.partition_at_ms is not None or p.down or p.loss > 0 or p.keys is not None:
            out[key] = "n/a: faults or shared keys change when replicas hear of a write"
        elif not missing:
            out[key] = "n/a: every write goes to every replica, so convergence is the slowest leg"
        elif mech == "none":
            out[key] = math.inf
        elif mech == "read-repair":
            # the read starts read_delay_ms after commit, hears every replica, then writes back
            wr, ack, rd, rs = _legs(legs, p.n)
            out[key] = float(p.read_delay_ms + np.mean((rd + rs).max(axis=1)) + legs.write_ms.mean())
        else:
            assert p.anti_entropy_ms is not None
            if p.n - p.w == 1:
                # the one replica without the write hears of it at whichever comes first: its
                # predecessor's sync (one leg) or its own, answered by its successor (two legs);
                # two uniform phases, so a third of a period on average
                out[key] = p.anti_entropy_ms / 3 + 1.5 * legs.write_ms.mean()
            else:
                out[key] = "n/a: several replicas lack each write, and it reaches them in hops"
    return out
