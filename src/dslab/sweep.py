"""Phase diagrams: a grid of one or two parameters, N seeds per cell, one metric's mean in each.

Every cell runs on the same seeds (those ``--trials`` derives from ``--seed``), so a cell is
exactly the trials one would get by running its parameters alone, and neighbouring cells differ
by their setting rather than by their luck. The runs of all cells go to the backend together
(:mod:`dslab.execution`), so the cores or the cluster stay busy across cells.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dslab.compare import split_values
from dslab.errors import InputError
from dslab.execution import run_jobs
from dslab.lab import Lab, did_you_mean
from dslab.params import to_text
from dslab.result import clean, dumps
from dslab.trials import TrialsResult, check_counts, jobs_for, one_trial, summarise, trial_seeds

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: the most values on one axis of the grid: more cells than a heatmap can label
MAX_VALUES = 20
#: the most runs one sweep makes (cells x trials): about as long as the longest --trials
MAX_RUNS = 20_000
#: the statistics written per cell and metric in the CSV
CSV_STATS = ("mean", "ci95_low", "ci95_high", "p50", "p90", "p99", "max", "n", "missing")


def parse_grid(text: str) -> tuple[str, list[str]]:
    """``NAME=V1,V2,...`` as (name, values)."""
    name, eq, rest = text.partition("=")
    name = name.strip()
    values = split_values(rest) if eq else []
    if not name or not values or any(not v for v in values):
        raise InputError(f"--grid takes NAME=V1,V2,... (a parameter and its values), got '{text}'.",
                         hint="For example --grid retries=0,1,2,3.")
    if len(values) > MAX_VALUES:
        raise InputError(f"--grid {name} has {len(values)} values, more than the {MAX_VALUES} a "
                         "heatmap can label.")
    if len(set(values)) != len(values):
        raise InputError(f"--grid lists a value twice in '{text}'.")
    return name, values


@dataclass
class Cell:
    """One point of the grid: its settings, its trials, and the theory's side of the boundary."""

    settings: dict[str, str]
    trials: TrialsResult
    margin: float | None = None


@dataclass
class Sweep:
    """A grid swept: its axes (one or two), the metric drawn, and a Cell per point, the first
    axis varying slowest."""

    lab: str
    scenario: str
    axes: list[tuple[str, list[str]]]
    metric: str
    seed: int
    trials: int
    cells: list[Cell] = field(default_factory=list)
    boundary: str | None = None  # the theory boundary's label, where the lab declares one
    #: whether the metric was 0 or 1 in every run, so that a cell's mean is a probability
    probability: bool = False

    def stat(self, cell: Cell, stat: str = "mean") -> float | None:
        s = cell.trials.metrics.get(self.metric)
        return None if s is None else s.get(stat)

    def grid(self) -> list[list[float | None]]:
        """The metric's mean as rows (the second axis' values, or one row) of columns (the
        first axis' values)."""
        xs = len(self.axes[0][1])
        ys = len(self.axes[1][1]) if len(self.axes) > 1 else 1
        return [[self.stat(self.cells[i * ys + j]) for i in range(xs)] for j in range(ys)]

    def margins(self) -> list[list[float | None]]:
        xs = len(self.axes[0][1])
        ys = len(self.axes[1][1]) if len(self.axes) > 1 else 1
        return [[self.cells[i * ys + j].margin for i in range(xs)] for j in range(ys)]

    def to_dict(self) -> dict[str, Any]:
        return clean({
            "lab": self.lab, "scenario": self.scenario, "seed": self.seed, "trials": self.trials,
            "grid": dict(self.axes), "metric": self.metric, "boundary": self.boundary,
            "probability": self.probability,
            "cells": [{"settings": c.settings, "boundary_margin": c.margin,
                       "metrics": c.trials.metrics, "checks": c.trials.checks}
                      for c in self.cells],
        })

    def to_json(self) -> str:
        return dumps(self.to_dict())

    def to_csv(self) -> str:
        """One row per cell and metric: the settings, then the metric's statistics over trials."""
        names = [n for n, _ in self.axes]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*names, "metric", *CSV_STATS, "boundary_margin"])
        for c in self.cells:
            for m, s in c.trials.metrics.items():
                w.writerow([*(c.settings[n] for n in names), m,
                            *(_csv_value(s.get(k)) for k in CSV_STATS), _csv_value(c.margin)])
        return buf.getvalue()


