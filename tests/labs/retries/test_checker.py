"""The retries exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong rule in ``mutants/`` at the rule
that is wrong, through the library and through ``dslab check``; and it accepts each correct solution in
``alternatives/``, written in another style."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.retries.lab import LAB

HERE = Path(__file__).resolve().parent

CATALOGUE = Catalogue(LAB, HERE, caught_by={
    "no_jitter": "test_backoff_delay_jitter_policies_vary",
    "no_cap": "test_backoff_delay_exponential_doubles_then_stops_at_the_cap",
    "jitter_over_cap": "test_backoff_delay_jitter_never_lands_above_the_cap",
    "budget_never_refills": "test_RetryBudget_refills_as_new_requests_arrive",
    "budget_never_empties": "test_RetryBudget_refuses_once_empty",
    "breaker_never_half_opens": "test_CircuitBreaker_half_opens_after_open_ms",
    # the bug classes of issue 12: identity, far caps, overflow, the cap's place, float dust,
    # zero values, counts past 256, late results, types
    "policy_by_identity": "test_backoff_delay_compares_policy_names_by_value",
    "exponent_clamped": "test_backoff_delay_exponential_keeps_doubling_when_the_cap_is_far",
    "overflows_after_a_thousand_retries":
        "test_backoff_delay_stays_at_the_cap_for_thousands_of_attempts",
    "decorrelated_cap_inside_the_draw":
        "test_backoff_delay_decorrelated_piles_up_at_the_cap_when_three_times_previous_exceeds_it",
    "equal_jitter_floor_half": "test_backoff_delay_jitter_spans_its_whole_range_for_any_base",
    "jitter_returns_an_array": "test_backoff_delay_full_jitter_is_uniform_up_to_the_ceiling",
    "budget_without_tolerance": "test_RetryBudget_ten_deposits_of_a_tenth_make_a_whole_token",
    "budget_refusal_spends": "test_RetryBudget_a_refused_retry_spends_nothing",
    "budget_forgets_return_false": "test_RetryBudget_refuses_once_empty",
    "breaker_counts_by_identity":
        "test_CircuitBreaker_counts_hundreds_of_failures_and_probes_by_value",
    "breaker_counts_failures_while_open": "test_CircuitBreaker_ignores_late_results_while_open",
    "breaker_rejects_open_ms_zero": "test_CircuitBreaker_with_open_ms_zero_probes_at_once",
})


# -- through the command line -----------------------------------------------------------------

def test_cli_check_rejects_a_mutant_with_a_hint(capsys, shared_checker):
    mutant = HERE / "mutants" / "budget_never_empties.py"
    assert main(["check", "retries", "--impl", str(mutant), "-v"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("│ RetryBudget "))
    assert "✘ failed" in row and "RetryBudget holds ten tokens by default" in row
    assert "allowed 15 of 15 retries" in row and "2 of 3 rules pass." in out
    assert "an empty bucket refuses" in out  # the hint of a later test of the rule (-v)


# -- through the library: reference, stubs and every mutant ---------------------------------

globals().update(catalogue_tests(CATALOGUE))
