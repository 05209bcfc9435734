"""The queueing exercise checker has teeth: it passes the reference formulas, fails every
untouched stub with "not implemented yet", and rejects each known-wrong formula in ``mutants/``
at the rule that is wrong, through the library and through ``dslab check`` and ``dslab run``."""

from __future__ import annotations

import json
from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.queueing.lab import LAB

HERE = Path(__file__).resolve().parent

CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "units_mixed": "test_littles_law_counts_requests_inside_from_rate_and_time",
    "load_not_refused": "test_erlang_c_refuses_a_load_the_pool_cannot_carry",
    "erlang_b_for_c": "test_erlang_c_matches_known_pools",
    "search_off_by_one": "test_servers_needed_matches_the_fewest_that_meet_the_wait",
    "mean_for_percentile": "test_mm1_percentile_p99_is_far_above_the_mean",
    # the classes of issue 12: zeros, exact ties, large pools, types
    "zero_taken_for_missing": "test_littles_law_takes_a_zero_as_a_value_not_as_missing",
    "no_load_refused": "test_erlang_c_of_no_load_is_zero",
    "factorials_overflow": "test_erlang_c_handles_pools_of_hundreds_of_servers",
    "tie_adds_a_server": "test_servers_needed_counts_a_wait_exactly_at_the_target_as_met",
    "no_arrivals_refused": "test_servers_needed_with_no_arrivals_needs_one_server",
    "capped_search": "test_servers_needed_sizes_large_pools",
    "numpy_count": "test_servers_needed_returns_an_int",
})


# -- through the command line -----------------------------------------------------------------

def test_cli_check_rejects_a_mutant_with_a_hint(capsys, shared_checker):
    assert main(["check", "queueing", "--impl", str(HERE / "mutants" / "erlang_b_for_c.py"), "-v"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("│ erlang_c "))
    assert "✘ failed" in row and "erlang c with one server is the utilization" in row
    assert "3 of 4 rules pass." in out
    assert "Erlang B" in out  # the hint of a later test of the rule, in pytest's output (-v)


def test_cli_run_with_mixed_units_breaks_littles_law(capsys):
    # The Little's Law check computes λW with the learner's littles_law: a missing /1000 makes
    # λW a thousand times L, whatever the seed.
    mutant = HERE / "mutants" / "units_mixed.py"
    assert main(["run", "queueing", "--impl", str(mutant), "--no-plot",
                 "--set", "customers=5000"]) == 1
    out = capsys.readouterr().out
    assert "Little's Law holds" in out and "✘ broke" in out


def test_cli_run_with_an_off_by_one_pool_overshoots(capsys):
    mutant = HERE / "mutants" / "search_off_by_one.py"
    assert main(["run", "queueing", "--pool-sizing", "--impl", str(mutant), "--json",
                 "--set", "customers=20000"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["theory"]["servers_needed"] == data["metrics"]["servers_needed"] + 1


# -- through the library: reference, stubs and every mutant ---------------------------------

globals().update(catalogue_tests(CATALOGUE))
