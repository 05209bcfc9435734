"""The retry pictures: goodput and offered load over time with the trigger shaded (one colour per
policy, so the one that never recovers stands out) above the queue of abandoned work; attempts
and completion time against client count for contention; calls per request down a call chain.

Given an ``ax``, only the main panel is drawn on it; otherwise a figure with every panel."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch

from dslab.plotting import figure_of, readable_log_axis, title
from dslab.result import Result
from dslab.sim.dist import parse

COLOURS = {"none": "#2a9d8f", "immediate": "#e63946", "exponential": "#f4a261",
           "full-jitter": "#1d3557", "equal-jitter": "#8d99ae", "decorrelated-jitter": "#9b5de5"}
TRIGGER, THEORY = "#f4a261", "#6c757d"


def overload_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Goodput and offered load over time above the circuit breaker's state (when the run has a
    breaker) and the queue of abandoned work; only the first on ``ax``, when one is given, with
    the breaker's state as a band along its foot."""
    breaker = result.params.get("breaker_failures") is not None
    if ax is not None:
        fig, axes = figure_of(ax), [ax]
        band = None
    else:
        rows = len(result.params["policy"])
        fig = Figure(figsize=(10, 7.2 + (0.35 * rows + 0.3 if breaker else 0)), dpi=110,
                     layout="constrained")
        ratios = [2.2, 0.22 * rows + 0.2, 1] if breaker else [2.2, 1]
        grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios)
        axes = [fig.add_subplot(grid[0])]
        axes += [fig.add_subplot(grid[i], sharex=axes[0]) for i in range(1, len(ratios))]
        band = axes.pop(1) if breaker else None
    _overload(result, axes)
    if breaker:
        _breaker_band(result, band if band is not None else axes[0], own_panel=band is not None)
    title(axes[0], head)
    return fig


def contention_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Write attempts and completion time against client count (only the first on ``ax``)."""
    if ax is not None:
        fig, axes = figure_of(ax), [ax]
    else:
        fig = Figure(figsize=(10, 5.4), dpi=110, layout="constrained")
        axes = [fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)]
    _contention(result, axes)
    title(axes[0], head)
    return fig


def layers_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Calls per user request at each service down the chain."""
    if ax is None:
        ax = Figure(figsize=(10, 5.4), dpi=110, layout="constrained").add_subplot(1, 1, 1)
    _layers(result, [ax])
    title(ax, head)
    return figure_of(ax)


def _colour(policy: str) -> str:
    return COLOURS.get(policy, "#333333")


#: how each policy's lines are told apart where they coincide: drawn in order, each thinner
#: than the one before (so a line under another shows as a rim round it), with its own marker at
#: places staggered from the others'
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ((6, 2), (2, 2), (8, 3, 2, 3), (4, 1, 1, 1), (1, 1), (10, 3))
BREAKER = {"closed": "#b7e4c7", "open": "#e63946", "half-open": "#f4a261"}


def capacity_over_time(p: dict) -> tuple[list[float], list[float]]:
    """The workers' capacity in attempts/s over the run, in seconds: steady, or with the dip of a
    capacity trigger (the workers left, times the rate one worker serves)."""
    per_worker = 1000.0 / parse(p["service_ms"]).mean()
    full = p["servers"] * per_worker
    end = p["duration_ms"] / 1000
    if p["trigger"] != "capacity":
        return [0.0, end], [full, full]
    low = max(1, round(p["servers"] / p["trigger_size"])) * per_worker
    start, stop = p["trigger_at_ms"] / 1000, (p["trigger_at_ms"] + p["trigger_ms"]) / 1000
    return [0.0, start, start, stop, stop, end], [full, full, low, low, full, full]


