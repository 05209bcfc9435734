"""The Raft run in the terminal: one row per server, one character per slice of time."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from dslab.result import Result

STYLE = {"follower": ("·", "grey50"), "candidate": ("?", "bold black on yellow"),
         "leader": ("L", "bold white on dark_cyan"), "down": ("×", "bold red")}


def timeline(result: Result, width: int = 72) -> Table:
    """Roles over simulated time, one character per slice; a leader's stretch starts with its
    term, whole ("12───"), or shows "L" where the stretch is too short to hold the number."""
    s = result.series
    dur = s["duration_ms"]
    step = dur / width
    table = Table(title="Roles over time: · follower  ? candidate  12── leader of term 12 "
                  "(L: too short for its number)  × down  ━ partition  ✖ crash",
                  show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("", justify="right", no_wrap=True, min_width=9)
    table.add_column(f"0 ms {'':{width - 16}}{dur:,.0f} ms", no_wrap=True)
    for node in sorted(s["segments"], key=int):
        segs = s["segments"][node]
        cells = []
        for k in range(width):
            t = (k + 0.5) * step
            cells.append(next(((r, tm) for a, b, r, tm in segs if a <= t < b), ("down", 0)))
        table.add_row(f"server {node}", row_text(cells))
    marks = Text()
    for k in range(width):
        t = (k + 0.5) * step
        cut = any(a <= t < b for a, b, _ in s["partitions"])
        crash = any(k * step <= tc < (k + 1) * step for tc, _ in s["crashes"])
        marks.append("✖" if crash else ("━" if cut else " "), style="red")
    if s["partitions"] or s["crashes"]:
        table.add_row(Text("faults", style="red"), marks)
    return table


def row_text(cells: list[tuple[str, int]]) -> Text:
    """One server's row from its (role, term) in each slice of time."""
    line = Text()
    k = 0
    while k < len(cells):
        role, term = cells[k]
        ch, style = STYLE[role]
        if role != "leader":
            line.append(ch, style=style)
            k += 1
            continue
        n = 1
        while k + n < len(cells) and cells[k + n] == (role, term):
            n += 1
        label = str(term)
        line.append(label + "─" * (n - len(label)) if n >= len(label) else "L" * n, style=style)
        k += n
    return line
