"""Closed-form predictions for the stampede lab, keyed like the metrics they sit beside.

For Poisson requests at rate lam to one key and a recomputation time delta that does not change:

- no protection: the first request after the expiry recomputes, and so does every request that
  arrives during the delta it takes, a Poisson count of mean lam x delta: 1 + lam x delta
  recomputations per expiry, exactly one with probability exp(-lam x delta);
- a lock: exactly one;
- XFetch: a read s before expiry refreshes with probability exp(-s / (delta beta)), so the first
  refresh comes S before expiry where S = delta beta (ln(lam delta beta) + G), G a standard
  Gumbel variable (mean Euler's gamma): early by delta beta (ln(lam delta beta) + gamma) on
  average. The reads in the delta that follows each refresh with a probability growing by a
  factor e^(1/beta); the extra refreshes are Poisson with an exponentially distributed mean,
  that is geometric: P(exactly one) = e^(-1/beta) and the mean is e^(1/beta);
- a mass expiry of K keys, each asked for at rate r = lam / K: each key is recomputed by its first
  request after the expiry, so u ms after it the database receives lam e^(-r u) queries a second
  (the first second's average is the peak). TTLs spread by a fraction j spread the expiries over
  2 j ttl, and the first generation's refreshes peak at K / (2 j ttl) x (1 - e^(-2 j ttl r)).

XFetch's closed forms also take the first refresh to come well before the expiry; where it often
comes less than delta before it (few reads, a small beta), the reads after the expiry all
recompute and e^(1/beta) overcounts: there the theory column shows the same model integrated
numerically (``xfetch_exact``). Where an assumption fails (a database too small to keep delta
constant, delta itself random, a TTL shorter than XFetch's early window, keys of unequal
popularity), one sentence instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dslab.labs.stampede.experiments import beta_tag
from dslab.labs.stampede.measure import PEAK_BIN_MS
from dslab.labs.stampede.params import CacheParams, PolicyParams, XFetchParams
from dslab.labs.stampede.rules import JITTERED, LOCKING, XFETCH

EULER_GAMMA = 0.5772156649015329
#: XFetch's formulas are given when its first refresh falls outside (0, ttl) before the expiry
#: less often than this
TAIL = 0.01


def key_rate_per_s(p: CacheParams) -> float | None:
    """Requests per second to one key: the rate over the keys when they are equally popular."""
    if p.keys == 1 or p.key_distribution == "uniform":
        return p.rate_per_s / p.keys
    return None


def herd(p: CacheParams) -> float:
    """Recomputations per expiry of one key with no protection: 1 + lam delta."""
    lam = key_rate_per_s(p)
    assert lam is not None
    return 1.0 + lam * p.recompute_ms.mean() / 1000.0


def herd_fits(p: CacheParams) -> bool:
    """Does a herd (its mean and three standard deviations) fit the database's servers, so no
    recomputation queues and delta stays what the database takes?"""
    extra = herd(p) - 1.0
    return 1.0 + extra + 3.0 * math.sqrt(extra) <= p.db_servers


def xfetch_early_ms(p: CacheParams, beta: float) -> float:
    """How long before expiry XFetch's first refresh comes, on average."""
    lam = key_rate_per_s(p)
    assert lam is not None
    delta = p.recompute_ms.mean()
    return delta * beta * (math.log(lam * delta / 1000.0 * beta) + EULER_GAMMA)


def xfetch_fits(p: CacheParams, beta: float) -> str | None:
    """None when the XFetch formulas apply to ``p``, else why they do not. S is Gumbel:
    P(S < 0) = exp(-lam delta beta) (the first refresh comes only after the expiry) and
    P(S > ttl) = 1 - exp(-lam delta beta e^(-ttl / (delta beta))) (it comes as soon as the value
    is written); both must be small."""
    lam = key_rate_per_s(p)
    assert lam is not None
    scale = p.recompute_ms.mean() * beta  # delta beta, in ms
    reads = lam * scale / 1000.0  # reads in one delta beta
    if math.exp(-reads) > TAIL:
        return (f"n/a: only {reads:.1f} reads come within delta x beta of the expiry, so XFetch's "
                "first refresh often comes after it")
    if -math.expm1(-reads * math.exp(-p.ttl_ms / scale)) > TAIL:
        return (f"n/a: the TTL ({p.ttl_ms:,.0f} ms) is not long against XFetch's early window "
                f"(about {xfetch_early_ms(p, beta):,.0f} ms before expiry), so refreshes often "
                "start as soon as a value is written")
    return None