def _csv_value(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    return str(clean(x))


def pick_metric(metric: str, names: list[str]) -> str:
    """``metric`` among the metrics the runs reported; a bare name stands for the one metric
    keyed by a bracket (``recovered`` for ``recovered[immediate]``)."""
    if metric in names:
        return metric
    keyed = [n for n in names if n.startswith(metric + "[")]
    if len(keyed) == 1:
        return keyed[0]
    if keyed:
        raise InputError(f"--metric {metric} is reported as {', '.join(keyed)}: name one.")
    raise InputError(f"'{metric}' is not a metric of these runs.{did_you_mean(metric, names)} "
                     f"Metrics: {', '.join(names)}.")


def sweep(lab: Lab, scenario: str, grid: list[tuple[str, list[str]]], metric: str,
          trials: int = 10, seed: int = 1, overrides: dict[str, str] | None = None,
          impl_path: str | None = None, workers: int | None = None,
          scheduler: str | None = None, progress: Callable[[int], None] | None = None,
          time_limit: float | None = None) -> Sweep:
    """Run ``scenario`` at every point of ``grid`` (one or two (name, values) axes), ``trials``
    seeds derived from ``seed`` at each; ``progress(1)`` is called per run."""
    if not 1 <= len(grid) <= 2:
        raise InputError(f"a sweep takes one or two --grid axes, got {len(grid)}.",
                         hint="A heatmap has two axes; sweep a third parameter by running again.")
    names = [n for n, _ in grid]
    if len(set(names)) != len(names):
        raise InputError(f"--grid names {names[0]} twice; give its values in one --grid.")
    for n in names:
        if n in (overrides or {}):
            raise InputError(f"{n} is both set (--set) and swept (--grid); give it in one.")
    check_counts(trials, workers)
    points = list(itertools.product(*(vs for _, vs in grid)))
    runs = len(points) * trials
    if runs > MAX_RUNS:
        raise InputError(f"This sweep would make {runs:,} runs ({len(points)} cells × {trials} "
                         f"trials), more than {MAX_RUNS:,}.",
                         hint="Use fewer values or fewer --trials.")
    params = [lab.make_params(scenario, {**(overrides or {}), **dict(zip(names, pt, strict=True))})
              for pt in points]  # every cell is checked before any runs
    axes = _taken(grid, params)
    seeds = trial_seeds(seed, trials)
    labels = [f"{scenario} " + " ".join(f"{n}={v}" for n, v in zip(names, pt, strict=True))
              for pt in _points(axes)]
    jobs = [j for p, label in zip(params, labels, strict=True)
            for j in jobs_for(lab, p, seeds, label, impl_path, time_limit)]
    outs = run_jobs(one_trial, jobs, workers, scheduler, progress)
    out = Sweep(lab.name, scenario, axes, metric, seed, trials)
    for k, (p, label, pt) in enumerate(zip(params, labels, _points(axes), strict=True)):
        tr = summarise(lab, p, seed, label, seeds, outs[k * trials:(k + 1) * trials], impl_path,
                       time_limit)
        b = lab.boundary(p)
        if b is not None:
            out.boundary = b[0]
        out.cells.append(Cell(dict(zip(names, pt, strict=True)), tr, b[1] if b else None))
    reported = list(dict.fromkeys(m for c in out.cells for m in c.trials.metrics))
    out.metric = pick_metric(metric, reported)
    values = [m.get(out.metric) for m, _ in outs]
    out.probability = out.metric in lab.indicators or all(
        v is None or (isinstance(v, (bool, int, float)) and v in (0, 1)) for v in values)
    return out


def _taken(grid: list[tuple[str, list[str]]], params: list[Any]) -> list[tuple[str, list[str]]]:
    """Each axis' values as the parameters took them (``uniform(1, 2)`` is ``uniform(1,2)``)."""
    out, stride = [], 1
    sizes = [len(vs) for _, vs in grid]
    for i, (n, vs) in enumerate(grid):
        stride = math.prod(sizes[i + 1:])
        out.append((n, [to_text(getattr(params[k * stride], n)) for k in range(len(vs))]))
    return out


def _points(axes: list[tuple[str, list[str]]]) -> list[tuple[str, ...]]:
    return list(itertools.product(*(vs for _, vs in axes)))


def plot(lab: Lab, sw: Sweep) -> Figure:
    """The heatmap: the metric's mean (a probability for a 0/1 metric) in each cell, written in
    it, with the theory's boundary drawn between the cells it separates."""
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    z = np.array([[math.nan if v is None else float(v) for v in row] for row in sw.grid()])
    xname, xs = sw.axes[0]
    yname, ys = sw.axes[1] if len(sw.axes) > 1 else ("", [""])
    fig = Figure(figsize=(max(6.0, 1.0 + 0.9 * len(xs)), max(3.2, 2.0 + 0.6 * len(ys))), dpi=110,
                 layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    what = f"P({sw.metric})" if sw.probability else f"mean {sw.metric}"
    vmin, vmax = (0.0, 1.0) if sw.probability else (None, None)
    image = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
    fig.colorbar(image, ax=ax, label=what)
    finite = z[np.isfinite(z)]
    mid = float(np.nanmean(finite)) if finite.size else 0.0
    for j in range(len(ys)):
        for i in range(len(xs)):
            v = z[j, i]
            text = "—" if not math.isfinite(v) else f"{v:.2f}" if abs(v) < 10 else f"{v:,.0f}"
            light = not math.isfinite(v) or v < mid
            ax.text(i, j, text, ha="center", va="center", fontsize=8,
                    color="white" if light else "black")
    ax.set_xticks(range(len(xs)), xs)
    ax.set_yticks(range(len(ys)), ys)
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    if sw.boundary is not None:
        segments = boundary_segments(sw.margins())
        for (x0, y0), (x1, y1) in segments:
            ax.plot([x0, x1], [y0, y1], color="red", lw=2.5)
        if segments:
            ax.legend(handles=[Line2D([], [], color="red", lw=2.5, label=f"theory: {sw.boundary}")],
                      loc="upper left", bbox_to_anchor=(0, -0.12), frameon=False, fontsize=9)
    ax.set_title(f"{lab.title}: {sw.scenario}, {sw.trials} seeds per cell from {sw.seed}\n"
                 f"card: {lab.card.title}", fontsize=10, loc="left")
    return fig


def boundary_segments(margins: list[list[float | None]]
                      ) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The cell edges (in the heatmap's coordinates, cell (i, j) centred on (i, j)) between
    neighbours on opposite sides of the theory's boundary, drawn on the grid. A margin of exactly
    0 counts with the positive side: a load exactly at capacity never drains its backlog."""
    out = []
    rows, cols = len(margins), len(margins[0]) if margins else 0

    def side(j: int, i: int) -> bool | None:  # on the boundary counts as above it
        m = margins[j][i]
        return None if m is None else m >= 0

    for j in range(rows):
        for i in range(cols):
            a = side(j, i)
            if a is None:
                continue
            if i + 1 < cols and (b := side(j, i + 1)) is not None and a != b:
                out.append(((i + 0.5, j - 0.5), (i + 0.5, j + 0.5)))
            if j + 1 < rows and (b := side(j + 1, i)) is not None and a != b:
                out.append(((i - 0.5, j + 0.5), (i + 0.5, j + 0.5)))
    return out
