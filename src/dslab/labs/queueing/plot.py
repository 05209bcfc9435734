"""The queueing pictures: the hockey stick (time in system against utilization, simulation with
confidence bars over theory), the number in system over time, and a pool-size search."""

from __future__ import annotations

import math
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dslab.plotting import new_axes, readable_log_axis, title
from dslab.result import Result
from dslab.sim.dist import parse
from dslab.wording import count

MEAN, TAIL, THEORY, KNEE = "#1d3557", "#e76f51", "#6c757d", "#f4a261"
REJECTED = "#c1121f"


def _figure(draw: Callable[[Result, Axes], None]) -> Callable[[Result, Axes | None, str], Figure]:
    """A plot function of the contract's shape around one of the drawings below."""

    def plot(result: Result, ax: Axes | None, head: str) -> Figure:
        fig, ax = new_axes(ax, figsize=(10, 5.2))
        draw(result, ax)
        title(ax, head)
        ax.set_title(queue_line(result), loc="right", fontsize=10, color=MEAN)
        fig.tight_layout()
        return fig

    plot.__doc__ = draw.__doc__
    return plot


def queue_line(result: Result) -> str:
    """The queue in Kendall's notation with its number of servers said in words, so an M/M/4
    plot says 4 servers (and a pool search says which c it tried)."""
    s, p = result.series, result.params
    if "needed" in s:  # a pool search: c is what varies
        tried = [pt["servers"] for pt in s["points"]]
        return f"{s['model']} queue: c servers, {min(tried)} to {max(tried)} tried"
    servers = count(s["servers"], "server")
    if "curve" in s:
        return f"{s['model']} queue: {servers}, one run per utilization"
    if p.get("users") is not None:
        return f"{s['model']}: {servers}"
    rho = p["arrival_rate_per_s"] * parse(p["service_ms"]).mean() / 1000 / s["servers"]
    return f"{s['model']} queue: {servers}, utilization {rho:.2f}"