#: points of the grid the exact XFetch figures are integrated on
GRID = 20_001


def xfetch_exact(rate_per_s: float, delta_ms: float, beta: float) -> tuple[float, float, float]:
    """XFetch's recomputations per expiry, the chance of exactly one, and the mean time refreshed
    early (ms), for Poisson reads and a constant delta, with every read after the expiry
    recomputing too: the model the closed forms approximate, integrated numerically.

    Time is x = expiry - t. Reads trigger at rate h(x) = lam min(1, e^(-x / (delta beta))), so
    the first refresh comes at X with P(X < x) = exp(-H(x)), H the integral of h from x up: lam
    delta beta e^(-x / (delta beta)) before the expiry (x >= 0), that plus lam (-x) after it.
    The reads in the delta that follows it add a Poisson count of mean m(X) = H(X - delta) - H(X).
    """
    lam = rate_per_s / 1000.0
    scale = delta_ms * beta
    reads = lam * scale
    top = scale * (math.log(reads) + 40.0) if reads > 0 else scale  # exp(-H) = 1 - e^-40 there
    x = np.linspace(-40.0 / lam, max(top, delta_ms), GRID)

    def cumulative(y: np.ndarray) -> np.ndarray:
        before = reads * np.exp(-np.maximum(y, 0.0) / scale)
        return np.where(y >= 0, before, reads + lam * -y)

    hazard = np.where(x >= 0, lam * np.exp(-np.maximum(x, 0.0) / scale), lam)
    density = hazard * np.exp(-cumulative(x))
    extra = cumulative(x - delta_ms) - cumulative(x)
    total = np.trapezoid(density, x)
    mean = 1.0 + float(np.trapezoid(density * extra, x) / total)
    one = float(np.trapezoid(density * np.exp(-extra), x) / total)
    early = float(np.trapezoid(density * np.maximum(x, 0.0), x) / total)
    return mean, one, early


def xfetch_count_fits(p: CacheParams, beta: float) -> str | None:
    """None when the count formulas apply: the first refresh must come more than delta before
    the expiry (P(S < delta) = exp(-lam delta beta e^(-1/beta)) small), or the reads after the
    expiry, which all recompute, make fewer than the formula's growing chance says."""
    lam = key_rate_per_s(p)
    assert lam is not None
    reads = lam * p.recompute_ms.mean() * beta / 1000.0
    if math.exp(-reads * math.exp(-1.0 / beta)) > TAIL:
        return ("n/a: the first refresh often starts less than one recomputation before the "
                "expiry, and every read after the expiry recomputes, so e^(1/beta) overcounts")
    return None


def single_key_why(p: CacheParams) -> str | None:
    """None when the one-key formulas apply, else why not."""
    if key_rate_per_s(p) is None:
        return "n/a: zipf keys differ in popularity, so each has its own herd"
    if p.recompute_ms.var() > 0:
        return f"n/a: the formulas take delta constant, and recompute_ms={p.recompute_ms} is not"
    if p.db_background_per_s > 0:
        return ("n/a: other queries keep the database busy, so recomputations can queue and "
                "delta is not what the database takes alone")
    if not herd_fits(p):
        return (f"n/a: a herd of about {herd(p):,.0f} recomputations exceeds the database's "
                f"{p.db_servers} servers, so recomputations queue and delta grows with the herd")
    if p.db_queue_limit is not None and herd(p) > p.db_servers:
        return "n/a: the database refuses part of the herd"
    return None


