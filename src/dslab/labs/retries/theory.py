"""Closed-form predictions for the retry lab, keyed like the metrics they sit beside.

- Overload: a collapsed service (every attempt times out) receives (1 + k) attempts per request,
  where k is the retries each request may make (capped by the budget's ratio if there is one).
  The collapse sustains itself when arrival_rate x (1 + k) exceeds capacity; the trigger starts
  it when the backlog it leaves takes longer than timeout_ms to serve (a fluid estimate).
- Contention: the mean wait of each backoff policy before retry n.
- Layers: the calls each service receives per user request, from the geometric number of
  attempts each layer makes when the calls below it fail with a known probability.
"""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.retries.params import ContentionParams, LayersParams, OverloadParams, RetryParams
from dslab.labs.retries.rules import (
    BACKOFF,
    DECORRELATED,
    EQUAL_JITTER,
    EXPONENTIAL,
    FULL_JITTER,
    NONE,
    ceiling_ms,
)

#: the retry whose mean wait the contention family sets beside its formula (attempt=2, the third)
WAIT_ATTEMPT = 2


# -- overload -----------------------------------------------------------------------------------

def retries_per_request(params: RetryParams, policy: str) -> float:
    """Retries one request makes, on average, when every attempt fails: k, or the budget's ratio
    if that is smaller (in the long run the bucket's burst no longer counts)."""
    if policy == NONE:
        return 0.0
    k = float(params.retries)
    return min(k, params.budget_ratio) if params.budget_ratio is not None else k


def sustains(params: OverloadParams, policy: str) -> bool:
    """Would a collapsed service stay collapsed? Yes when the attempts of requests that all fail
    still exceed what the workers can serve."""
    return params.arrival_rate_per_s * (1 + retries_per_request(params, policy)) > params.capacity_per_s


def collapse_margin(params: OverloadParams) -> float | None:
    """How far a collapse is from sustaining itself: arrival_rate x (1 + k) - capacity, positive
    where it does (the metastable side). None for several policies at once, or a breaker, whose
    load depends on its timing."""
    if len(params.policy) != 1 or params.breaker_failures is not None:
        return None
    k = retries_per_request(params, params.policy[0])
    return params.arrival_rate_per_s * (1 + k) - params.capacity_per_s


def backlog_wait_ms(params: OverloadParams) -> float:
    """How long the backlog left by the trigger takes to serve at full capacity (fluid, no
    retries): the arrivals the trigger brought beyond what the workers could do, over capacity."""
    p = params
    if p.trigger == "none":
        return 0.0
    rate, cap = p.arrival_rate_per_s, p.capacity_per_s
    if p.trigger == "spike":
        rate *= p.trigger_size
    else:
        cap = cap * max(1, round(p.servers / p.trigger_size)) / p.servers
    excess = max(0.0, rate - cap) * p.trigger_ms / 1000.0
    return 1000.0 * excess / p.capacity_per_s


def tips_over(params: OverloadParams) -> bool:
    """Does the trigger push waits past the clients' timeout, so that retries begin?"""
    return backlog_wait_ms(params) > params.timeout_ms


def overload(params: OverloadParams, impl: Any = None) -> dict[str, Any]:
    """Attempts per request in a collapse, whether it sustains itself, whether the trigger tips
    the service over (the lab's exercise has no formulas, so ``impl`` is unused)."""
    p, lam = params, params.arrival_rate_per_s
    out: dict[str, Any] = {}
    for pol in p.policy:
        out[f"goodput_per_s_before[{pol}]"] = lam if lam < p.capacity_per_s else "n/a: overloaded"
        if p.breaker_failures is not None:
            why = "n/a: a breaker's probes make the load depend on its timing"
            out[f"offered_load_per_s_after[{pol}]"] = out[f"amplification[{pol}]"] = why
            continue
        k = retries_per_request(p, pol)
        if tips_over(p) and k > 0 and not sustains(p, pol):
            # collapsed for a while, draining at capacity - rate x (1 + k): when it is back
            # depends on the backlog the retries built during the trigger
            why = (f"n/a: drains at {p.capacity_per_s - lam * (1 + k):,.0f} attempts/s, so the "
                   "time to recover depends on the backlog the retries built")
            for name in ("goodput_per_s_after", "offered_load_per_s_after", "amplification",
                         "recovered"):
                out[f"{name}[{pol}]"] = why
            continue
        down = tips_over(p) and sustains(p, pol)
        attempts = 1 + k if down else 1.0
        out[f"goodput_per_s_after[{pol}]"] = 0.0 if down else lam
        out[f"offered_load_per_s_after[{pol}]"] = lam * attempts
        out[f"amplification[{pol}]"] = attempts
        out[f"recovered[{pol}]"] = not down
    return out


