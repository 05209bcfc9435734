"""PreVote (dissertation §9.6): the rejoin scenario deposes a healthy leader without it and does
not with it, on the same seed; generated fault schedules never produce a disruptive step-down
with it; and the metric counts only step-downs for a term nobody could have won."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.cli import main
from dslab.errors import InputError
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.lab import LAB
from dslab.sim.faults import Crash, Loss, Partition, Restart


def rejoin(seed: int, pre_vote: bool):
    params = LAB.make_params("rejoin", {"pre_vote": str(pre_vote).lower()})
    return LAB.run(params, seed, scenario="rejoin")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rejoin_deposes_the_leader_without_prevote_and_not_with_it(seed):
    without, with_ = rejoin(seed, False), rejoin(seed, True)
    assert without.ok and with_.ok
    assert without.metrics["disruptive_step_downs"] >= 1
    assert without.metrics["max_term"] > 5, "the isolated follower's term climbs while cut off"
    assert with_.metrics["disruptive_step_downs"] == 0
    assert with_.metrics["max_term"] == 1, "with PreVote nobody raises a term after the first election"
    assert "disruptive" in " ".join(without.story)


def test_the_step_down_at_the_heal_is_the_disruptive_one():
    cluster = RaftCluster(LAB.make_params("rejoin", {}), 1)
    cluster.finish()
    [down] = [d for d in cluster.monitor.step_downs if d.disruptive]
    p = cluster.params
    assert p.rejoin_at_ms <= down.t_ms < p.rejoin_at_ms + 100
    assert not any(c.viable for c in cluster.monitor.candidacies if c.term == down.new_term)


def test_a_deposed_leader_after_a_partition_is_not_counted():
    # The old leader's step-down at the heal is for the term the majority side's leader won.
    r = LAB.run(LAB.make_params("partition", {}), 1)
    assert r.metrics["step_down_after_heal_ms"] is not None
    assert r.metrics["disruptive_step_downs"] == 0


def test_prevote_off_is_the_old_cluster_message_for_message():
    # pre_vote defaults to false, and false changes nothing: the same messages and metrics as a
    # run that never heard of the parameter (pinned in tests/golden/raft-partition.json too).
    a = RaftCluster(LAB.make_params("crash-leader", {}), 4, events=True)
    b = RaftCluster(LAB.make_params("crash-leader", {"pre_vote": "false"}), 4, events=True)
    a.finish()
    b.finish()
    assert a.events() == b.events()
    assert not any(e["kind"].startswith("PreVote") for e in a.events())


def test_prevote_messages_show_in_the_events():
    c = RaftCluster(LAB.make_params("default", {"pre_vote": "true", "duration_ms": "600"}), 1,
                    events=True)
    c.finish()
    kinds = {e["kind"] for e in c.events()}
    assert {"PreVote", "PreVoteReply", "RequestVote", "pre-vote"} <= kinds
    assert c.monitor.leaders


schedules = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "nodes": st.sampled_from([3, 5, 7]),
    "crashes": st.lists(st.tuples(st.floats(200, 2500), st.floats(100, 1000)), max_size=3),
    "cut": st.one_of(st.none(), st.tuples(st.floats(200, 2000), st.floats(200, 1500),
                                          st.integers(1, 3))),
    "loss": st.sampled_from([0.0, 0.0, 0.05, 0.2]),
})


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(schedules)
def test_prevote_leaves_no_disruptive_step_down_on_generated_schedules(f):
    n, faults = f["nodes"], []
    for k, (at, down_for) in enumerate(f["crashes"]):
        server = (f["seed"] + k) % n
        faults += [Crash(at, server), Restart(at + down_for, server)]
    if f["cut"] is not None:
        at, length, size = f["cut"]
        faults.append(Partition(at, (tuple(range(min(size, n // 2))),), until_ms=at + length))
    if f["loss"]:
        faults.append(Loss(500, f["loss"], until_ms=2500))
    params = LAB.make_params("default", {"duration_ms": "3000", "nodes": str(n), "pre_vote": "true"})
    cluster = RaftCluster(params, f["seed"], faults=faults)
    cluster.finish()
    assert all(c.passed for c in cluster.monitor.verdicts())
    assert not [d for d in cluster.monitor.step_downs if d.disruptive], faults


def test_could_win_needs_a_reachable_majority_with_logs_no_newer():
    c = RaftCluster(LAB.make_params("default", {"duration_ms": "1000"}), 1)
    c.run_until(800)
    assert all(c.could_win(s.id) for s in c.servers if s.log == c.servers[0].log)
    c.net.partition([(0,)])
    assert not c.could_win(0), "alone on its side, a server cannot win"
    behind = c.servers[1]
    behind.log.append((behind.log[-1][0] if behind.log else 0, -1))  # longest: wins on length
    assert c.could_win(1)
    del behind.log[-3:]  # now behind the others
    assert not c.could_win(1)


def test_cli_rejoin_with_prevote_prints_no_disruptive_step_down(capsys):
    assert main(["run", "raft", "--rejoin", "--set", "pre_vote=true", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "disruptive_step_downs" in out


@pytest.mark.parametrize("override, words", [
    ({"rejoin_at_ms": "3000"}, "nobody was cut off"),
    ({"isolate_at_ms": "3000", "rejoin_at_ms": "2000"}, "must come after"),
    ({"isolate_at_ms": "1000", "partition_at_ms": "1500"}, "not both"),
    ({"isolate_at_ms": "9000"}, "must fall inside the run"),
])
def test_impossible_isolation_is_refused_with_a_sentence(override, words):
    with pytest.raises(InputError, match=words):
        LAB.make_params("default", override).validate()
