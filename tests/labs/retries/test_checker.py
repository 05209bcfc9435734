"""The retries exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong rule in ``mutants/`` at the rule
that is wrong, through the library and through ``dslab check``."""

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
})


# -- through the command line -----------------------------------------------------------------

def test_cli_check_rejects_a_mutant_with_a_hint(capsys, shared_checker):
    mutant = HERE / "mutants" / "budget_never_empties.py"
    assert main(["check", "retries", "--impl", str(mutant)]) == 1
    out = capsys.readouterr().out
    assert "RetryBudget refuses once empty" in out and "✘ failed" in out
    assert "an empty bucket refuses" in out


# -- through the library: reference, stubs and every mutant ---------------------------------

globals().update(catalogue_tests(CATALOGUE))
