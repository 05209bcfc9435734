"""The hashing story says only what the run shows: the √2 law of virtual nodes is told as held
only when the sweep measured it, and a bounded-loads run is set beside the ring as measured."""

from __future__ import annotations

from conftest import REPO
from dslab.labs.hashing.lab import LAB

MUTANTS = REPO / "tests" / "labs" / "hashing" / "mutants"


def vnodes(impl=None, seed: int = 1):
    return LAB.run(LAB.make_params("vnodes"), seed, impl=impl, scenario="vnodes")


def test_the_sqrt2_law_is_told_as_held_when_the_sweep_measures_it():
    text = " ".join(vnodes().story)
    assert "as theory's" in text and "(about √2) predicts" in text
    assert "disagrees" not in text


def test_a_placement_that_defeats_virtual_nodes_is_not_told_to_follow_the_sqrt2_law():
    r = vnodes(LAB.load_impl(MUTANTS / "evenly_spaced_points.py"))
    assert r.metrics["load_cv"] > 2 * r.theory["load_cv"], "the mutant spreads keys unevenly"
    text = " ".join(r.story)
    assert "predicts." not in text and "cuts it by about √2" not in text
    assert "This disagrees with theory" in text
    assert "more than twice the spread theory expects" in text


def test_placement_sets_the_measured_spread_and_movement_beside_theory():
    r = LAB.run(LAB.make_params("add-node"), 1, scenario="add-node")
    text = " ".join(r.story)
    assert f"(theory {r.theory['load_cv']:.3f})" in text
    assert f"(theory {100 * r.theory['moved_fraction']:.1f}%)" in text


def test_bounded_loads_against_the_ring_are_told_as_measured():
    r = LAB.run(LAB.make_params("hot-key"), 1, scenario="hot-key")
    ring = r.series["runs"]["ring"]["metrics"]
    text = " ".join(r.story)
    assert f"against the ring's {ring['hit_ratio']:.3f}" in text
    assert "trading some cache hits" not in text
