"""The raft story says only what the run shows: an even split has no minority or majority side,
the old leader's entries are said to survive or not as the final log has it, and a quorum below a
majority is not told as a side that 'could commit none'."""

from __future__ import annotations

import pytest

from conftest import REPO
from dslab.labs.raft.lab import LAB

OFF_BY_ONE = REPO / "tests" / "labs" / "raft" / "mutants" / "majority_off_by_one.py"


def run(seed: int = 1, impl=None, **overrides):
    params = LAB.make_params("partition", {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, seed, impl=impl, scenario="partition")


def first_leader_after(r, t_ms: float):
    return next(w for w in r.series["leaders"] if w.t_ms >= t_ms)


def test_an_even_split_has_no_minority_or_majority_side():
    r = run(nodes=4)
    text = " ".join(r.story)
    assert "minority" not in text and "majority side" not in text
    assert "neither side holds the 3 servers a majority of 4 needs" in text


def test_an_even_split_says_the_old_leaders_entries_survived_when_its_side_leads_next():
    # Split 2 | 2, neither side can elect; the old leader's side goes on accepting commands, so
    # after the heal only its longer logs can win a vote and its side leads next, on any seed.
    params = LAB.make_params("partition", {"nodes": "4"})
    for seed in range(1, 4):
        r = run(seed, nodes=4)
        after = first_leader_after(r, r.params["heal_at_ms"])
        old = [w for w in r.series["leaders"] if w.t_ms < params.partition_at_ms][-1].node
        [(_, _, groups)] = r.series["partitions"]
        assert after.node in next(g for g in groups if old in g), f"seed {seed}"
        text = " ".join(r.story)
        assert "replaced" not in text and "took their places" not in text
        assert (f"Server {after.node}, from the old leader's side, was the first leader after the "
                "heal") in text
        stale = r.metrics["stale_leader_entries"]
        assert f"All of the {stale} commands server {old} accepted while cut off survived" in text


def test_a_minority_split_says_the_old_leaders_entries_were_replaced():
    r = run()
    text = " ".join(r.story)
    assert "cut off in a minority of 2; the other side's 3 are a majority of 5" in text
    stale = r.metrics["stale_leader_entries"]
    assert f"None of the {stale} commands server 0 accepted while cut off survived" in text


@pytest.mark.parametrize("nodes", [4, 5])
def test_a_quorum_below_a_majority_does_not_make_the_story_contradict_itself(nodes):
    r = run(nodes=nodes, impl=LAB.load_impl(OFF_BY_ONE))
    committed = r.metrics["committed_minority_side"]
    assert committed > 0, "the wrong quorum lets the old leader's side commit"
    text = " ".join(r.story)
    assert f"the old leader's side committed {committed}" in text
    assert "could commit none" not in text
    assert "quorum is too small" in text


@pytest.mark.parametrize("seed", range(1, 6))
@pytest.mark.parametrize("wrong", [False, True])
def test_the_story_says_could_commit_none_exactly_when_the_cut_off_side_committed_none(seed, wrong):
    r = run(seed, impl=LAB.load_impl(OFF_BY_ONE) if wrong else None)
    text = " ".join(r.story)
    assert ("could commit none" in text) == (r.metrics["committed_minority_side"] == 0)


def test_no_candidate_is_not_told_as_a_split_vote():
    # Timeouts whose mean fits in the 5 s run: all five servers draw one past its end with
    # probability (990/1990)^5, about 3%, so one of 500 seeds does so but with odds of 2 in 10^7.
    params = LAB.make_params("default", {"election_timeout_ms": "uniform(4000,5990)"})
    r = next(r for r in (LAB.run(params, seed) for seed in range(500)) if r.metrics["max_term"] == 0)
    text = " ".join(r.story)
    assert "no server stood for election" in text and "split" not in text