# -- contention ---------------------------------------------------------------------------------

def expected_wait_ms(policy: str, attempt: int, base_ms: float, cap_ms: float) -> float | str:
    """The mean wait before retry ``attempt`` (from 0) under ``policy``."""
    top = ceiling_ms(attempt, base_ms, cap_ms)
    if policy == EXPONENTIAL:
        return top
    if policy == FULL_JITTER:
        return top / 2  # uniform on [0, top]
    if policy == EQUAL_JITTER:
        return 0.75 * top  # top/2 plus uniform on [0, top/2]
    if policy == DECORRELATED:
        # E[U(b, 3 prev)] = (b + 3 E[prev]) / 2 from E[prev] = b, while 3 prev stays under the cap
        if base_ms * 3.0 ** (attempt + 1) > cap_ms:
            return "n/a: the cap trims some waits by then"
        return 2 * base_ms * 1.5 ** (attempt + 1) - base_ms
    return 0.0


def contention(params: ContentionParams, impl: Any = None) -> dict[str, Any]:
    """The mean wait of each backoff policy before the retry the experiment measures."""
    return {f"wait_ms_retry{WAIT_ATTEMPT + 1}[{pol}]":
            expected_wait_ms(pol, WAIT_ATTEMPT, params.base_ms, params.cap_ms)
            for pol in params.policy if pol in BACKOFF}


# -- layers -------------------------------------------------------------------------------------

def attempts_per_call(fail: float, retries: int) -> float:
    """Calls a layer makes for one call it receives, when each fails with probability ``fail``:
    1 + fail + fail^2 + ... + fail^retries."""
    return float(retries + 1) if fail == 1 else (1 - fail ** (retries + 1)) / (1 - fail)


def calls_by_layer(params: LayersParams, policy: str) -> list[float] | None:
    """Calls each service (top first) and then the dependency receive per user request, or None
    when a budget or breaker makes them depend on timing."""
    k = 0 if policy == NONE else params.retries
    if params.breaker_failures is not None:
        return None
    n = params.layers
    if params.budget_ratio is not None:
        if params.bottom_failure < 1:
            return None
        # every attempt fails: each service retries until its bucket is empty, then only the
        # ratio of each new call's token gets through
        calls = [float(params.requests)]
        for _ in range(n):
            c = calls[-1]
            calls.append(c + min(k * c, math.floor(params.budget_tokens + params.budget_ratio * c)))
        return [c / params.requests for c in calls]
    # the chance that a call to each tier fails, from the dependency up
    fail = [params.bottom_failure]
    for _ in range(n):
        fail.append(fail[-1] ** (k + 1))
    fail.reverse()  # fail[j]: a call to tier j fails (tier n is the dependency)
    calls = [1.0]
    for j in range(1, n + 1):
        calls.append(calls[-1] * attempts_per_call(fail[j], k))
    return calls


def layers(params: LayersParams, impl: Any = None) -> dict[str, Any]:
    """Calls per user request at the bottom of the chain, for each policy."""
    out: dict[str, Any] = {}
    for pol in params.policy:
        calls = calls_by_layer(params, pol)
        out[f"amplification[{pol}]"] = (calls[-1] if calls is not None else
                                        "n/a: a breaker's state depends on timing")
    return out
