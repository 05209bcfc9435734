"""Shared plot plumbing: a figure when none is given, where the lab-and-card title goes, and
log axes labelled with the values themselves.

Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so a library call never
touches global state or needs a display; ``fig.savefig`` renders with Agg.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, NullFormatter


def figure_of(ax: Axes) -> Figure:
    """The figure ``ax`` is drawn in (the whole figure, if ``ax`` sits in a subfigure)."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure), "an axes that is drawn is in a figure"
    return fig


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (10, 5)) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a fresh figure with one axes."""
    if ax is not None:
        return figure_of(ax), ax
    fig = Figure(figsize=figsize, dpi=110)
    return fig, fig.add_subplot(1, 1, 1)


def title(ax: Axes, text: str) -> None:
    """Set the title ``Lab.plot_title`` made (lab, scenario, seed; the card below) on ``ax``."""
    ax.set_title(text, fontsize=11, loc="left")


class ReadableLogLocator(Locator):
    """Ticks for a log (or symlog) axis at values a reader can read off: 1, 2, 5, 10, 20, 50 ...
    where that makes at most ``most`` ticks, else 1, 3, 10, 30 ..., else powers of ten (every
    other one, or fewer, over many decades). On a symlog axis the linear part gets 0 and the
    ticks start at its threshold."""

    def __init__(self, linthresh: float | None = None, most: int = 8) -> None:
        self.linthresh = linthresh
        self.most = most

    def __call__(self) -> list[float]:
        assert self.axis is not None, "the locator is set on an axis"
        lo, hi = self.axis.get_view_interval()
        return self.tick_values(lo, hi)

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        lo, hi = sorted((vmin, vmax))
        zero: list[float] = []
        if self.linthresh is not None:
            if lo <= 0 <= hi:
                zero.append(0.0)
            lo = max(lo, self.linthresh)
        if hi <= 0 or lo >= hi:
            return zero
        lo = max(lo, hi * 1e-12)
        first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        slack = 1e-9

        def among(exponents: range, multiples: tuple[int, ...]) -> list[float]:
            values = [m * 10.0**e if e >= 0 else m / 10.0**-e for e in exponents for m in multiples]
            return [v for v in values if lo * (1 - slack) <= v <= hi * (1 + slack)]

        room = self.most - len(zero)
        for subs in ((1, 2, 5), (1, 3)):
            inside = among(range(first, last + 1), subs)
            if 2 <= len(inside) <= room:
                return zero + inside
        if len(among(range(first, last + 1), (1,))) < 2:  # a narrow range inside one decade
            return zero + among(range(first, last + 1), tuple(range(1, 10)))
        stride = 1
        while len(among(range(first, last + 1, stride), (1,))) > room:
            stride += 1
        return zero + among(range(first, last + 1, stride), (1,))


def plain_number(x: float, _pos: int | None = None) -> str:
    """A tick label that is the value itself: 0.05, 2, 50, 1,000 (never 10^k)."""
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:,.0f}"
    return f"{x:.6g}"


def readable_log_axis(axis: Axis, linthresh: float | None = None, most: int = 8) -> None:
    """Label a log-scaled (or, with ``linthresh``, symlog-scaled) axis with the values themselves,
    at most ``most`` of them (see :class:`ReadableLogLocator`), and no minor labels."""
    axis.set_major_locator(ReadableLogLocator(linthresh, most))
    axis.set_major_formatter(FuncFormatter(plain_number))
    axis.set_minor_formatter(NullFormatter())
