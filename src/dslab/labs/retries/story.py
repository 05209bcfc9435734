"""What happened in a retry run, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.retries.measure import Measured
from dslab.labs.retries.params import ContentionParams, LayersParams, OverloadParams
from dslab.labs.retries.rules import BACKOFF, DECORRELATED, EQUAL_JITTER, FULL_JITTER, NONE
from dslab.labs.retries.theory import WAIT_ATTEMPT, backlog_wait_ms, retries_per_request
from dslab.run import Outcome
from dslab.wording import count, ms


def _trigger(p: OverloadParams, facts: dict[str, Measured]) -> str:
    """The trigger, the fluid estimate of the backlog it leaves, and whether clients did time out
    in this run as the estimate says they would (or would not)."""
    end = p.trigger_at_ms + p.trigger_ms
    if p.trigger == "none":
        return "Nothing disturbs it (trigger is none)."
    what = (f"arrivals rose {p.trigger_size:g}-fold" if p.trigger == "spike" else
            f"the service lost workers, down to {max(1, round(p.servers / p.trigger_size))}")
    wait = backlog_wait_ms(p)
    enough = wait > p.timeout_ms
    text = (f"From {ms(p.trigger_at_ms)} to {ms(end)} {what}, leaving about {ms(wait)} of backlog "
            f"against a client timeout of {ms(p.timeout_ms)}"
            + (": enough for timeouts, and so retries, to begin" if enough else
               ": not enough to make clients time out"))
    timed_out = [pol for pol, m in facts.items() if _timeouts(pol, m)]
    if enough and not timed_out:
        text += ", by this estimate; yet in this run no client timed out"
    elif not enough and timed_out:
        text += (f", by this estimate; yet in this run clients timed out ({', '.join(timed_out)}): "
                 "the estimate averages away the randomness of arrivals and service")
    return text + "."


def _timeouts(pol: str, m: Measured) -> bool:
    """Did any attempt of this policy time out? Either a request failed without the breaker
    refusing it, or a request was sent more than once."""
    return m.failed > m.refused_by_breaker or m.attempts > m.requests


def overload_story(p: OverloadParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The trigger, and what each policy's clients did to the service after it."""
    lam, cap = p.arrival_rate_per_s, p.capacity_per_s
    lines = [f"Users send {lam:g} requests/s to {p.servers} workers that can finish "
             f"{cap:,.0f} attempts/s together ({lam / cap:.0%} busy). " + _trigger(p, out.facts)]
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
                     "stay collapsed." + _against_theory(p, lam * (1 + k) > cap, retrying, out.facts))
    return lines


def _against_theory(p: OverloadParams, feeds_itself: bool, retrying: list[str],
                    facts: dict[str, Measured]) -> str:
    """Where this run's retrying clients stand against the theory's verdict."""
    down = [pol for pol in retrying if not facts[pol].recovered]
    if not feeds_itself and down:
        left = p.duration_ms - p.trigger_at_ms - p.trigger_ms
        return (f" Yet {', '.join(down)} had not recovered by the end of this run, "
                f"{ms(left)} after the trigger: a longer run (--set duration_ms=...) shows "
                "whether it drains.")
    if feeds_itself and not down:
        return (" In this run the retrying clients recovered all the same: the trigger did not "
                "leave them collapsed.")
    return ""


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
    key = f"wait_ms_retry{WAIT_ATTEMPT + 1}"
    compared = [pol for pol in p.policy if pol in BACKOFF
                and isinstance(theory.get(f"{key}[{pol}]"), float)
                and not math.isnan(out.metrics[f"{key}[{pol}]"])]
    off = [pol for pol in compared
           if _wait_disagrees(out.metrics[f"{key}[{pol}]"], theory[f"{key}[{pol}]"],
                              out.series["waits"][pol][1])]
    jitter = _jitter_verdict(p, out.metrics, off)
    if jitter:
        lines.append(jitter)
    if compared:
        waits = [f"{pol} {out.metrics[f'{key}[{pol}]']:,.1f} ms (theory {theory[f'{key}[{pol}]']:,.1f})"
                 for pol in compared]
        text = f"Mean wait before retry {WAIT_ATTEMPT + 1}: " + "; ".join(waits) + "."
        if off:
            text += f" {', '.join(off)} {'waits' if len(off) == 1 else 'wait'} otherwise than theory says."
        lines.append(text)
    return lines


#: jittered policies: random waits, so losers of one round spread out before the next
JITTERED = (FULL_JITTER, EQUAL_JITTER, DECORRELATED)


def _jitter_verdict(p: ContentionParams, metrics: dict[str, Any], off: list[str]) -> str:
    """What jitter did to the write attempts in this run: the fewest attempts of a policy without
    jitter against the fewest of one with it."""
    plain = [pol for pol in p.policy if pol not in JITTERED and pol != NONE]
    jittered = [pol for pol in p.policy if pol in JITTERED]
    if not plain or not jittered:
        return ""

    def calls(pol: str) -> float:
        return float(metrics[f"calls[{pol}]"])

    a, b = min(plain, key=calls), min(jittered, key=calls)
    if calls(b) < 0.8 * calls(a):
        return (f"Without jitter, the losers of a round come back together and collide again: "
                f"{a}, the best without jitter, made {calls(a):,.0f} write attempts; {b} made "
                f"{calls(b):,.0f}, {calls(a) / calls(b):.1f}x fewer, because its random waits "
                "spread the retries out.")
    why = (f" (the waits of {', '.join(off)} are not the random ones theory expects)" if off else "")
    return (f"Jitter saved no write attempts in this run: {b}, the best with jitter, made "
            f"{calls(b):,.0f} against {calls(a):,.0f} for {a}{why}.")


def _wait_disagrees(measured: float, expected: float, se: float) -> bool:
    """A mean wait further from theory than its sampling error allows (four standard errors,
    and at least 2%, so a wait with no spread at all is not held to the last digit)."""
    se = 0.0 if se is None or math.isnan(se) else se
    return abs(measured - expected) > max(4 * se, 0.02 * expected)


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
        storm = (k + 1) ** p.layers
        measured = [f"{pol} {out.series[pol]['calls'][-1]:,.1f}" for pol in p.policy if pol != NONE]
        seen = f"; this run measured {', '.join(measured)}" if measured else ""
        lines.append(f"Theory: when the bottom is down every layer multiplies, ({k} + 1)^{p.layers} "
                     f"= {storm:,} calls per request{seen}. Retrying at one layer only would make "
                     f"it {k + 1}; a retry budget (--set budget_ratio=0.1) caps each layer's retries "
                     "at a share of its calls.")
    return lines
