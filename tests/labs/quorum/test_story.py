"""The quorum stories say what a learner should take from each run, in numbers the run measured."""

from __future__ import annotations

from dslab.labs.quorum.lab import LAB


def story(scenario: str, over: dict[str, str] | None = None, seed: int = 1) -> str:
    return " ".join(LAB.run(LAB.make_params(scenario, over), seed, scenario=scenario).story)


def test_the_default_story_names_a_strict_quorum_and_its_fresh_reads():
    text = story("default", {"writes": "200"})
    assert "a strict quorum" in text and "fresh 100.0% of the time" in text


def test_the_partial_story_sets_the_wars_model_beside_the_run():
    text = story("partial", {"writes": "500"})
    assert "a partial quorum" in text and "Monte Carlo of the WARS model" in text
    assert "99.9% were fresh by" in text


def test_a_quorum_only_story_gives_the_closed_form_and_k_staleness():
    text = story("partial", {"writes": "300", "propagation": "quorum-only"})
    assert "PBS closed form" in text and "1: 33.3%, 2: 55.6%, 3: 70.4%" in text


def test_the_sloppy_story_says_stand_ins_acknowledged_writes_that_reads_then_missed():
    text = story("sloppy", {"writes": "400"})
    assert "stand-in nodes" in text and "missed an acknowledged write although R+W > N" in text


def test_the_skew_story_counts_the_lost_writes_beside_the_expectation():
    result = LAB.run(LAB.make_params("clock-skew"), 1, scenario="clock-skew")
    text = " ".join(result.story)
    assert f"dropped {result.metrics['lost_writes']} acknowledged writes" in text
    assert "expected about" in text


def test_the_sweep_and_repair_stories_name_each_configuration_and_mechanism():
    assert "writes available for W <= 1, reads for R <= 1" in story("crash", {"writes": "60"})
    text = story("repair", {"writes": "100"})
    assert "none: 100.0% of acknowledged writes never reached every replica" in text
    assert "read-repair: every replica held each write" in text