def _known(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def _bars(values: list[float], cis: list[list[float]]) -> list[list[float]]:
    """Error-bar lengths below and above each value (zero where no interval is known)."""
    lo = [v - c[0] if _known(c[0]) else 0 for v, c in zip(values, cis, strict=True)]
    hi = [c[1] - v if _known(c[1]) else 0 for v, c in zip(values, cis, strict=True)]
    return [[max(0.0, x) for x in lo], [max(0.0, x) for x in hi]]


def _sweep(result: Result, ax: Axes) -> None:
    """The hockey stick: time in system against utilization, simulation over theory."""
    s = result.series
    pts = s["points"]
    u = [p["utilization"] for p in pts]
    curve = s["curve"]
    ax.axvspan(0.7, 0.8, color=KNEE, alpha=0.18, zorder=0)
    ax.text(0.75, 0.97, "the knee:\n70-80% busy", transform=ax.get_xaxis_transform(), ha="center",
            va="top", fontsize=8, color="#9c5a1f")
    ax.plot(curve["utilization"], curve["W_ms"], color=MEAN, lw=1.4, alpha=0.55,
            label=f"theory: mean ({curve['formula']})")
    if any(v is not None for v in curve["p99_ms"]):
        ax.plot(curve["utilization"], curve["p99_ms"], color=TAIL, lw=1.4, alpha=0.55,
                label="theory: p99")
    w = [p["W_ms"] for p in pts]
    p99 = [p["p99_ms"] for p in pts]
    ax.errorbar(u, w, yerr=_bars(w, [p["W_ci95"] for p in pts]), fmt="o", color=MEAN, ms=5,
                capsize=3, label="simulated mean time in system (95% CI)")
    ax.errorbar(u, p99, yerr=_bars(p99, [p["p99_ci95"] for p in pts]), fmt="s", color=TAIL, ms=5,
                capsize=3, label="simulated p99 (95% CI)")
    for p in pts:
        if not p["settled"]:
            ax.annotate("run too short\nto settle", (p["utilization"], p["p99_ms"]), fontsize=7,
                        color="#6c757d", xytext=(-58, 4), textcoords="offset points")
    ax.set_xlabel("utilization ρ (fraction of time the servers are busy)")
    ax.set_ylabel("time in system (ms)")
    ax.set_xlim(0, 1)
    highs = [c[1] for q in pts for c in (q["W_ci95"], q["p99_ci95"]) if not math.isnan(c[1])]
    top = max(x for x in p99 + w + highs if not math.isnan(x))
    ax.set_ylim(0, top * 1.08)
    ax.axhline(s["service_ms"], color=THEORY, lw=0.8, ls=":")
    ax.text(0.01, s["service_ms"], " service time alone", fontsize=7, color=THEORY, va="bottom")
    ax.legend(loc="upper left", fontsize=8, frameon=False)


def _single(result: Result, ax: Axes) -> None:
    """The number in system over time, with Little's L and the spike or loop if any."""
    s = result.series
    occ = s["occupancy"]
    m = result.metrics
    t = [x / 1000 for x in occ["t_ms"]]
    ax.fill_between(t, occ["max"], color=MEAN, alpha=0.12, lw=0, label="peak in each slice")
    ax.plot(t, occ["mean"], color=MEAN, lw=1.0, label="number in system (slice average)")
    t0, t1 = s["window"]
    if t0 > 0:
        ax.axvspan(0, t0 / 1000, color=THEORY, alpha=0.12, lw=0, label="warm-up, not measured")
    p = result.params
    if p.get("burst_at_ms") is not None:
        start, end = p["burst_at_ms"] / 1000, (p["burst_at_ms"] + p["burst_ms"]) / 1000
        ax.axvspan(start, end, color=TAIL, alpha=0.18, lw=0, label="arrival spike")
        peak, drain = result.theory.get("peak_in_system"), result.theory.get("drain_ms")
        if isinstance(peak, float) and isinstance(drain, float):
            ax.plot([start, end, end + drain / 1000], [0, peak, 0], color=TAIL, ls="--", lw=1.2,
                    label="fluid model: backlog builds, then drains at the spare rate")
    if not math.isnan(m["L"]):
        lw = m["lambda_per_s"] * m["W_ms"] / 1000
        ax.hlines(m["L"], t0 / 1000, t1 / 1000, color=KNEE, lw=2.2, label=f"L measured = {m['L']:.2f}")
        ax.hlines(lw, t0 / 1000, t1 / 1000, color="#2a9d8f", lw=1.4, ls="--",
                  label=f"λW = {lw:.2f}")
    if s.get("users") is not None:
        twin = s["open_twin"]
        ax.plot([x / 1000 for x in twin["occupancy"]["t_ms"]], twin["occupancy"]["mean"],
                color=TAIL, lw=1.2,
                label=f"open stream, same demand ({twin['rate_per_s']:.0f}/s)")
        ax.axhline(s["users"], color=THEORY, ls=":", lw=1)
        ax.text(0, s["users"], f" closed loop: at most {s['users']} users in the system",
                fontsize=8, color=THEORY, va="bottom")
        ax.set_yscale("symlog", linthresh=10)
        readable_log_axis(ax.yaxis, linthresh=10, most=7)
        ax.set_ylim(bottom=0)
    handles, _ = ax.get_legend_handles_labels()
    rej = s.get("rejections", {"t_ms": []})
    if rej["t_ms"]:
        right = ax.twinx()
        tr = [x / 1000 for x in rej["t_ms"]]
        (line,) = right.step(tr, rej["per_s"], where="mid", color=REJECTED, lw=1.2,
                             label=f"turned away at the door, per second (right axis): "
                                   f"{m['rejected_fraction']:.1%} of arrivals")
        right.fill_between(tr, rej["per_s"], step="mid", color=REJECTED, alpha=0.15, lw=0)
        lo, hi = ax.get_ylim()
        top = 3 * max(max(rej["per_s"]), 1)  # along the foot, under the queue
        right.set_ylim(top * lo / hi, top)  # its zero level with the left axis' zero
        right.set_ylabel("turned away per second", color=REJECTED)
        right.tick_params(axis="y", colors=REJECTED)
        handles.append(line)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("requests in the system")
    ax.set_xlim(0, max(t[-1] if t else 1, 1e-3))
    ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)


def _pool(result: Result, ax: Axes) -> None:
    """The mean wait of each pool tried against the target, beside Erlang C."""
    s = result.series
    pts = s["points"]
    c = [p["servers"] for p in pts]
    wq = [p["Wq_ms"] for p in pts]
    ax.plot(c, [p["theory_Wq_ms"] for p in pts], color=THEORY, marker="_", ms=18, lw=1,
            label="Erlang C mean wait")
    ax.errorbar(c, wq, yerr=_bars(wq, [p["Wq_ci95"] for p in pts]), fmt="o", color=MEAN,
                capsize=3, label="simulated mean wait (95% CI)")
    ax.axhline(s["target_ms"], color=TAIL, ls="--", lw=1.2, label=f"target {s['target_ms']:g} ms")
    need = result.metrics.get("servers_needed")
    if need is not None:
        ax.axvline(need, color="#2a9d8f", lw=6, alpha=0.2, label=f"fewest that meet it: {need}")
    ax.set_yscale("log")
    readable_log_axis(ax.yaxis)
    ax.set_xticks(c)
    ax.set_xlabel(f"servers (offered load {s['offered_load']:.2f} Erlangs)")
    ax.set_ylabel("mean wait before service (ms, log scale)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    if not math.isfinite(max(wq)):
        ax.set_ylim(bottom=1e-3)


plot = _figure(_single)
sweep_plot = _figure(_sweep)
pool_plot = _figure(_pool)
