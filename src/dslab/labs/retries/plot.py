"""The retry pictures: goodput and offered load over time with the trigger shaded (one colour per
policy, so the one that never recovers stands out) above the queue of abandoned work; attempts
and completion time against client count for contention; calls per request down a call chain.

Given an ``ax``, only the main panel is drawn on it; otherwise a figure with every panel."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dslab.plotting import figure_of, title
from dslab.result import Result
from dslab.sim.dist import parse

COLOURS = {"none": "#2a9d8f", "immediate": "#e63946", "exponential": "#f4a261",
           "full-jitter": "#1d3557", "equal-jitter": "#8d99ae", "decorrelated-jitter": "#9b5de5"}
TRIGGER, THEORY = "#f4a261", "#6c757d"


def overload_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Goodput and offered load over time above the queue of abandoned work (only the first on
    ``ax``, when one is given)."""
    if ax is not None:
        fig, axes = figure_of(ax), [ax]
    else:
        fig = Figure(figsize=(10, 7.2), dpi=110, layout="constrained")
        grid = fig.add_gridspec(2, 1, height_ratios=[2.2, 1])
        axes = [fig.add_subplot(grid[0])]
        axes.append(fig.add_subplot(grid[1], sharex=axes[0]))
    _overload(result, axes)
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


def _overload(result: Result, axes: list[Axes]) -> None:
    p = result.params
    ax = axes[0]
    cap = p["servers"] * 1000.0 / parse(p["service_ms"]).mean()
    for a in axes:
        if p["trigger"] != "none":
            a.axvspan(p["trigger_at_ms"] / 1000, (p["trigger_at_ms"] + p["trigger_ms"]) / 1000,
                      color=TRIGGER, alpha=0.2, lw=0)
    ax.axhline(cap, color=THEORY, lw=1, ls=":")
    ax.text(0.005, cap, f" capacity {cap:,.0f}/s", transform=ax.get_yaxis_transform(), va="bottom",
            fontsize=8, color=THEORY)
    for pol in p["policy"]:
        s = result.series[pol]
        t = s["t_ms"] / 1000
        ok = result.metrics[f"recovered[{pol}]"]
        ax.plot(t, s["goodput_per_s"], color=_colour(pol), lw=1.8,
                label=f"{pol}: goodput ({'recovered' if ok else 'never recovered'})")
        ax.plot(t, s["offered_per_s"], color=_colour(pol), lw=1, ls="--", alpha=0.8,
                label=f"{pol}: offered load (every attempt)")
    ax.set_ylabel("per second")
    ax.set_ylim(0, 1.3 * max(max(result.series[pol]["offered_per_s"].max() for pol in p["policy"]),
                             cap))  # headroom for the legend
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
    q.set_ylabel("attempts at the service")
    q.set_xlabel("time (s)")
    q.text(0.005, 0.95, "line: attempts queued or in service · shaded: those whose client has "
           "already given up", transform=q.transAxes, fontsize=7.5, va="top", color="#444444")
    ax.tick_params(labelbottom=False)


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
    ax.set_ylabel("calls received per user request")
    ax.legend(fontsize=8)
