"""The LSM pictures: the engine's levels and stall panel, the strategies side by side, the bloom
sweep against theory; each drawn from a small run, read through its matplotlib objects."""

from __future__ import annotations

import pytest
from plot_support import drawn, legend_texts

from dslab.labs.lsm.lab import LAB


def run(scenario: str, **overrides):
    return LAB.run(LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()}), 1,
                   scenario=scenario)


def test_the_stall_panel_draws_both_triggers_and_shades_the_stalls():
    r = run("write-stall", written_mb=8)
    fig = drawn(LAB.plot(r))
    levels, stall, rate = fig.axes[0], fig.axes[1], fig.axes[2]
    assert legend_texts(levels)[0] == "L0"
    assert legend_texts(stall) == ["L0 files", "slowdown trigger", "stop trigger"]
    assert legend_texts(rate) == ["admitted", "offered", "delayed rate"]
    lines = {round(line.get_ydata()[0]) for line in stall.get_lines()[1:3]}
    assert lines == {20, 36}
    kinds = {kind for kind, _, _ in r.series["windows"]}
    assert kinds == {"slowdown", "stop"}
    assert len(stall.patches) == len(rate.patches) == len(r.series["windows"])


def test_the_levels_legend_names_only_levels_that_held_data():
    r = run("default", written_mb=3)
    deepest = max(i for shape in r.series["shape"] for i, mb in enumerate(shape) if mb > 0)
    assert 1 <= deepest < 6
    assert legend_texts(drawn(LAB.plot(r)).axes[0]) == [f"L{i}" for i in range(deepest + 1)]


def test_compare_draws_a_bar_per_strategy_and_measure():
    r = run("compare", written_mb=3)
    fig = drawn(LAB.plot(r))
    ax, levels = fig.axes[0], fig.axes[1]
    assert legend_texts(ax) == ["leveled", "tiered", "leveled-full"]
    assert len(ax.patches) == 3 * 4
    stacked = sum(p.get_height() for p in levels.patches)
    assert stacked == pytest.approx(sum(m["stored_mb"] for m in r.series["per"].values()))


def test_the_bloom_sweep_draws_measured_and_theory():
    r = run("bloom", written_mb=2, absent_lookups=2000, max_bits_per_key=6)
    ax = drawn(LAB.plot(r)).axes[0]
    assert ax.get_yscale() == "log"
    assert any("theory" in t for t in legend_texts(ax))
    assert len(ax.get_lines()[0].get_xdata()) == 7
