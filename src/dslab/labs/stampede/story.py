"""What happened in a stampede run, in a few plain sentences for the terminal and the notebook."""

from __future__ import annotations

import math
from typing import Any

from dslab.labs.stampede.experiments import beta_tag
from dslab.labs.stampede.measure import Measured
from dslab.labs.stampede.params import PolicyParams, XFetchParams
from dslab.labs.stampede.rules import LOCKING, XFETCH
from dslab.run import Outcome
from dslab.wording import count, ms


def _against(value: float, theory: Any) -> str:
    if isinstance(theory, (int, float)) and not isinstance(theory, bool):
        return f" (theory {theory:.2f})"
    return ""


def _setting(p: PolicyParams | XFetchParams) -> str:
    shape = p.key_distribution if p.key_distribution == "uniform" else f"zipf, s={p.zipf_s:g}"
    keys = "one key" if p.keys == 1 else f"{p.keys:,} keys ({shape})"
    text = (f"Clients send {p.rate_per_s:g} requests/s for {keys}; a value stays fresh "
            f"{ms(p.ttl_ms)} and a recomputation takes the database {p.recompute_ms} ms, "
            f"{p.db_servers} at a time ({p.db_capacity_per_s:,.0f} a second at most).")
    if p.db_background_per_s:
        text += (f" The database also serves {p.db_background_per_s:g} other queries a second "
                 f"({p.db_background_per_s / p.db_capacity_per_s:.0%} of what it can do).")
    return text


def _policy_line(pol: str, m: Measured, p: PolicyParams, theory: dict[str, Any]) -> str:
    if not len(m.cycles):
        return f"{pol}: no value expired and was recomputed in this run."
    line = (f"{pol}: {m.recomputes_per_expiry:.2f} recomputations per expiry"
            f"{_against(m.recomputes_per_expiry, theory.get(f'recomputes_per_expiry[{pol}]'))}"
            f" over {count(len(m.cycles), 'cycle')}, the largest herd {m.cycles.max()}; "
            f"exactly one in {m.p_single:.0%} of cycles.")
    if pol not in LOCKING and 1 < len(m.cycles) <= 12 and m.cycles.max() > 1:
        line += f" One herd after another: {', '.join(str(int(c)) for c in m.cycles)}."
    if pol == XFETCH and not math.isnan(m.early_refresh_ms):
        line += f" It refreshed {ms(m.early_refresh_ms)} before expiry on average."
    if pol in LOCKING and m.waits:
        line += (f" {count(m.waits, 'reader')} waited on the lock, the slowest 1% "
                 f"{ms(m.waiting_p99_ms)} or more.")
    if m.stale:
        line += f" {m.stale / max(1, m.answered):.1%} of answers were stale."
    if m.failed:
        line += f" {count(m.failed, 'request')} failed: the database refused its recomputation."
    line += (f" The database took {m.db_queries:,} queries, at most {m.db_peak_per_s:,.0f} in one "
             f"second; p99 latency {ms(m.latency_p99_ms)}.")
    if m.many_keys and len(m.hot_cycles):
        line += (f" The hottest key: {m.hot_cycles.mean():.2f} recomputations per expiry, and "
                 f"{m.hot_waited:.2%} of its reads waited for one.")
    return line


def policies_story(p: PolicyParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """The setting, then what each policy did to the database and the readers."""
    lines = [_setting(p)]
    if p.warm_at_ms is not None and p.keys > 1:
        lines.append(f"A loader filled all {p.keys:,} keys at {ms(p.warm_at_ms)}, so without "
                     f"jitter they all expire at {ms(p.warm_at_ms + p.ttl_ms)}.")
    facts: dict[str, Measured] = out.facts
    lines += [_policy_line(pol, m, p, theory) for pol, m in facts.items()]
    return lines


def xfetch_story(p: XFetchParams, out: Outcome, theory: dict[str, Any]) -> list[str]:
    """How each beta trades refreshing earlier for fewer recomputations per expiry."""
    lines = [_setting(p) + " XFetch alone, once per beta, on the same requests."]
    facts: dict[str, Measured] = out.facts
    for b in p.betas:
        m = facts[beta_tag(b)]
        if not len(m.cycles):
            lines.append(f"beta {b:g}: no value expired in this run.")
            continue
        want = theory.get(f"recomputes_per_expiry[{beta_tag(b)}]")
        lines.append(f"beta {b:g}: refreshed {ms(m.early_refresh_ms)} early on average, "
                     f"{m.recomputes_per_expiry:.2f} recomputations per expiry"
                     f"{_against(m.recomputes_per_expiry, want)}, "
                     f"exactly one in {m.p_single:.0%} of {count(len(m.cycles), 'cycle')}.")
    lines.append("A larger beta refreshes earlier (each value lives less of its TTL, so there are "
                 "more expiry cycles) but rarely more than once per expiry.")
    return lines