def policies(params: PolicyParams, impl: Any = None) -> dict[str, Any]:
    """Per policy: recomputations per expiry, the chance of exactly one, how early XFetch
    refreshes, and the database's peak after a mass expiry (the lab's exercise has no formulas,
    so ``impl`` is unused)."""
    p = params
    out: dict[str, Any] = {}
    why = single_key_why(p)
    for pol in p.policy:
        if pol in LOCKING:
            out[f"recomputes_per_expiry[{pol}]"] = 1.0
            out[f"p_single_recompute[{pol}]"] = 1.0
            if p.keys > 1:
                out[f"hot_key_recomputes_per_expiry[{pol}]"] = 1.0
        elif why is not None:
            out[f"recomputes_per_expiry[{pol}]"] = why
        elif pol == XFETCH:
            _xfetch(p, p.beta, pol, out)
        else:
            lam_delta = herd(p) - 1.0
            out[f"recomputes_per_expiry[{pol}]"] = 1.0 + lam_delta
            out[f"p_single_recompute[{pol}]"] = math.exp(-lam_delta)
        if pol != XFETCH:
            out[f"early_refresh_ms[{pol}]"] = 0.0
        peak = mass_expiry_peak(p, pol)
        if peak is not None:
            out[f"db_peak_per_s[{pol}]"] = peak
    return out


def _xfetch(p: CacheParams, beta: float, tag: str, out: dict[str, Any]) -> None:
    """The closed forms where they hold; where the reads after the expiry matter (the first
    refresh often comes late), the same model integrated numerically (``xfetch_exact``)."""
    no = xfetch_fits(p, beta)
    if no is not None and not no.startswith("n/a: only"):  # a TTL too short: no formula
        out[f"recomputes_per_expiry[{tag}]"] = out[f"early_refresh_ms[{tag}]"] = no
        return
    if no is None and xfetch_count_fits(p, beta) is None:
        out[f"recomputes_per_expiry[{tag}]"] = math.exp(1.0 / beta)
        out[f"p_single_recompute[{tag}]"] = math.exp(-1.0 / beta)
        out[f"early_refresh_ms[{tag}]"] = xfetch_early_ms(p, beta)
        return
    lam = key_rate_per_s(p)
    assert lam is not None
    mean, one, early = xfetch_exact(lam, p.recompute_ms.mean(), beta)
    out[f"recomputes_per_expiry[{tag}]"] = mean
    out[f"p_single_recompute[{tag}]"] = one
    out[f"early_refresh_ms[{tag}]"] = early


def mass_expiry_peak(p: CacheParams, policy: str) -> float | str | None:
    """The database's busiest second after every key was filled at ``warm_at_ms``: queries a
    second (None when no mass expiry happens in the run)."""
    if (p.warm_at_ms is None or p.keys < 100 or key_rate_per_s(p) is None
            or p.db_background_per_s > 0):
        return None
    expiry = p.warm_at_ms + p.ttl_ms
    if expiry >= p.duration_ms:
        return None
    if policy == XFETCH:
        return "n/a: each key refreshes early on its own draw, which spreads the expiry"
    r = key_rate_per_s(p)
    assert r is not None
    r_ms = r / 1000.0
    delta = p.recompute_ms.mean()
    extra = 1.0 if policy in LOCKING else 1.0 + r_ms * delta  # a key's own small herd
    if policy in JITTERED and p.ttl_jitter > 0:
        spread = 2 * p.ttl_jitter * p.ttl_ms
        peak = p.keys / spread * (1.0 - math.exp(-spread * r_ms)) * 1000.0 * extra
    else:
        b = PEAK_BIN_MS
        into = (expiry - p.warm_at_ms) % b  # how far into its second the expiry falls
        first = 1.0 - math.exp(-r_ms * (b - into))
        second = math.exp(-r_ms * (b - into)) - math.exp(-r_ms * (2 * b - into))
        peak = p.keys * max(first, second) * (1000.0 / b) * extra
    if policy not in LOCKING and peak * delta / 1000.0 > p.db_servers:
        return (f"n/a: the spike of about {peak:,.0f} queries a second needs more than the "
                f"database's {p.db_servers} servers, so queries queue, and with no lock the "
                "readers who come meanwhile query again")
    return peak


def xfetch(params: XFetchParams, impl: Any = None) -> dict[str, Any]:
    """Per beta: XFetch's recomputations per expiry, the chance of one, how early it refreshes."""
    p = params
    out: dict[str, Any] = {}
    why = single_key_why(p)
    for b in p.betas:
        tag = beta_tag(b)
        if why is not None:
            out[f"recomputes_per_expiry[{tag}]"] = why
        else:
            _xfetch(p, b, tag, out)
    return out

