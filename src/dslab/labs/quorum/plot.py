"""The quorum pictures: the t-visibility curve (P(fresh) against read delay, simulated with its
band beside the WARS model), per-replica timelines for the sloppy and clock-skew runs, the
latency-staleness frontier of a sweep, and the replicas' lag under each repair mechanism.

Given an ``ax``, only the main panel is drawn on it."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dslab.plotting import new_axes, title
from dslab.result import Result

RUN, STRICT, THEORY, FAULT, BAD = "#1d3557", "#2a9d8f", "#6c757d", "#f4a261", "#e63946"
REPLICA = ("#1d3557", "#2a9d8f", "#9b5de5", "#f4a261", "#8d99ae", "#e76f51", "#264653")


def pairs_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """The sloppy and skew runs as timelines; every other run as its t-visibility curve."""
    p = result.params
    if p.get("clock_skew_ms", 0) > 0 and p.get("keys") is not None:
        fig, ax = new_axes(ax, (10, 5))
        _skew(result, ax)
    elif p.get("sloppy") or p.get("partition_at_ms") is not None or p.get("down"):
        hints = result.series.get("hints")
        if ax is None and hints:
            fig = Figure(figsize=(10, 6.4), dpi=110, layout="constrained")
            ax, below = fig.subplots(2, 1, sharex=True, height_ratios=[1.4, 1])
            _lag(result, ax)
            ax.set_xlabel("")
            _hints(result, below)
        else:
            fig, ax = new_axes(ax, (10, 5))
            _lag(result, ax)
    else:
        fig, ax = new_axes(ax, (10, 5))
        _visibility(result, ax)
    title(ax, head)
    return fig


def _visibility(result: Result, ax: Axes) -> None:
    d = np.sort(result.series["fresh_delay_ms"])
    p = result.params
    finite = d[np.isfinite(d)]
    top = max(1.0, float(np.quantile(finite, 0.999)) * 1.3) if finite.size else 1.0
    t = np.linspace(0.0, top, 300)
    if d.size:
        frac = np.searchsorted(d, t, side="right") / d.size
        band = 1.96 * np.sqrt(frac * (1 - frac) / d.size)
        ax.plot(t, frac, color=RUN, lw=2, label=f"simulated, R={p['r']} W={p['w']} "
                f"({d.size:,} reads)")
        ax.fill_between(t, np.clip(frac - band, 0, 1), np.clip(frac + band, 0, 1), color=RUN,
                        alpha=0.2, lw=0, label="95% band")
    strict = result.series.get("strict_delay_ms")
    if strict is not None and strict.size:
        q = p["n"] // 2 + 1
        sfrac = np.searchsorted(np.sort(strict), t, side="right") / strict.size
        ax.plot(t, sfrac, color=STRICT, lw=2, alpha=0.7,
                label=f"simulated, the same messages read as R=W={q}")
    model = result.series.get("theory")
    if model is not None:
        ax.plot(t, model["run"].p_fresh(p["r"], p["w"], t), color=THEORY, ls="--", lw=1.5,
                label="WARS model (Monte Carlo)")
        q = model["q"]
        ax.plot(t, model["strict"].p_fresh(q, q, t), color=STRICT, ls=":", lw=2,
                label=f"strict quorum R=W={q} (WARS model)")
    ax.axhline(0.999, color=BAD, lw=0.8, ls="-.", label="99.9% fresh")
    tvis = result.metrics.get("t_visibility_999_ms")
    if tvis is not None and math.isfinite(tvis) and tvis > 0:
        ax.axvline(tvis, color=BAD, lw=0.8, ls=":")
        ax.annotate(f"99.9% fresh after {tvis:,.1f} ms", (tvis, 0.5), xytext=(5, 0),
                    textcoords="offset points", color=BAD, fontsize=9)
    ax.set_xlabel("read starts this long after the write commits (ms)")
    ax.set_ylabel("P(the read returns the write)")
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.02)
    ax.legend(loc="lower right", fontsize=8)


def _lag(result: Result, ax: Axes) -> None:
    lag = result.series["lag"]
    p = result.params
    styles = ("-", "--", ":", "-.")
    for x, curve in enumerate(lag["missing"]):
        ax.plot(lag["t_ms"], curve, color=REPLICA[x % len(REPLICA)], lw=1.8,
                ls=styles[x % len(styles)], label=f"replica {x}: acknowledged writes it lacks")
    if p.get("partition_at_ms") is not None:
        end = p.get("heal_at_ms") or result.series["end_ms"]
        ax.axvspan(p["partition_at_ms"], end, color=FAULT, alpha=0.2,
                   label=f"nodes {', '.join(map(str, p['partitioned']))} cut off")
    stale = result.series["stale_reads_ms"]
    if stale.size:
        ax.plot(stale, np.full(stale.size, 0.97), "|", color=BAD, ms=10,
                transform=ax.get_xaxis_transform(), label=f"stale read ({stale.size:,})")
    ax.set_xlim(0, min(result.series["end_ms"], p["duration_ms"] * 1.15))
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("acknowledged writes a home replica lacks")
    ax.legend(loc="center left", fontsize=8)


def _hints(result: Result, ax: Axes) -> None:
    """Each stand-in's hints over time: they pile up while home replicas are cut off and go
    home at the first handoff after the heal."""
    p = result.series
    for x, log in sorted(p["hints"].items()):
        t = [0.0] + [a for a, _ in log] + [p["end_ms"]]
        held = [0] + [b for _, b in log]
        ax.step(t, held + held[-1:], where="post", color=REPLICA[x % len(REPLICA)], lw=1.6,
                ls=("-", "--")[x % 2], label=f"stand-in {x}: hints it holds")
    params = result.params
    if params.get("partition_at_ms") is not None:
        end = params.get("heal_at_ms") or p["end_ms"]
        ax.axvspan(params["partition_at_ms"], end, color=FAULT, alpha=0.2)
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("hinted writes held")
    ax.legend(loc="upper left", fontsize=8)


def _skew(result: Result, ax: Axes) -> None:
    writes = result.series["key0_writes"]
    order = {tuple(v): i for i, (_, v) in enumerate(sorted(writes, key=lambda x: x[0]))}
    end = result.series["end_ms"]
    for x, hist in sorted(result.series["key0"].items()):
        if not hist:
            continue
        t = [h[0] for h in hist] + [end]
        y = [order.get(tuple(h[1]), math.nan) for h in hist]
        ax.step(t, y + y[-1:], where="post", color=REPLICA[x % len(REPLICA)], lw=1.2,
                label=f"replica {x}: the write it holds")
    lost = result.series["key0_lost"]
    if lost:
        ax.plot([t for t, _ in lost], [order[tuple(v)] for _, v in lost], "x", color=BAD, ms=7,
                label=f"acknowledged, then lost ({len(lost)})")
    ax.set_xlim(0, min(end, result.params["duration_ms"] * 1.05))
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("write held, numbered in order of issue (key 0)")
    ax.legend(loc="upper left", fontsize=8)
    ax.text(0.99, 0.02, f"client 1's clock {result.params['clock_skew_ms']:g} ms behind",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=9, color=FAULT)


def sweep_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Each (R, W) as a point of p99.9 read+write latency against P(stale); strict quorums
    filled. With nodes down, which (R, W) stay available instead."""
    fig, ax = new_axes(ax, (10, 5.5))
    points = result.series["points"]
    if result.params.get("down"):
        _availability(points, ax)
    else:
        markers = {3: "o", 5: "s"}
        for pt in points:
            n, r, w = pt["n"], pt["r"], pt["w"]
            strict = r + w > n
            lat = pt["read_latency_p999_ms"] + pt["write_latency_p999_ms"]
            colour = STRICT if strict else RUN
            ax.scatter(pt["stale_read_fraction"], lat, marker=markers.get(n, "D"), s=50,
                       facecolors=colour if strict else "none", edgecolors=colour)
            ax.annotate(f"N{n} R{r}W{w}", (pt["stale_read_fraction"], lat), fontsize=7,
                        xytext=(4, 2), textcoords="offset points")
        ax.scatter([], [], marker="o", color=STRICT, label="strict quorum (R+W > N), filled")
        ax.scatter([], [], marker="o", facecolors="none", edgecolors=RUN, label="partial quorum")
        ax.set_xlabel("P(stale read at the commit)")
        ax.set_ylabel("p99.9 read + p99.9 write latency (ms)")
        ax.set_yscale("log")
        ax.legend(loc="upper right", fontsize=8, title="circles N=3, squares N=5")
    title(ax, head)
    return fig


