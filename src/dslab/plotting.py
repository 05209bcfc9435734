"""Shared plot plumbing: a figure when none is given, and where the lab-and-card title goes.

Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so a library call never
touches global state or needs a display; ``fig.savefig`` renders with Agg.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure


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
