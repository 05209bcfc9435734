"""What happened in a retry run, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.retries.params import ContentionParams, LayersParams, OverloadParams
from dslab.labs.retries.rules import BACKOFF, NONE
from dslab.labs.retries.theory import WAIT_ATTEMPT, backlog_wait_ms, retries_per_request
from dslab.run import Outcome
from dslab.wording import count, ms


def _trigger(p: OverloadParams) -> str:
    end = p.trigger_at_ms + p.trigger_ms
    if p.trigger == "none":
        return "Nothing disturbs it (trigger is none)."
    what = (f"arrivals rose {p.trigger_size:g}-fold" if p.trigger == "spike" else
            f"the service lost workers, down to {max(1, round(p.servers / p.trigger_size))}")
    wait = backlog_wait_ms(p)
    return (f"From {ms(p.trigger_at_ms)} to {ms(end)} {what}, leaving about {ms(wait)} of backlog "
            f"against a client timeout of {ms(p.timeout_ms)}"
            + (": enough for timeouts, and so retries, to begin." if wait > p.timeout_ms else
               ": not enough to make clients time out."))


def overload_story(p: OverloadParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The trigger, and what each policy's clients did to the service after it."""
    lam, cap = p.arrival_rate_per_s, p.capacity_per_s
    lines = [f"Users send {lam:g} requests/s to {p.servers} workers that can finish "
             f"{cap:,.0f} attempts/s together ({lam / cap:.0%} busy). " + _trigger(p)]
    for pol, m in out.facts.items():
        if m.recovered:
            lines.append(f"{pol}: healthy again {ms(m.recovery_ms)} after the trigger ended; in the "
                         f"last stretch {m.goodput_after:,.0f} requests/s succeeded.")
        else:
            lines.append(
                f"{pol}: never came back. Long after the trigger, {m.offered_after:,.0f} attempts/s "
                f"arrived ({m.amplification:.1f} per request) and {m.goodput_after:,.0f} requests/s "
                f"succeeded; {m.wasted / max(m.served, 1):.0%} of the work served was for clients "
                "that had already given up.")
        if m.shed:
            lines.append(f"{pol}: the service shed {count(m.shed, 'attempt')} that had waited past "
                         "the timeout, instead of serving them for nobody.")
        if m.refused_by_breaker:
            lines.append(f"{pol}: the circuit breaker failed {count(m.refused_by_breaker, 'request')} "
                         "at once instead of sending them.")
    retrying = [pol for pol in p.policy if pol != NONE]
    if retrying and p.breaker_failures is None:
        k = retries_per_request(p, retrying[0])
        what = (f"a budget of {p.budget_ratio:g} retries per request" if p.budget_ratio is not None
                else f"{p.retries} retries")
        verdict = ("more than it can serve, so a collapse feeds itself once started (backoff "
                   "only delays the retries, it does not remove them)" if lam * (1 + k) > cap else
                   "less than it can serve, so even a collapsed service drains and recovers")
        lines.append(f"Theory: with {what}, a service whose every attempt times out receives "
                     f"{lam:g} x {1 + k:g} = {lam * (1 + k):,.0f} attempts/s against a capacity of "
                     f"{cap:,.0f}: {verdict}. Below {cap / (1 + k):,.0f} requests/s it could not "
                     "stay collapsed.")
    return lines


def contention_story(p: ContentionParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """Write attempts and time to finish for each backoff policy, at the most clients."""
    most = p.clients[-1]
    lines = [f"{count(most, 'client')} (and fewer, down to {p.clients[0]}) wake together and each "
             f"update one record with a conditional write ({p.repeats} races per client count; "
             "numbers are means)."]
    ranked = sorted(p.policy, key=lambda pol: out.metrics[f"calls[{pol}]"])
    for pol in ranked:
        done = out.metrics[f"succeeded[{pol}]"]
        tail = "" if done >= 1 else f"; only {done:.0%} of clients succeeded within their retries"
        lines.append(f"{pol}: {out.metrics[f'calls[{pol}]']:,.0f} write attempts, the last client "
                     f"done (won or given up) after {ms(out.metrics[f'completion_ms[{pol}]'])}{tail}.")
    lines.append("Without jitter, every loser of a round comes back at the same moment and most "
                 "collide again; jitter spreads them so that most writes find the record quiet.")
    key = f"wait_ms_retry{WAIT_ATTEMPT + 1}"
    waits = [f"{pol} {out.metrics[f'{key}[{pol}]']:,.1f} ms (theory {theory[f'{key}[{pol}]']:,.1f})"
             for pol in p.policy if pol in BACKOFF and isinstance(theory.get(f"{key}[{pol}]"), float)
             and not math.isnan(out.metrics[f"{key}[{pol}]"])]
    if waits:
        lines.append(f"Mean wait before retry {WAIT_ATTEMPT + 1}: " + "; ".join(waits) + ".")
    return lines


def layers_story(p: LayersParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """How retries multiplied down the chain, and what a budget does about it."""
    k = p.retries
    lines = [f"{count(p.requests, 'user request')} enter a chain of {count(p.layers, 'service')}, "
             f"each retrying the call below it up to {k} times; the dependency at the bottom "
             f"fails {p.bottom_failure:.0%} of calls."]
    for pol in p.policy:
        calls = out.series[pol]["calls"]
        lines.append(f"{pol}: the dependency received {calls[-1]:,.1f} calls per user request "
                     f"({' → '.join(f'{c:,.1f}' for c in calls)} down the chain); a user waited "
                     f"{ms(out.metrics[f'latency_ms[{pol}]'])} on average for the answer.")
    if p.bottom_failure == 1 and p.budget_ratio is None:
        lines.append(f"Theory: when the bottom is down every layer multiplies, ({k} + 1)^{p.layers} "
                     f"= {(k + 1) ** p.layers:,} calls per request. Retry at one layer only, or "
                     "give each a retry budget, and the storm stays near one call per request.")
    return lines
