"""The quorum exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong rule in ``mutants/`` at the rule
that is wrong; and it accepts each correct solution in ``alternatives/``, written in another
style."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.labs.quorum.lab import LAB

HERE = Path(__file__).resolve().parent

CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "r_plus_w_at_least_n": "test_is_strict_quorum_needs_more_than_n_not_just_n",
    "first_response_wins": "test_resolve_returns_the_newest_not_the_first",
    "ties_by_arrival": "test_resolve_breaks_timestamp_ties_by_writer_then_value_not_arrival",
    "r_and_w_swapped": "test_stale_probability_of_fixed_quorums",
    "repair_skips_late": "test_repair_targets_include_replicas_that_answered_late",
    "sloppy_reuses_down_node": "test_sloppy_targets_skip_down_stand_ins_too",
    "stale_probability_as_one_minus_overlap": "test_stale_probability_of_fixed_quorums",
    "resolve_value_first": "test_resolve_returns_the_newest_not_the_first",
})

globals().update(catalogue_tests(CATALOGUE))
