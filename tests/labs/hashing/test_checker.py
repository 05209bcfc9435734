"""The hashing exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong implementation in ``mutants/`` at
the rule that is wrong, both through the library and through ``dslab check``."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.hashing.lab import LAB

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference_impl.py"

#: For each mutant, the checker test that exists to catch that bug; the tests that run the lab
#: on all four rules (test_all_rules_...) may catch any of them too.
CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "no_wrap_around": "test_ring_owner_wraps_around_past_the_last_point",
    "python_hash": "test_build_ring_is_the_same_in_every_process",
    "modulo_ring": "test_ring_owner_picks_the_next_point_clockwise",
    "colliding_vnode_labels": "test_build_ring_labels_never_collide",
    "jump_wrong_constant": "test_jump_hash_matches_the_published_algorithm",
    "digit_first_labels": "test_build_ring_labels_never_collide_for_names_starting_with_digits",
    "padded_labels": "test_build_ring_labels_never_collide_from_100_vnodes_up",
    "evenly_spaced_points": "test_build_ring_balances_the_load",
    "linear_scan": "test_ring_owner_uses_a_binary_search",
    "index_past_the_end": "test_ring_owner_wraps_around_past_the_last_point",
    "identity_compare": "test_moved_keys_compares_owners_by_value",
    "jump_float_bucket": "test_jump_hash_returns_an_integer",
    "jump_integer_division": "test_jump_hash_computes_the_jump_in_floating_point",
    "jump_loop_runs_to_buckets": "test_jump_hash_with_one_bucket_is_always_0",
    "jump_endless_loop": "test_jump_hash_returns_an_integer",
})


# -- through the command line -----------------------------------------------------------------

def test_cli_check_rejects_a_mutant(capsys, shared_checker):
    mutant = HERE / "mutants" / "python_hash.py"
    assert main(["check", "hashing", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "build ring is the same in every process" in out
    assert "✘ failed" in out and "PYTHONHASHSEED" in out


def test_cli_check_passes_the_reference(capsys, shared_checker):
    assert main(["check", "hashing", "--impl", str(REFERENCE)]) == 0
    assert "rules pass" in capsys.readouterr().out


def test_cli_run_with_a_modulo_ring_breaks_consistency_on_a_join(capsys):
    # Hash-mod-N posing as a ring reshuffles most keys among the old nodes when one joins: the
    # lab's check catches it whatever the seed.
    mutant = HERE / "mutants" / "modulo_ring.py"
    assert main(["run", "hashing", "--add-node", "--impl", str(mutant), "--no-plot"]) == 1
    out = capsys.readouterr().out
    assert "consistent schemes move no key between unchanged nodes" in out and "✘ broke" in out


# -- through the library: reference, stubs and every mutant ---------------------------------

globals().update(catalogue_tests(CATALOGUE))
