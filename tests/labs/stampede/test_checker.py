"""The stampede exercise checker has teeth: it passes the reference rules, fails every untouched
stub with "not implemented yet", and rejects each known-wrong rule in ``mutants/`` at the rule
that is wrong, through the library and through ``dslab check``; and it accepts each correct
solution in ``alternatives/``, written in another style."""

from __future__ import annotations

from pathlib import Path

from checker_support import Catalogue, catalogue_tests
from dslab.cli import main
from dslab.labs.stampede.lab import LAB

HERE = Path(__file__).resolve().parent

CATALOGUE = Catalogue(LAB, HERE, caught_by={
    # the catalogue
    "log_sign_flipped": "test_should_refresh_early_sometimes_refreshes_before_expiry",
    "beta_as_divisor": "test_should_refresh_early_larger_beta_refreshes_earlier",
    "jitter_only_lengthens": "test_jittered_ttl_ms_spreads_both_ways",
    "coalescer_keeps_waiters_on_failure": "test_Coalescer_reject_releases_every_caller",
    "coalescer_caches_failure": "test_Coalescer_does_not_remember_a_failure",
    "coalescer_second_flight": "test_Coalescer_never_starts_a_second_computation",
    # more bugs of the same families
    "jitter_half_spread": "test_jittered_ttl_ms_is_uniform_on_the_spread",
    "coalescer_calls_back_first": "test_Coalescer_forgets_the_key_before_calling_back",
    "refresh_draws_from_random_module": "test_should_refresh_early_draws_only_from_the_rng",
})


def test_cli_check_rejects_a_mutant_with_a_hint(capsys, shared_checker):
    mutant = HERE / "mutants" / "coalescer_second_flight.py"
    assert main(["check", "stampede", "--impl", str(mutant), "-v"]) == 1
    out = capsys.readouterr().out
    assert "2 of 3 rules pass." in out
    assert "single flight means one computation per key at a time" in out


globals().update(catalogue_tests(CATALOGUE))