def _availability(points: list[dict], ax: Axes) -> None:
    ns = sorted({pt["n"] for pt in points})
    x0 = 0
    for n in ns:
        for pt in (q for q in points if q["n"] == n):
            ok_w, ok_r = pt["write_availability"] > 0.5, pt["read_availability"] > 0.5
            colour = STRICT if ok_w and ok_r else (FAULT if ok_w or ok_r else BAD)
            ax.add_patch(_square(x0 + pt["w"] - 1, pt["r"] - 1, colour))
            ax.text(x0 + pt["w"] - 0.5, pt["r"] - 0.5, ("W" if ok_w else "-") + ("R" if ok_r else "-"),
                    ha="center", va="center", fontsize=8, color="white")
        ax.text(x0 + n / 2, n + 0.2, f"N = {n}", ha="center")
        for k in range(1, n + 1):
            ax.text(x0 + k - 0.5, -0.25, f"W={k}", ha="center", va="top", fontsize=7)
            ax.text(x0 - 0.1, k - 0.5, f"R={k}", ha="right", va="center", fontsize=7)
        x0 += n + 1
    ax.set_xlim(-0.8, x0)
    ax.set_ylim(-1.0, max(ns) + 0.8)
    ax.set_xlabel("replicas a write waits for (W), one block per N")
    ax.set_ylabel("replicas a read waits for (R)")
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0, -0.85, "in each square: W if writes succeed, R if reads do; green: both, orange: one, "
            "red: neither", fontsize=8)


def _square(x: float, y: float, colour: str):  # noqa: ANN202
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 0.95, 0.95, color=colour)


def repair_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Acknowledged writes some home replica lacks, over time, under each mechanism."""
    fig, ax = new_axes(ax, (10, 5))
    colours = {"none": BAD, "read-repair": RUN, "anti-entropy": STRICT}
    for mech, data in result.series.items():
        lag = data["lag"]
        total = np.sum(lag["missing"], axis=0)
        ax.plot(lag["t_ms"], total, color=colours.get(mech, THEORY), lw=1.8, label=mech)
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("(replica, write) pairs not yet in place")
    ax.legend(loc="upper left", fontsize=8)
    title(ax, head)
    return fig
