"""The LSM exercise checker has teeth: it passes the reference rules, fails every untouched stub
with "not implemented yet", and rejects each known-wrong implementation in ``mutants/`` at the
rule that is wrong, both through the library and through ``dslab check``."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.lsm.lab import LAB

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference_impl.py"

#: For each mutant, the checker test that exists to catch that bug.
CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "oldest_version_wins": "test_merge_runs_keeps_the_newest_version",
    "tombstones_dropped_early": "test_merge_runs_keeps_tombstones_above_the_bottom",
    "tie_keeps_first_listed": "test_merge_runs_keeps_the_highest_sequence_number_whatever_the_order",
    "tie_loses_newest": "test_merge_runs_keeps_the_newest_version",
    "bloom_false_negative": "test_may_contain_never_says_no_for_an_added_key",
    "may_contain_any_bit": "test_may_contain_says_no_when_a_bit_is_clear",
    "hashes_floored": "test_bloom_hashes_at_10_bits_is_7",
    "fpr_fixed_k": "test_bloom_fpr_at_10_bits",
    "pick_by_file_count": "test_pick_level_scores_l0_by_files_over_the_trigger",
    "pick_ignores_busy_next_level": "test_pick_level_skips_busy_levels",
    "stall_off_by_one": "test_write_stall_thresholds_are_inclusive",
    "stall_slowdown_first": "test_write_stall_thresholds_are_inclusive",
})


def test_cli_check_rejects_a_mutant(capsys, shared_checker):
    mutant = HERE / "mutants" / "stall_off_by_one.py"
    assert main(["check", "lsm", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "write stall thresholds are inclusive" in out and "✘ failed" in out


def test_cli_check_passes_the_reference(capsys, shared_checker):
    assert main(["check", "lsm", "--impl", str(REFERENCE)]) == 0
    assert "rules pass" in capsys.readouterr().out


def test_cli_run_with_early_tombstone_drops_resurrects_deleted_keys(capsys):
    # A merge that drops tombstones above the bottom lets older values of deleted keys come back:
    # the oracle check on lookups catches it.
    mutant = HERE / "mutants" / "tombstones_dropped_early.py"
    assert main(["run", "lsm", "--deletes", "--impl", str(mutant), "--no-plot",
                 "--set", "written_mb=10"]) == 1
    out = capsys.readouterr().out
    assert "every lookup returns the newest acknowledged write" in out and "came back" in out


globals().update(catalogue_tests(CATALOGUE))
