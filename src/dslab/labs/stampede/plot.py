"""The stampede pictures: recomputations per expiry cycle for each policy (a strip of every
cycle, the mean, and theory's mark), the database's load and the readers' p99 latency over time
with the mass expiry marked, and XFetch's recomputations per expiry against how early it
refreshed, one point per beta, over the theory curve.

Given an ``ax``, only the headline panel is drawn on it: the strip for a long run of one key, the
load over time otherwise; without one, a figure with every panel."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dslab.labs.stampede.theory import xfetch_exact
from dslab.plotting import figure_of, readable_log_axis, title
from dslab.result import Result
from dslab.sim.dist import parse

COLOURS = {"none": "#e63946", "lock": "#1d3557", "xfetch": "#2a9d8f", "ttl-jitter": "#f4a261",
           "jitter+lock": "#9b5de5"}
THEORY, EXPIRY = "#6c757d", "#adb5bd"
#: a run of at most this many seconds is drawn over time first
SHORT_S = 300
EULER_GAMMA = 0.5772156649015329


def _colour(tag: str, k: int = 0) -> str:
    return COLOURS.get(tag, ("#264653", "#e76f51", "#2a9d8f", "#8d99ae", "#9b5de5")[k % 5])


def _tags(result: Result) -> list[str]:
    return [k for k in result.series if isinstance(result.series[k], dict)]


def policies_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Recomputations per expiry per policy, database load and p99 latency over time."""
    short = result.params["duration_ms"] / 1000 <= SHORT_S
    if ax is not None:
        (_over_time if short else _strip)(result, ax, None)
        title(ax, head)
        return figure_of(ax)
    if short:
        fig = Figure(figsize=(10, 9), dpi=110, layout="constrained")
        grid = fig.add_gridspec(3, 1, height_ratios=[1.3, 1, 1])
        axes = [fig.add_subplot(grid[i]) for i in range(3)]
        axes[1].sharex(axes[0])
        _over_time(result, axes[0], axes[1])
        _strip(result, axes[2], None)
    else:  # over hours the load is a flat band: the cost of each policy, summed up, says more
        fig = Figure(figsize=(10, 7.5), dpi=110, layout="constrained")
        grid = fig.add_gridspec(2, 1, height_ratios=[1.4, 1])
        axes = [fig.add_subplot(grid[i]) for i in range(2)]
        _strip(result, axes[0], None)
        _costs(result, axes[1])
    title(axes[0], head)
    return fig


def _costs(result: Result, ax: Axes) -> None:
    """Per policy: the share of reads that waited for a recomputation (their own or the one a
    lock made them wait for), with the database's queries and the p99 wait beside it."""
    tags = _tags(result)
    y = np.arange(len(tags))
    waited = [100 * (result.metrics.get(f"waited_fraction[{t}]") or 0.0) for t in tags]
    ax.barh(y, waited, height=0.5, color=[_colour(t, k) for k, t in enumerate(tags)])
    top = max([*waited, 1e-9])
    for k, t in enumerate(tags):
        q = result.metrics.get(f"db_queries[{t}]") or 0
        note = f"{q:,} database queries"
        wait = result.metrics.get(f"waiting_p99_ms[{t}]") or 0.0
        if wait:
            note += f"; p99 wait on the lock {wait:,.0f} ms"
        ax.annotate(note, (top * 1.03, k), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.9)
    ax.set_yticks(y, tags)
    ax.invert_yaxis()
    ax.set_xlabel("reads that waited for a recomputation (%)")
    ax.grid(axis="x", alpha=0.3)


def _strip(result: Result, ax: Axes, _unused: Axes | None) -> None:
    """Every expiry cycle's recomputations, one row per policy: the mean as a bar, theory as a
    diamond."""
    tags = _tags(result)
    rng = np.random.default_rng(0)  # only to spread the dots; the run's numbers are its own
    for row, tag in enumerate(tags):
        counts = np.asarray(result.series[tag]["cycles"], dtype=float)
        y = row + rng.uniform(-0.25, 0.25, len(counts))
        ax.scatter(counts, y, s=9 if len(counts) > 50 else 25, alpha=0.35 if len(counts) > 50 else 0.8,
                   color=_colour(tag, row), lw=0)
        if len(counts):
            mean = float(counts.mean())
            ax.plot([mean, mean], [row - 0.38, row + 0.38], color=_colour(tag, row), lw=2.5)
        theory = result.theory.get(f"recomputes_per_expiry[{tag}]")
        if isinstance(theory, (int, float)):
            ax.plot([theory], [row], marker="D", ms=8, mfc="none", mec=THEORY, mew=1.8)
    ax.set_yticks(range(len(tags)), tags)
    ax.set_ylim(-0.6, len(tags) - 0.4)
    ax.invert_yaxis()
    ax.set_xscale("log")
    readable_log_axis(ax.xaxis)
    ax.set_xlabel("recomputations in one expiry cycle (log scale); bar = mean, ◇ = theory")
    ax.grid(axis="x", alpha=0.3)


