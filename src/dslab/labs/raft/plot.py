"""The Raft swim-lane picture: each server's role over time, the partition shaded, commits marked."""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dslab.plotting import new_axes, title
from dslab.result import Result

COLORS = {"follower": "#d9dde3", "candidate": "#f2a541", "leader": "#2a9d8f", "down": "#5c5c5c"}
CUT_OFF = "#e9c46a"  # hatching over a leader that leads only its minority side
#: series key -> (marker, colour, size, legend label) for events drawn on a server's lane
MARKS = {"crashes": ("X", "#c1121f", 11, "crash"), "restarts": (">", "#2b9348", 10, "restart")}
DEPOSED = "#9d0208"  # a leader stepping down for a term nobody could have won


def plot(result: Result, ax: Axes | None, head: str) -> Figure:
    """Draw ``result``'s timeline on ``ax`` (a new figure if None), titled ``head``."""
    fig, ax = new_axes(ax, figsize=(11, 4.8))
    s = result.series
    n = len(s["segments"])
    for node, segs in s["segments"].items():
        y = n - 1 - int(node)
        for start, end, role, term in segs:
            ax.broken_barh([(start, end - start)], (y - 0.36, 0.72), color=COLORS[role],
                           hatch="///" if role == "down" else None, edgecolor="white", linewidth=0.3)
            if role == "leader" and end - start > s["duration_ms"] / 40:
                ax.text(start + s["duration_ms"] / 100, y, f"leader · term {term}", ha="left",
                        va="center",
                        fontsize=8, color="white", fontweight="bold")
    majority = n // 2 + 1
    cut_off_drawn = False
    for start, end, groups in s["partitions"]:
        ax.axvspan(start, end, color="#e76f51", alpha=0.12, zorder=0)
        ax.text(start, n - 0.35, "  partition " + " | ".join(
            "{" + ",".join(map(str, g)) + "}" for g in groups), fontsize=8, color="#b5482a",
            va="bottom")
        for group in groups:
            if len(group) >= majority:
                continue
            for node in group:  # a leader cut off from a majority: it leads only in its own mind
                for a, b, role, _ in s["segments"][node]:
                    lo, hi = max(a, start), min(b, end)
                    if role == "leader" and hi > lo:
                        ax.broken_barh([(lo, hi - lo)], (n - 1 - node - 0.36, 0.72),
                                       facecolor="none", hatch="xx", edgecolor=CUT_OFF,
                                       linewidth=0)
                        cut_off_drawn = True
                        made = sum(1 for t, who, _ in s["commits"] if who == node and lo <= t < hi)
                        note = ("cut off: committed nothing" if not made else
                                f"cut off, yet committed ({made} commit advances)")
                        ax.text((lo + hi) / 2, n - 1 - node - 0.5, note,
                                ha="center", va="top", fontsize=7, color="#b5482a")
    for key, (marker, color, size, _) in MARKS.items():
        for t, node in s[key]:
            ax.plot([t], [n - 1 - int(node)], marker=marker, color=color, markersize=size, zorder=5)
    for t, node, term in s.get("disruptive", ()):
        y = n - 1 - int(node)
        ax.plot([t], [y], marker="v", color=DEPOSED, markersize=12, zorder=6)
        ax.text(t, y + 0.42, f"deposed for term {term}", ha="center", va="bottom", fontsize=7,
                color=DEPOSED, fontweight="bold")
    leaders = sorted({leader for _, leader, _ in s["commits"]})
    shades = ["#264653", "#e76f51", "#6a4c93", "#1982c4", "#8ac926"]
    for k, leader in enumerate(leaders):
        ts = [t for t, who, _ in s["commits"] if who == leader]
        ax.plot(ts, [-1] * len(ts), "|", color=shades[k % len(shades)], markersize=12)
        ax.text(ts[0], -1.45, f"by server {leader}", fontsize=7, color=shades[k % len(shades)])
    ax.set_yticks(range(-1, n), ["commits"] + [f"server {n - 1 - y}" for y in range(n)])
    ax.set_ylim(-1.7, n + 0.1)
    ax.set_xlim(0, s["duration_ms"])
    ax.set_xlabel("simulated time (ms)")
    roles = {role for segs in s["segments"].values() for _, _, role, _ in segs}
    handles: list[Artist] = [Patch(color=c, label=r) for r, c in COLORS.items() if r in roles]
    if s["partitions"]:
        handles.append(Patch(color="#e76f51", alpha=0.25, label="partition"))
    for key, (marker, color, _, label) in MARKS.items():
        if s[key]:
            handles.append(Line2D([], [], marker=marker, color=color, linestyle="none", label=label))
    if s.get("disruptive"):
        handles.append(Line2D([], [], marker="v", color=DEPOSED, linestyle="none",
                              label="disruptive step-down"))
    if cut_off_drawn:
        handles.append(Patch(facecolor=COLORS["leader"], hatch="xx", edgecolor=CUT_OFF,
                             label="leader cut off from a majority"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=len(handles),
              frameon=False, fontsize=8)
    title(ax, head)
    fig.tight_layout()
    return fig


def pre_vote_figure(seed: int = 1) -> Figure:
    """The rejoin scenario twice on one seed, without PreVote and with it, one timeline above the
    other: the README's picture of what PreVote is for."""
    from dslab.labs.raft.lab import LAB

    fig = Figure(figsize=(11, 8.6), dpi=110)
    axes = fig.subplots(2, 1)
    for ax, on in zip(axes, (False, True), strict=True):
        params = LAB.make_params("rejoin", {"pre_vote": str(on).lower()})
        result = LAB.run(params, seed, scenario="rejoin")
        m = result.metrics
        plot(result, ax, f"rejoin, seed {seed}, pre_vote={str(on).lower()}: "
                         f"{m['disruptive_step_downs']} disruptive step-down(s), max term "
                         f"{m['max_term']}")
    fig.tight_layout()
    return fig