def _styles(policies: list[str], bins: int) -> dict[str, dict]:
    """Line width, marker, dash pattern and marker positions per policy (see MARKERS)."""
    every = max(1, bins // 12)
    n = len(policies)
    return {pol: {"lw": 1.3 + 0.9 * (n - 1 - i), "marker": MARKERS[i % len(MARKERS)] if n > 1 else None,
                  "markevery": (i * every // n, every), "dashes": DASHES[i % len(DASHES)]}
            for i, pol in enumerate(policies)}


def _overload(result: Result, axes: list[Axes]) -> None:
    p = result.params
    ax = axes[0]
    for a in axes:
        if p["trigger"] != "none":
            a.axvspan(p["trigger_at_ms"] / 1000, (p["trigger_at_ms"] + p["trigger_ms"]) / 1000,
                      color=TRIGGER, alpha=0.2, lw=0)
    xs, cap = capacity_over_time(p)
    (line,) = ax.plot(xs, cap, color=THEORY, lw=1.2, ls=":")
    line.set_gid("capacity")
    ax.text(0.005, cap[0], f" capacity {cap[0]:,.0f}/s", transform=ax.get_yaxis_transform(),
            va="bottom", fontsize=8, color=THEORY)
    if min(cap) < cap[0]:
        ax.text(xs[2], min(cap), f" capacity {min(cap):,.0f}/s", va="bottom", fontsize=8,
                color=THEORY)
    styles = _styles(list(p["policy"]), len(result.series[p["policy"][0]]["t_ms"]))
    for pol in p["policy"]:
        s, st = result.series[pol], styles[pol]
        t = s["t_ms"] / 1000
        ok = result.metrics[f"recovered[{pol}]"]
        ax.plot(t, s["goodput_per_s"], color=_colour(pol), lw=st["lw"], marker=st["marker"],
                ms=5, markevery=st["markevery"], solid_capstyle="butt", gid=f"goodput:{pol}",
                label=f"{pol}: goodput ({'recovered' if ok else 'never recovered'})")
        ax.plot(t, s["offered_per_s"], color=_colour(pol), lw=1.0,
                dashes=st["dashes"], alpha=0.8, gid=f"offered:{pol}",
                label=f"{pol}: offered load (every attempt)")
    ax.set_ylabel("per second")
    top = 1.3 * max(max(result.series[pol]["offered_per_s"].max() for pol in p["policy"]),
                    max(cap))  # headroom for the legend
    ax.set_ylim(-0.02 * top, top)  # a little below zero, so markers on the floor show whole
    ax.legend(fontsize=7.5, ncol=2, loc="upper right", framealpha=0.9)
    if p["trigger"] != "none":
        ax.text((p["trigger_at_ms"] + p["trigger_ms"] / 2) / 1000, 0.99, p["trigger"],
                transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8,
                color="#9c5a1f")
    if len(axes) == 1:
        ax.set_xlabel("time (s)")
        return
    q = axes[1]
    for pol in p["policy"]:
        s = result.series[pol]
        t = s["t_ms"] / 1000
        q.plot(t, s["in_system"], color=_colour(pol), lw=1.4)
        q.fill_between(t, 0, s["abandoned"], color=_colour(pol), alpha=0.25, lw=0)
    q.set_yscale("symlog", linthresh=10)
    readable_log_axis(q.yaxis, linthresh=10, most=5)
    q.set_ylabel("attempts at the service")
    q.set_xlabel("time (s)")
    q.text(0.005, 0.95, "line: attempts queued or in service · shaded: those whose client has "
           "already given up", transform=q.transAxes, fontsize=7.5, va="top", color="#444444")
    ax.tick_params(labelbottom=False)


def breaker_spans(states: list[tuple[float, str]], end_ms: float) -> list[tuple[float, float, str]]:
    """(start, end, state) in ms from the breaker's (time, state) changes, up to ``end_ms``."""
    spans = []
    for (t0, state), nxt in zip(states, [*states[1:], (end_ms, "")], strict=True):
        a, b = min(t0, end_ms), min(nxt[0], end_ms)
        if b > a:
            spans.append((a, b, state))
    return spans


def _drawn_last(state: str) -> int:
    """Closed first, open over it, half-open (the briefest) on top."""
    return list(BREAKER).index(state) if state in BREAKER else len(BREAKER)


def _breaker_band(result: Result, ax: Axes, own_panel: bool) -> None:
    """The circuit breaker's state over time, one row per policy: on its own panel, or as a
    thin band along the foot of the goodput panel. Only states that occurred are in the legend."""
    p = result.params
    policies = list(p["policy"])
    seen: set[str] = set()
    for i, pol in enumerate(policies):
        spans = breaker_spans(result.series[pol]["breaker_states"], p["duration_ms"])
        if own_panel:
            y, h, where = len(policies) - 1 - i - 0.4, 0.8, ax.transData
        else:
            y, h, where = 0.012 + 0.03 * (len(policies) - 1 - i), 0.025, ax.get_xaxis_transform()
        shortest = p["duration_ms"] / 400  # a probe's moment still shows as a sliver
        for state in sorted(dict.fromkeys(s for _, _, s in spans), key=_drawn_last):
            bars = [(a / 1000, max(b - a, shortest) / 1000) for a, b, s in spans if s == state]
            ax.broken_barh(bars, (y, h), color=BREAKER.get(state, "#999999"), transform=where,
                           gid=f"breaker:{pol}:{state}", lw=0)
            seen.add(state)
    occurred = [s for s in [*BREAKER, *sorted(seen - set(BREAKER))] if s in seen]
    labels = [f"breaker {s}" for s in occurred]
    handles = [Patch(color=BREAKER.get(s, "#999999"), label=text)
               for s, text in zip(occurred, labels, strict=True)]
    if own_panel:
        ax.set_yticks(range(len(policies)), policies[::-1], fontsize=8)
        ax.set_ylim(-0.6, len(policies) - 0.4)
        ax.set_ylabel("breaker", fontsize=8)
        ax.tick_params(labelbottom=False)
        ax.legend(handles=handles, fontsize=7.5, ncol=len(handles), loc="lower right",
                  bbox_to_anchor=(1, 1), borderaxespad=0.1, frameon=False)
    else:
        # a second legend beside the goodput panel's own, which ax.legend would replace
        ax.add_artist(Legend(ax, handles, labels, fontsize=7,
                             loc="lower left", frameon=False,
                             bbox_to_anchor=(0, 0.04 + 0.03 * len(policies))))


def _contention(result: Result, axes: list[Axes]) -> None:
    p = result.params
    n = result.series["clients"]
    panels = [("calls", "write attempts, all clients together"),
              ("completion_ms", "time until the last client is done (ms)")]
    for ax, (key, label) in zip(axes, panels, strict=False):
        for pol in p["policy"]:
            ax.plot(n, result.series[pol][key], "o-", color=_colour(pol), lw=1.6, ms=4, label=pol)
        ax.set_xscale("log")
        ax.set_yscale("log")
        readable_log_axis(ax.xaxis)
        readable_log_axis(ax.yaxis)
        ax.set_xlabel("clients racing for one record")
        ax.set_ylabel(label)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].legend(fontsize=8)


def _layers(result: Result, axes: list[Axes]) -> None:
    p = result.params
    ax = axes[0]
    tiers = [f"service {i + 1}" for i in range(p["layers"])] + ["dependency"]
    x = np.arange(len(tiers))
    width = 0.8 / len(p["policy"])
    for i, pol in enumerate(p["policy"]):
        s = result.series[pol]
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(pos, s["calls"], width, color=_colour(pol), label=f"{pol}: simulated")
        ax.annotate(f"{s['calls'][-1]:,.1f}", (pos[-1], s["calls"][-1]), ha="center", va="bottom",
                    fontsize=8, xytext=(0, 2), textcoords="offset points")
        if s["theory"] is not None:
            ax.plot(pos, s["theory"], "_", color="black", ms=14, mew=2,
                    label="theory: (retries + 1) per failing layer" if i == 0 else None)
    ax.set_xticks(x, tiers)
    ax.set_yscale("log")
    readable_log_axis(ax.yaxis)
    ax.set_ylabel("calls received per user request")
    ax.legend(fontsize=8)
