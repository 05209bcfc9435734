"""The queueing run in the terminal: the number in system as a strip of bars, or the table of a
sweep or a pool search."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from dslab.render import fmt
from dslab.result import Result

BLOCKS = " ▁▂▃▄▅▆▇█"


def view(result: Result, width: int = 72) -> Text:
    """One queue: the number in system over time as a strip of bars."""
    occ = result.series["occupancy"]
    peaks = occ["max"]
    if not peaks:
        return Text("(nothing ran)")
    step = max(1, len(peaks) // width)
    cols = [max(peaks[i:i + step]) for i in range(0, len(peaks), step)][:width]
    top = max(cols) or 1.0
    line = "".join(BLOCKS[min(8, round(8 * v / top))] for v in cols)
    end = result.series["end_ms"]
    out = Text(f"Requests in the system over time (peak {top:,.0f}):\n", style="bold")
    out.append(line + "\n", style="cyan")
    out.append(f"0 ms{'':{max(1, len(line) - 4 - len(f'{end:,.0f} ms'))}}{end:,.0f} ms", style="dim")
    return out


def _ms(x: float | None) -> str:
    """A time as the metrics table shows it, to the same significant digits as its theory."""
    return fmt(x)


def sweep_view(result: Result, width: int = 72) -> Table:
    """A sweep: one row per utilization."""
    t = Table(title="One run per utilization: simulated (95% CI) beside long-run theory",
              title_justify="left")
    for col in ("ρ", "mean W ms", "95% CI", "theory", "p99 ms", "theory p99"):
        t.add_column(col, justify="right")
    for p in result.series["points"]:
        lo, hi = p["W_ci95"]
        t.add_row(f"{p['utilization']:.2f}", _ms(p["W_ms"]), f"{_ms(lo)} … {_ms(hi)}",
                  _ms(p["theory_W_ms"]) + ("" if p["settled"] else " *"), _ms(p["p99_ms"]),
                  _ms(p["theory_p99_ms"]))
    t.caption = "* run too short to settle at this utilization: expect the mean to wander"
    return t


def pool_view(result: Result, width: int = 72) -> Table:
    """A pool search: one row per pool size."""
    s = result.series
    t = Table(title=f"Mean wait against pool size (target {s['target_ms']:g} ms)",
              title_justify="left")
    for col in ("servers", "utilization", "simulated Wq ms", "95% CI", "Erlang C", "meets target"):
        t.add_column(col, justify="right")
    for p in s["points"]:
        lo, hi = p["Wq_ci95"]
        meets = p["Wq_ms"] <= s["target_ms"]
        t.add_row(str(p["servers"]), f"{s['offered_load'] / p['servers']:.2f}", _ms(p["Wq_ms"]),
                  f"{_ms(lo)} … {_ms(hi)}", _ms(p["theory_Wq_ms"]),
                  "[green]yes[/]" if meets else "[red]no[/]")
    return t
