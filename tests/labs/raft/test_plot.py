"""The raft timeline's legend lists only what happened in the run, and a leader cut off from a
majority is labelled with what it committed, not with what it should have."""

from __future__ import annotations

from plot_support import drawn, legend_texts

from conftest import REPO
from dslab.labs.raft.lab import LAB

OFF_BY_ONE = REPO / "tests" / "labs" / "raft" / "mutants" / "majority_off_by_one.py"


def plot(scenario: str = "default", impl=None, **overrides):
    r = LAB.run(LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()}), 1,
                impl=impl, scenario=scenario)
    return drawn(LAB.plot(r)).axes[0]


def test_a_quiet_run_lists_only_the_roles_that_occurred():
    assert legend_texts(plot()) == ["follower", "candidate", "leader"]


def test_down_servers_and_partitions_are_listed_when_they_occur():
    assert "down" in legend_texts(plot(failed="3,4"))
    texts = legend_texts(plot("partition"))
    assert "partition" in texts and "down" not in texts


def test_a_cut_off_leader_is_labelled_with_what_it_committed():
    notes = [t.get_text() for t in plot("partition", nodes=4).texts]
    assert "cut off: committed nothing" in notes
    wrong = [t.get_text() for t in plot("partition", LAB.load_impl(OFF_BY_ONE), nodes=4).texts]
    assert any(t.startswith("cut off, yet committed") for t in wrong)
    assert "cut off: cannot commit" not in wrong


def test_a_disruptive_step_down_is_marked_where_it_happened():
    texts = legend_texts(plot("rejoin"))
    assert "disruptive step-down" in texts
    assert "disruptive step-down" not in legend_texts(plot("rejoin", pre_vote="true"))


def test_the_prevote_figure_sets_both_runs_one_above_the_other():
    from dslab.labs.raft.plot import pre_vote_figure

    fig = drawn(pre_vote_figure(1))
    heads = [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 2
    assert "pre_vote=false: 1 disruptive" in heads[0] and "pre_vote=true: 0 disruptive" in heads[1]
