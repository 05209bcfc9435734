"""The hashing lab's pictures: the ring as a circle with each node's arcs coloured, load per node
as bars against the mean, keys moved per scheme, spread against virtual nodes with the theory
curve, and a cache cluster's hit ratio and database load around a membership change."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Wedge
from matplotlib.ticker import NullFormatter

from dslab.labs.hashing.analysis import arcs
from dslab.labs.hashing.story import NAMES
from dslab.labs.hashing.theory import moved_fraction, ring_max_over_mean, ring_share_cv
from dslab.plotting import figure_of, readable_log_axis, title
from dslab.result import Result

PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6a4c93", "#1982c4", "#8ac926",
           "#ff595e", "#8d99ae"]
SCHEME_COLORS = {"modulo": "#e76f51", "ring": "#2a9d8f", "rendezvous": "#6a4c93", "jump": "#1982c4",
                 "bounded": "#e9c46a"}


def node_colors(nodes: list[str]) -> dict[str, str]:
    return {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(nodes)}


def every_node(s: dict) -> list[str]:
    """The nodes before the change and any that joined, in that order: one colour per node for
    every panel, whether it joined, stayed or left."""
    nodes = list(s["nodes"])
    return nodes + [n for n in s.get("nodes_after", []) if n not in nodes]


Panel = Callable[[Axes, Result], None]


def _panels(pick: Callable[[Result], list[Panel]]) -> Callable[[Result, Axes | None, str], Figure]:
    """A plot function of the contract's shape: the panels ``pick`` chooses for a result, side by
    side (only the first, on ``ax``, when one is given), the first one titled."""

    def plot(result: Result, ax: Axes | None, head: str) -> Figure:
        panels = pick(result)
        if ax is not None:
            panels[0](ax, result)
            title(ax, head)
            return figure_of(ax)
        fig = Figure(figsize=(5.2 * len(panels), 5.0), dpi=110)
        axes = [fig.add_subplot(1, len(panels), i + 1) for i in range(len(panels))]
        for a, draw in zip(axes, panels, strict=True):
            draw(a, result)
        title(axes[0], head)
        fig.tight_layout()
        return fig

    return plot


def _placement_panels(result: Result) -> list[Panel]:
    s = result.series
    panels: list[Panel] = [draw_ring_panel] if s["ring"] else []
    return [*panels, draw_loads, *([draw_movement] if "movement" in s else [])]


def _vnodes_panels(result: Result) -> list[Panel]:
    return [draw_sweep, draw_sweep_max]


def _cache_panels(result: Result) -> list[Panel]:
    if result.series["change"] != "none":
        return [draw_hit_ratio, draw_db_load, draw_served]
    return [draw_latency, draw_served, draw_db_load]


# -- placement ---------------------------------------------------------------------------------

#: points beyond which the ring's ticks merge into a band and are left out
MAX_TICKS = 2000
#: arcs drawn at most: past that, the ring is drawn in this many equal slices (drawn_arcs)
MAX_ARCS = 4096
#: arcs beyond which they are drawn without the white rim between them
MAX_RIMS = 500
#: nodes the ring's legend names; past that it says how many more there are
MAX_LEGEND = 16


def drawn_arcs(ring: list[tuple[int, str]], most: int = MAX_ARCS) -> list[tuple[float, float, str]]:
    """The ring's arcs as ``arcs`` gives them, or, past ``most`` points (arcs far narrower than
    a pixel), the circle cut into ``most`` equal slices, each given to the node that owns its
    middle, and neighbouring slices of one owner merged: the picture at the resolution a
    screen has, each node's share within one slice per arc it owns."""
    if len(ring) <= most:
        return arcs(ring)
    positions = np.array([pos for pos, _ in ring], dtype=np.uint64)
    owners = np.array([node for _, node in ring], dtype=object)
    step = 2**64 // most
    middles = np.arange(most, dtype=np.uint64) * np.uint64(step) + np.uint64(step // 2)
    owner = owners[np.searchsorted(positions, middles) % len(ring)]  # the first point clockwise
    cuts = np.flatnonzero(owner[1:] != owner[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [most]))
    return [(a / most, b / most, owner[a]) for a, b in zip(starts.tolist(), ends.tolist(),
                                                            strict=True)]


def draw_ring(ax: Axes, ring: list[tuple[int, str]], nodes: list[str], highlight: str | None = None,
              colors: dict[str, str] | None = None) -> None:
    """The ring as a circle starting at the top and running clockwise: each arc coloured by the
    node owning it (its clockwise end), a tick at each point; ``highlight`` gets a darker rim.
    Arcs and ticks go in one collection each, and a ring of more than ``MAX_ARCS`` points is
    drawn at the resolution of ``drawn_arcs``, so a ring of 200,000 points draws in a second."""
    colors = colors if colors is not None else node_colors(nodes)
    wedges, faces, widths = [], [], []
    drawn = drawn_arcs(ring)
    rim = 0.6 if len(drawn) <= MAX_RIMS else 0.0  # white rims between many thin arcs hide them
    for start, end, node in drawn:
        t1, t2 = 90 - end * 360, 90 - start * 360
        wedges.append(Wedge((0, 0), 1.0, t1, t2, width=0.28))
        faces.append(colors[node])
        widths.append(rim)
        if node == highlight:
            wedges.append(Wedge((0, 0), 1.06, t1, t2, width=0.05))
            faces.append("#111111")
            widths.append(0.0)
    ax.add_collection(PatchCollection(wedges, facecolors=faces, edgecolors="white",
                                      linewidths=widths))
    if len(ring) <= MAX_TICKS:
        a = np.pi / 2 - 2 * np.pi * np.array([pos for pos, _ in ring], dtype=float) / 2**64
        ticks = np.stack([np.column_stack([0.7 * np.cos(a), 0.7 * np.sin(a)]),
                          np.column_stack([np.cos(a), np.sin(a)])], axis=1)
        ax.add_collection(LineCollection(list(ticks), colors="#333333", linewidths=0.5))
    ax.text(0, 1.13, "0", ha="center", fontsize=8)
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [Patch(color=colors[n], label=n) for n in nodes[:MAX_LEGEND]]
    if len(nodes) > MAX_LEGEND:
        handles.append(Patch(color="white", label=f"and {len(nodes) - MAX_LEGEND} more"))
    ax.legend(handles=handles, loc="center", fontsize=7, frameon=False)


def draw_ring_panel(ax: Axes, r: Result) -> None:
    s = r.series
    colors = node_colors(every_node(s))
    if s.get("ring_after") and s["changed"] in s["nodes_after"]:  # a join: the ring it made
        draw_ring(ax, s["ring_after"], s["nodes_after"], highlight=s["changed"], colors=colors)
        ax.text(0, -1.22, f"after the join: {s['changed']} outlined", ha="center", fontsize=8)
    elif s.get("ring_after"):  # a leave: the ring it left, so the arcs that move can be seen
        draw_ring(ax, s["ring"], s["nodes"], highlight=s["changed"], colors=colors)
        ax.text(0, -1.22, f"before the leave: {s['changed']} (outlined) leaves", ha="center",
                fontsize=8)
    else:
        draw_ring(ax, s["ring"], s["nodes"])
        ax.text(0, -1.22, f"{r.params['vnodes']} points per node, clockwise from the top", ha="center",
                fontsize=8)


def draw_loads(ax: Axes, r: Result) -> None:
    s = r.series
    nodes, loads = s["nodes"], s["loads"]
    colors = node_colors(every_node(s))
    ax.bar(range(len(nodes)), loads, color=[colors[n] for n in nodes])
    mean = s["keys"] / len(nodes)
    ax.axhline(mean, color="#333333", linestyle="--", linewidth=1, label=f"mean {mean:,.0f}")
    if "cap" in s:
        ax.axhline(s["cap"], color="#c1121f", linewidth=1.2, label=f"cap ceil(c·m/n) = {s['cap']:,}")
    if len(nodes) <= MAX_LEGEND * 2:
        ax.set_xticks(range(len(nodes)), nodes, rotation=45, ha="right", fontsize=8)
    else:  # names would overlap: the nodes in order, counted
        ax.set_xticks([0, len(nodes) - 1], ["1", f"{len(nodes):,}"], fontsize=8)
    ax.set_ylabel("keys owned")
    m = r.metrics
    ax.set_xlabel(f"{NAMES[s['scheme']]}: max/mean {m['load_max_over_mean']:.2f}, CV {m['load_cv']:.3f}"
                  + (f" (theory {r.theory['load_cv']:.3f})" if r.theory.get("load_cv") else ""))
    ax.legend(fontsize=8, loc="lower right")


def draw_movement(ax: Axes, r: Result) -> None:
    s = r.series
    names = list(s["movement"])
    keys = s["keys"]
    changed = [s["movement"][n]["moved_with_changed_node"] / keys for n in names]
    between = [s["movement"][n]["moved_between_unchanged"] / keys for n in names]
    x = np.arange(len(names))
    ax.bar(x, changed, color="#2a9d8f", label="to or from the changed node")
    ax.bar(x, between, bottom=changed, color="#e76f51", label="between unchanged nodes")
    n, change = r.params["nodes"], r.params["change"]
    ideal = moved_fraction("ring", n, change)
    worst = moved_fraction("modulo", n, change)
    assert ideal is not None and worst is not None, "movement is drawn only after a change"
    ax.axhline(ideal, color="#264653", linestyle="--", linewidth=1, label=f"ideal 1/{round(1 / ideal)}")
    ax.axhline(worst, color="#c1121f", linestyle=":", linewidth=1, label=f"hash-mod-N theory {worst:.2f}")
    ax.set_xticks(x, [NAMES[k] for k in names], rotation=20, fontsize=8)
    ax.set_ylabel("fraction of keys that changed owner")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper right")


# -- vnodes sweep ------------------------------------------------------------------------------

def _sweep(ax: Axes, r: Result, field: str, theory_fn, ylabel: str, log_y: bool) -> None:
    s = r.series
    sweep = {int(k): v for k, v in s["sweep"].items()}
    vs = sorted(sweep)
    for v in vs:
        ax.scatter([v] * len(sweep[v][field]), sweep[v][field], s=9, color="#2a9d8f", alpha=0.45)
    if field == "cv":
        central = [float(np.sqrt(np.mean(np.square(sweep[v][field])))) for v in vs]
        label = "root mean square of the rings"
    else:
        central = [float(np.mean(sweep[v][field])) for v in vs]
        label = "mean of the rings"
    ax.plot(vs, central, "o", color="#264653", markersize=6, label=label)
    grid = np.unique(np.geomspace(1, max(vs), 60).round().astype(int))
    ax.plot(grid, [theory_fn(s["node_count"], int(v)) for v in grid], color="#e76f51", linewidth=1.6,
            label="theory")
    ax.axvline(s["vnodes"], color="#999999", linestyle=":", linewidth=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(vs, [str(v) for v in vs])  # the points per node the sweep ran, as numbers
    ax.xaxis.set_minor_formatter(NullFormatter())
    if log_y and max(central) > 0:  # one node has no spread: nothing to put on a log scale
        ax.set_yscale("log")
        readable_log_axis(ax.yaxis)
    ax.set_xlabel(f"points per node ({s['node_count']} nodes; dotted: this run's vnodes)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def draw_sweep(ax: Axes, r: Result) -> None:
    _sweep(ax, r, "cv", ring_share_cv, "CV of the nodes' shares of the ring", log_y=True)


def draw_sweep_max(ax: Axes, r: Result) -> None:
    _sweep(ax, r, "max_over_mean", ring_max_over_mean, "largest share over the mean share", log_y=False)
    ax.set_title("E[max of n Gamma(v)] / v", fontsize=9)


# -- cache cluster -----------------------------------------------------------------------------

def _over_time(ax: Axes, r: Result, field: str, ylabel: str) -> None:
    s = r.series
    main = s["scheme"]
    for name, run in s["runs"].items():
        t = np.asarray(run["start_ms"]) / 1000.0
        ax.step(t, run[field], where="post", color=SCHEME_COLORS[name],
                linewidth=2.2 if name == main else 1.2,
                label=NAMES[name] + (" (this run)" if name == main else ""))
    if s["change"] != "none":
        ax.axvline(s["change_at_ms"] / 1000.0, color="#333333", linestyle="--", linewidth=1)
        what = "joins" if s["change"] == "join" else "fails"
        ax.text(s["change_at_ms"] / 1000.0, ax.get_ylim()[1], f" node {what}", va="top", fontsize=8)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="lower right" if field == "hit_ratio" else "upper left")


def draw_hit_ratio(ax: Axes, r: Result) -> None:
    _over_time(ax, r, "hit_ratio", f"cache hit ratio per {r.params['window_ms']:g} ms")
    ax.set_ylim(0, 1.05)
    for k in ("hit_ratio_before", "hit_ratio"):
        if r.theory.get(k):
            ax.axhline(r.theory[k], color="#999999", linestyle=":", linewidth=1)


def draw_latency(ax: Axes, r: Result) -> None:
    _over_time(ax, r, "latency_p99_ms", f"p99 latency per {r.params['window_ms']:g} ms (ms, log scale)")
    ax.set_yscale("log")
    readable_log_axis(ax.yaxis)


def draw_db_load(ax: Axes, r: Result) -> None:
    _over_time(ax, r, "db_per_s", "database fetches per second")
    ax.set_ylim(bottom=0)


def draw_served(ax: Axes, r: Result) -> None:
    s = r.series
    names = list(s["runs"])
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        run = s["runs"][name]
        served = np.asarray(run["served"], dtype=float)
        x = np.arange(len(served)) + (i - (len(names) - 1) / 2) * width
        ax.bar(x, served / served.mean(), width=width, color=SCHEME_COLORS[name], label=NAMES[name])
    ax.axhline(1.0, color="#333333", linestyle="--", linewidth=1, label="mean")
    nodes = s["runs"][s["scheme"]]["nodes"]
    capacity = r.params["node_capacity_per_s"] / (r.params["request_rate_per_s"] / len(nodes))
    if capacity < 2.5:
        ax.axhline(capacity, color="#c1121f", linewidth=1.2, label="a node's capacity")
    ax.set_xticks(range(len(nodes)), nodes, rotation=45, ha="right", fontsize=8)
    when = "second half of the run" if s["change"] == "none" else f"after the {s['change']}"
    ax.set_ylabel(f"requests per node over the mean ({when})")
    ax.legend(fontsize=8)


placement_plot = _panels(_placement_panels)
vnodes_plot = _panels(_vnodes_panels)
cache_plot = _panels(_cache_panels)
