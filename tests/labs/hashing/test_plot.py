"""The hashing pictures draw for every scheme and change, colour each node the same in every
panel, and label their log axes with the values themselves."""

from __future__ import annotations

import itertools

import pytest
from plot_support import drawn, tick_texts

from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.plot import every_node, node_colors
from dslab.labs.hashing.schemes import SCHEMES


def run(scenario: str, **overrides):
    return LAB.run(LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()}), 1,
                   scenario=scenario)


@pytest.mark.parametrize("scheme, change", list(itertools.product(SCHEMES, ("none", "join", "leave"))))
def test_placement_draws_for_every_scheme_and_change(scheme, change):
    r = run("default", scheme=scheme, change=change, keys=2000)
    fig = drawn(LAB.plot(r))
    if change == "leave":
        left = r.series["changed"]
        assert left not in r.series["nodes_after"]
        assert node_colors(every_node(r.series))[left], "the node that left keeps its colour"
        if r.series["ring"]:
            ring_panel = fig.axes[0]
            assert any(f"before the leave: {left}" in t.get_text() for t in ring_panel.texts)


def test_the_vnodes_sweep_labels_points_per_node_and_spread_as_numbers():
    r = run("vnodes", keys=2000)
    cv = drawn(LAB.plot(r)).axes[0]
    assert tick_texts(cv, "x") == [str(v) for v in sorted(r.series["sweep"])]
    labels = tick_texts(cv, "y")
    assert labels and not any("^" in t or "$" in t for t in labels)
    assert {"0.1", "0.2", "0.5"} <= set(labels)


def test_one_node_has_no_spread_and_no_log_axis():
    fig = drawn(LAB.plot(run("vnodes", nodes=1, keys=200)))
    assert fig.axes[0].get_yscale() == "linear"


def test_a_ring_at_size_draws_as_two_collections_and_a_bounded_legend():
    """200,000 points drawn one patch and one line each took minutes; a collection each takes
    seconds. Past MAX_TICKS points the ticks are a solid band and are left out; past MAX_LEGEND
    nodes the legend says how many more there are."""
    import matplotlib.pyplot as plt

    from dslab.labs.hashing.plot import MAX_LEGEND, MAX_TICKS, draw_ring
    from dslab.labs.hashing.rules import build_ring

    nodes = [f"n{i}" for i in range(MAX_LEGEND + 4)]
    for vnodes, ticks in ((2, True), (MAX_TICKS // len(nodes) + 1, False)):
        fig, ax = plt.subplots()
        draw_ring(ax, build_ring(nodes, vnodes), nodes, highlight="n0")
        assert not ax.patches and not ax.lines  # nothing drawn point by point
        assert len(ax.collections) == (2 if ticks else 1)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == nodes[:MAX_LEGEND] + ["and 4 more"]
        plt.close(fig)


def test_a_ring_past_max_arcs_is_drawn_in_slices_that_keep_each_nodes_share():
    """A 200,000-point ring is drawn at the resolution of a screen: at most MAX_ARCS wedges,
    each slice given to the node that owns its middle, so each node's drawn share is its true
    share within one slice for each arc of its that is narrower than a slice."""
    from dslab.labs.hashing.analysis import arcs, ring_shares
    from dslab.labs.hashing.plot import MAX_ARCS, drawn_arcs
    from dslab.labs.hashing.rules import build_ring

    nodes = [f"n{i}" for i in range(20)]
    small = build_ring(nodes, 3)
    assert drawn_arcs(small) == arcs(small)  # few points: every arc as it is
    ring = build_ring(nodes, 400)  # 8,000 points
    drawn = drawn_arcs(ring)
    assert len(drawn) <= MAX_ARCS and drawn[0][0] == 0.0 and drawn[-1][1] == 1.0
    assert all(a[1] == b[0] for a, b in zip(drawn, drawn[1:], strict=False))  # they tile it
    shares = dict(zip(nodes, ring_shares(ring, nodes), strict=True))
    points = {n: sum(1 for _, m in ring if m == n) for n in nodes}
    for n in nodes:
        got = sum(b - a for a, b, m in drawn if m == n)
        assert abs(got - shares[n]) <= points[n] / MAX_ARCS, n