def _over_time(result: Result, load: Axes, slow: Axes | None) -> None:
    """Database queries per second (and, on ``slow``, the readers' p99 latency) over time."""
    p = result.params
    for k, tag in enumerate(_tags(result)):
        s = result.series[tag]
        t = np.asarray(s["t_ms"]) / 1000
        load.plot(t, s["db_per_s"], color=_colour(tag, k), lw=1.4, label=tag, drawstyle="steps-mid")
        if slow is not None:
            slow.plot(t, s["latency_p99_ms"], color=_colour(tag, k), lw=1.2, label=tag)
    cap = p["db_servers"] * 1000.0 / _mean_ms(str(p["recompute_ms"]))
    load.axhline(cap, color=THEORY, ls=":", lw=1)
    load.annotate("database capacity", (0.005, cap), xycoords=("axes fraction", "data"),
                  fontsize=8, color=THEORY, va="bottom")
    mass = p.get("warm_at_ms") is not None and p["keys"] > 1
    for ax in [load] + ([slow] if slow is not None else []):
        if mass:
            ax.axvline((p["warm_at_ms"] + p["ttl_ms"]) / 1000, color=EXPIRY, ls="--", lw=1)
        ax.grid(alpha=0.3)
    xlabel = "time (s); dashed: the mass expiry" if mass else "time (s)"
    load.set_ylabel("database queries / s")
    load.legend(fontsize=8, loc="upper right")
    if slow is not None:
        slow.set_ylabel("p99 latency (ms)")
        slow.set_yscale("symlog", linthresh=1)
        slow.set_ylim(bottom=0)
        slow.set_xlabel(xlabel)
    else:
        load.set_xlabel(xlabel)


def _mean_ms(text: str) -> float:
    return parse(text).mean()


def xfetch_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Recomputations per expiry against how early XFetch refreshed, one point per beta, and the
    theory curve; below, every cycle's count per beta."""
    if ax is not None:
        _tradeoff(result, ax)
        title(ax, head)
        return figure_of(ax)
    fig = Figure(figsize=(10, 8), dpi=110, layout="constrained")
    top, bottom = fig.add_subplot(2, 1, 1), fig.add_subplot(2, 1, 2)
    _tradeoff(result, top)
    _strip(result, bottom, None)
    title(top, head)
    return fig


def _tradeoff(result: Result, ax: Axes) -> None:
    p = result.params
    lam = p["rate_per_s"] / p["keys"]
    delta = _mean_ms(str(p["recompute_ms"]))
    betas = np.geomspace(min(p["betas"]) / 1.5, max(p["betas"]) * 1.5, 60)
    # the closed forms, e^(1/beta) against delta beta (ln(lam delta beta) + gamma), dashed; the
    # same model integrated numerically (reads after the expiry recompute too), solid
    early = delta * betas * (np.log(lam * delta / 1000 * betas) + EULER_GAMMA)
    ok = early > 0
    ax.plot(early[ok] / 1000, np.exp(1 / betas[ok]), color=THEORY, lw=1.2, ls="--",
            label="closed form: e^(1/β) against δβ(ln(λδβ) + γ)")
    exact = np.array([xfetch_exact(lam, delta, b) for b in betas])
    ax.plot(exact[:, 2] / 1000, exact[:, 0], color=THEORY, lw=1.8,
            label="theory: the same model, reads after the expiry included")
    for k, tag in enumerate(_tags(result)):
        x = result.metrics.get(f"early_refresh_ms[{tag}]")
        y = result.metrics.get(f"recomputes_per_expiry[{tag}]")
        if x is None or y is None or math.isnan(x) or math.isnan(y):
            continue
        ax.plot([x / 1000], [y], "o", ms=9, color=_colour(tag, k), label=tag.replace("beta=", "β = "))
    ax.set_xlabel("mean time refreshed before expiry (s)")
    ax.set_ylabel("recomputations per expiry")
    ax.set_yscale("log")
    readable_log_axis(ax.yaxis)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
