"""Helpers for tests that look at a plot's matplotlib objects (never its pixels)."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def drawn(fig: Figure) -> Figure:
    """``fig`` drawn once on an Agg canvas, so tick labels and legends hold their final text."""
    FigureCanvasAgg(fig).draw()
    return fig


def tick_texts(ax: Axes, which: str = "y") -> list[str]:
    """The visible major tick labels of one axis of ``ax``, left to right or bottom to top."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    lo, hi = sorted(axis.get_view_interval())
    return [t.get_text() for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
            if lo <= v <= hi and t.get_text()]


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []
