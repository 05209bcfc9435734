"""The LSM pictures: bytes per level over time with L0 and the stall triggers below it, the
strategies side by side, and the bloom filter's false-positive rate against bits per key."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dslab.plotting import figure_of, title
from dslab.result import Result

SLOW, STOP, L0, RATE, THEORY = "#f4a261", "#c1121f", "#1d3557", "#2a9d8f", "#6c757d"
STRATEGY_COLORS = {"leveled": "#1d3557", "tiered": "#e76f51", "leveled-full": "#2a9d8f"}


def _axes(ax: Axes | None, rows: int, height: float = 6.0) -> tuple[Figure, list[Axes]]:
    """``ax`` alone (the headline panel only), or a new figure with ``rows`` panels."""
    if ax is not None:
        return figure_of(ax), [ax]
    fig = Figure(figsize=(10, height), dpi=110)
    return fig, [fig.add_subplot(rows, 1, i + 1) for i in range(rows)]


def engine_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """MB per level (or tier) over time, stacked; below it L0's files against the two triggers,
    and below that the admitted write rate, the slowdowns and stops shaded in both."""
    s, p = result.series, result.params
    fig, axes = _axes(ax, 3, 8.5)
    t = np.array(s["t_ms"]) / 1000.0
    depth = max((len(x) for x in s["shape"]), default=1)
    shape = np.array([list(x) + [0.0] * (depth - len(x)) for x in s["shape"]]).reshape(len(t), depth)
    used = np.flatnonzero(shape.any(axis=0)) if len(t) else np.empty(0, int)
    depth = int(used[-1]) + 1 if len(used) else 1  # no legend entry for levels never used
    shape = shape[:, :depth]
    name = "tier" if s["strategy"] == "tiered" else "L"
    cmap = colormaps["viridis"]
    top = axes[0]
    if len(t):
        top.stackplot(t, shape.T, step="post", labels=[f"{name}{i}" for i in range(depth)],
                      colors=[cmap(i / max(depth - 1, 1)) for i in range(depth)], alpha=0.85)
    top.set_ylabel("MB stored")
    top.legend(loc="upper left", fontsize=8, ncols=min(depth, 7))
    title(top, head)
    top.set_title(f"{s['strategy']}, size ratio {p['size_ratio']}", loc="right", fontsize=10)
    if len(axes) < 3:
        fig.tight_layout()
        return fig
    files, rate = axes[1], axes[2]
    for panel in (files, rate):
        for kind, a, b in s["windows"]:
            panel.axvspan(a / 1000, b / 1000, color=SLOW if kind == "slowdown" else STOP,
                          alpha=0.25, lw=0)
        panel.sharex(top)
    files.step(t, s["l0"], where="post", color=L0, label="L0 files" if name == "L" else "tier-0 runs")
    files.axhline(p["l0_slowdown_trigger"], color=SLOW, ls="--", label="slowdown trigger")
    files.axhline(p["l0_stop_trigger"], color=STOP, ls="--", label="stop trigger")
    files.set_ylabel("files")
    files.set_ylim(0, p["l0_stop_trigger"] * 1.15)
    files.legend(loc="upper right", fontsize=8)
    admit = np.array(s["admit_ms"])
    if len(admit) > 2:
        mb_per_step = s["admit_every"] * p["entry_bytes"] / 1e6
        edges = np.linspace(0, admit[-1], 60)
        counts, _ = np.histogram(admit, bins=edges)
        width_s = (edges[1] - edges[0]) / 1000
        rate.step(edges[:-1] / 1000, counts * mb_per_step / width_s, where="post", color=RATE,
                  label="admitted")
    rate.axhline(p["write_rate_mb_per_s"], color=THEORY, ls=":", label="offered")
    rate.axhline(p["delayed_write_rate_mb_per_s"], color=SLOW, ls=":", label="delayed rate")
    rate.set_ylabel("writes, MB/s")
    rate.set_ylim(bottom=0)
    rate.set_xlabel("time (s)")
    rate.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def compare_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Write, space and read amplification per strategy, side by side; below, the MB each
    strategy held per level (or tier) at the end, stacked."""
    per = result.series["per"]
    fig, axes = _axes(ax, 2, 8.0)
    main = axes[0]
    names = list(per)
    measures = [("write_amplification", "write amp."), ("space_amplification_max", "peak space amp."),
                ("space_amplification", "space amp. at end"),
                ("read_amplification_present", "runs read per present-key lookup")]
    x = np.arange(len(measures))
    w = 0.8 / len(names)
    for i, n in enumerate(names):
        vals = [per[n][m] for m, _ in measures]
        bars = main.bar(x + (i - (len(names) - 1) / 2) * w, vals, w, label=n,
                        color=STRATEGY_COLORS[n])
        main.bar_label(bars, fmt="%.2f", fontsize=7)
    main.set_xticks(x, [label for _, label in measures])
    main.set_ylabel("times")
    main.legend(title="strategy")
    title(main, head)
    if len(axes) > 1:
        _final_levels(axes[1], result.series["shapes"])
    fig.tight_layout()
    return fig


def _final_levels(ax: Axes, shapes: dict[str, dict[str, list]]) -> None:
    """One stacked bar per strategy: the MB in each level (tier) when its run ended."""
    finals = {n: (s["shape"][-1] if s["shape"] else [0.0]) for n, s in shapes.items()}
    depth = max(len(f) for f in finals.values())
    used = [i for i in range(depth) if any(i < len(f) and f[i] > 0 for f in finals.values())]
    cmap = colormaps["viridis"]
    bottoms = np.zeros(len(finals))
    for i in used:
        mb = np.array([f[i] if i < len(f) else 0.0 for f in finals.values()])
        ax.bar(list(finals), mb, bottom=bottoms, color=cmap(i / max(depth - 1, 1)),
               label=f"L{i} / tier {i}")
        bottoms += mb
    ax.set_ylabel("MB stored at the end")
    ax.legend(fontsize=8, ncols=min(len(used), 6) or 1)


def bloom_plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """False-positive rate against bits per key, measured and in theory (log scale), and runs read
    per missing-key lookup."""
    sweep = result.series["sweep"]
    fig, axes = _axes(ax, 1, 5.2)
    main = axes[0]
    b = [r["bits_per_key"] for r in sweep]
    main.semilogy(b, [max(r["fpr"], 1e-6) for r in sweep], "o", color=L0, label="measured")
    main.semilogy(b, [r["theory_fpr"] for r in sweep], "-", color=THEORY,
                  label="theory (1 - e^(-k/b))^k")
    main.semilogy(b, [r["probes"] for r in sweep], "s--", color=RATE, ms=4,
                  label="runs read per missing-key lookup")
    main.axvline(10, color=SLOW, ls=":", lw=1)
    main.set_xlabel("bloom bits per key")
    main.set_ylabel("false-positive rate / runs read")
    main.legend()
    title(main, head)
    fig.tight_layout()
    return fig
