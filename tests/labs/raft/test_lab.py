"""The Raft lab behaves as the card says: elections, partitions, crashes, split votes, and
safety on every run, including runs with broken rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.errors import InputError
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.lab import LAB
from dslab.labs.raft.rules import LEADER, VoteRequest
from dslab.sim.faults import Crash, Heal, Loss, Partition, Restart, Slow

SEEDS = range(1, 6)


def run(scenario: str, seed: int = 1, impl=None, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, seed, impl=impl, scenario=scenario)


@pytest.mark.parametrize("seed", SEEDS)
def test_partition_isolates_the_leader_and_the_majority_moves_on(seed):
    r = run("partition", seed)
    m = r.metrics
    assert r.ok, [c for c in r.checks if not c.passed]
    assert m["election_time_ms"] is not None and m["election_time_ms"] > 0
    assert m["max_term"] >= 2, "the majority side must have elected a leader in a later term"
    assert m["committed_majority_side"] > 0, "the majority side keeps committing while cut off"
    assert m["committed_minority_side"] == 0
    assert m["stale_leader_entries"] > 0, "the old leader still accepts commands it cannot commit"
    assert m["step_down_after_heal_ms"] is not None, "the old leader must step down after the heal"
    text = " ".join(r.story)
    assert "cut off in a minority" in text and "stepped down" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_crash_leader_survivors_elect_a_new_leader(seed):
    r = run("crash-leader", seed)
    assert r.ok
    assert r.metrics["election_time_ms"] is not None
    # A new leader needs at least one timeout: never sooner than the shortest election timeout
    # minus one heartbeat period (the time since the last heartbeat reset the timers).
    assert r.metrics["election_time_ms"] > 150 - 50
    assert "crashed" in " ".join(r.story)


def test_split_vote_scenario_splits_rounds():
    runs = [run("split-vote", s) for s in SEEDS]
    assert all(r.ok for r in runs)
    assert all(r.metrics["first_election_split"] == 1 for r in runs)
    assert sum(r.metrics["split_votes"] for r in runs) >= 5


def test_no_majority_alive_is_an_outcome_not_an_error():
    r = run("default", failed="2,3,4")
    assert r.ok
    assert r.metrics["election_time_ms"] is None
    assert r.metrics["committed"] == 0
    assert "only 2 of 5 servers are up" in " ".join(r.story)


def test_same_seed_same_json_and_other_seed_differs():
    a, b, c = run("partition", 7), run("partition", 7), run("partition", 8)
    assert a.to_json() == b.to_json()
    assert a.to_json() != c.to_json()


def test_cluster_steps_like_a_notebook_and_matches_one_full_run():
    params = LAB.make_params("partition")
    stepped = LAB.start(params, seed=3, scenario="partition")
    for t in (300, 2000, 2500, 5000, 5200):
        stepped.run_until(t)
        assert stepped.now == t
        rows = stepped.state()
        assert [r["server"] for r in rows] == list(range(params.nodes))
    leaders = [r for r in rows if r["role"] == LEADER]
    assert len(leaders) == 1 and leaders[0]["term"] == max(r["term"] for r in rows)
    assert stepped.finish().result().to_json() == run("partition", 3).to_json()


def test_events_between_steps_tell_who_asked_whom_and_who_granted_the_vote():
    params = LAB.make_params("partition")
    stepped = LAB.start(params, seed=1, scenario="partition", events=True)
    windows, before = [], 0.0
    for t in (300, 2000, 2300, 5000, 5100, 7000):
        windows.append(stepped.run_until(t).events(since_ms=before))
        assert all(before <= e["t_ms"] < t for e in windows[-1])
        before = t
    # The first election, message by message: one server times out and asks every other server
    # for its vote in term 1, and wins with the votes it was granted.
    first = windows[0]
    [timeout] = [e for e in first if e["kind"] == "timeout"]
    cand = timeout["node"]
    asks = [e for e in first if e["kind"] == "RequestVote"]
    assert {(e["src"], e["dst"], e["term"]) for e in asks} == {(cand, p, 1) for p in range(5) if p != cand}
    [won] = [e for e in first if e["kind"] == "elected"]
    granted = [e["src"] for e in first if e["kind"] == "VoteReply" and e["granted"]
               and e["dst"] == cand and e["t_ms"] <= won["t_ms"]]
    assert won["node"] == cand and won["votes"] == sorted([cand, *granted]) and len(won["votes"]) >= 3
    beats = [e for e in first if e["kind"] == "AppendEntries" and e["t_ms"] > won["t_ms"]]
    assert beats and all(e["src"] == cand and e["fate"] == "delivered" for e in beats)
    # The cut: the old leader's AppendEntries to the other side are dropped, and the other side
    # elects a leader of its own in term 2.
    cut = windows[2]
    assert any(e["kind"] == "AppendEntries" and e["src"] == cand and e["fate"] == "partition"
               for e in cut)
    assert [(e["term"], cand in e["votes"]) for e in cut if e["kind"] == "elected"] == [(2, False)]
    # After the heal the old leader hears term 2 and steps down.
    assert [(e["node"], e["was"], e["old_term"]) for e in windows[4] if e["kind"] == "step-down"] \
        == [(cand, LEADER, 1)]
    # Stepping gives every event once, the same as reading a finished run's events, seed for seed.
    whole = LAB.start(params, seed=1, scenario="partition", events=True).finish()
    assert [e for w in windows for e in w] == whole.events() == stepped.events()


def test_a_run_keeps_its_messages_only_when_asked_and_they_change_nothing():
    params = LAB.make_params("partition")
    plain = LAB.start(params, seed=2, scenario="partition").finish()
    with pytest.raises(InputError, match=r"started without events=True.*events=True\)\.$"):
        plain.events()
    recorded = LAB.start(params, seed=2, scenario="partition", events=True).finish()
    kinds = {e["kind"] for e in recorded.events()}
    assert {"RequestVote", "VoteReply", "AppendEntries", "AppendReply", "elected"} <= kinds
    assert recorded.result().to_json() == plain.result().to_json()


fault_params = st.fixed_dictionaries({
    "partition_at_ms": st.sampled_from([None, 400.0, 900.0, 1500.0]),
    "minority": st.integers(1, 2),
    "crash_leader_at_ms": st.sampled_from([None, 700.0, 1300.0]),
    "loss": st.sampled_from([0.0, 0.05, 0.2]),
    "nodes": st.sampled_from([3, 5, 7]),
    "seed": st.integers(0, 10_000),
    "heal_after_ms": st.sampled_from([None, 300.0, 800.0]),
})


@given(fault_params)
def test_safety_holds_under_random_faults(f):
    over = {"duration_ms": 2500, "nodes": f["nodes"], "loss": f["loss"]}
    if f["partition_at_ms"] is not None:
        over["partition_at_ms"] = f["partition_at_ms"]
        over["minority"] = min(f["minority"], (f["nodes"] - 1) // 2)
        if f["heal_after_ms"] is not None:
            over["heal_at_ms"] = f["partition_at_ms"] + f["heal_after_ms"]
    if f["crash_leader_at_ms"] is not None:
        over["crash_leader_at_ms"] = f["crash_leader_at_ms"]
    r = run("default", f["seed"], **over)
    broken = [c for c in r.checks if not c.passed]
    assert not broken, (broken, LAB.replay_command("default", f["seed"],
                                                  {k: str(v) for k, v in over.items()}))


def test_term_vote_and_log_survive_a_crash_and_restart():
    # Figure 2 keeps currentTerm, votedFor and the log on disk: a server that voted in term 5,
    # crashed and came back must still refuse a second candidate in term 5.
    params = LAB.make_params("default", {"nodes": "3", "client_rate_per_s": "0"})
    cluster = RaftCluster(params, seed=1)
    voter = cluster.servers[2]
    voter.log.append((4, 99))
    voter.on_message(0, VoteRequest(term=5, candidate_id=0, last_log_index=1, last_log_term=4))
    assert (voter.current_term, voter.voted_for) == (5, 0)
    cluster.net.crash(2)
    cluster.net.restart(2)
    assert (voter.current_term, voter.voted_for, voter.log) == (5, 0, [(4, 99)])
    assert voter.role == "follower" and voter.commit_index == 0  # volatile state starts afresh
    voter.on_message(1, VoteRequest(term=5, candidate_id=1, last_log_index=1, last_log_term=4))
    assert voter.voted_for == 0, "a restarted server voted twice in term 5"


def test_crashes_and_restarts_are_drawn_where_they_happened():
    result = LAB.run(LAB.make_params("default", {"duration_ms": "3000"}), seed=2,
                     faults=[Crash(1000, 1), Restart(1800, 1)])
    assert result.series["crashes"] == [(1000.0, 1)]
    assert result.series["restarts"] == [(1800.0, 1)]
    assert [(a, b, r) for a, b, r, _ in result.series["segments"][1] if r == "down"] == [
        (1000.0, 1800.0, "down")]
    legend = [t.get_text() for t in LAB.plot(result).axes[0].get_legend().get_texts()]
    assert "crash" in legend and "restart" in legend
    assert "Restart(at_ms=1800, node=1)" in " ".join(result.story)


def test_added_faults_are_told_even_when_no_leader_is_ever_elected():
    params = LAB.make_params("default", {"nodes": "3", "duration_ms": "1000"})
    text = " ".join(LAB.run(params, seed=1, faults=[Crash(0, 1), Crash(0, 2)]).story)
    assert "No leader was elected" in text and "Crash(at_ms=0, node=2)" in text


FAULTS_END_MS, RUN_MS, CATCH_UP_MS = 2800.0, 4500.0, 600.0


@st.composite
def schedules(draw):
    """A cluster size and a fault schedule as data: crashes and restarts (persistent state must
    survive them), partitions that may nest, lossy and slow windows; all over by FAULTS_END_MS,
    after which everything heals and every server is restarted."""
    n = draw(st.sampled_from([3, 5]))
    at = st.integers(0, 2500).map(float)

    def window(start: float) -> float:
        return min(start + draw(st.integers(50, 1500)), FAULTS_END_MS)

    faults = []
    for kind in draw(st.lists(st.sampled_from(["crash", "restart", "cut", "heal", "loss", "slow"]),
                              max_size=8)):
        t = draw(at)
        if kind == "crash":
            faults.append(Crash(t, draw(st.one_of(st.integers(0, n - 1), st.just("leader")))))
        elif kind == "restart":
            faults.append(Restart(t, draw(st.integers(0, n - 1))))
        elif kind == "cut":
            side = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
            groups = tuple(tuple(i for i in range(n) if side[i] == g) for g in sorted(set(side)))
            faults.append(Partition(t, groups, window(t)))
        elif kind == "heal":
            faults.append(Heal(t))
        elif kind == "loss":
            faults.append(Loss(t, draw(st.sampled_from([0.1, 0.3, 0.6])), window(t)))
        else:
            faults.append(Slow(t, draw(st.integers(0, n - 1)), draw(st.sampled_from([3.0, 10.0])),
                               window(t)))
    faults += [Heal(FAULTS_END_MS), *(Restart(FAULTS_END_MS, i) for i in range(n))]
    return n, draw(st.integers(0, 10_000)), faults


@settings(max_examples=300)
@given(schedules())
def test_safety_holds_through_crashes_and_restarts_and_the_cluster_recovers(case):
    n, seed, faults = case
    params = LAB.make_params("default", {"nodes": str(n), "duration_ms": str(RUN_MS)})
    cluster = RaftCluster(params, seed, faults=faults)
    cluster.run_until(RUN_MS - CATCH_UP_MS)
    early = cluster.leader()
    committed = early.log[:early.commit_index] if early else []
    cluster.finish()
    broken = [(c.name, c.detail) for c in cluster.monitor.verdicts() if not c.passed]
    assert not broken, (seed, faults, broken)
    # Liveness once the faults are over: one leader, everyone in its term, and every server
    # holding what had been committed a dozen heartbeats before the end. (Not what was committed
    # a moment ago: that needs only a majority, so one follower may trail by a heartbeat.)
    leader = cluster.leader()
    assert leader is not None, (seed, faults, cluster.state())
    assert all(s.current_term == leader.current_term for s in cluster.servers), cluster.state()
    assert [s for s in cluster.servers if s.role == LEADER] == [leader]
    assert committed and all(s.log[:len(committed)] == committed for s in cluster.servers), (
        seed, faults, cluster.state())


def test_a_wrong_majority_shows_up_as_broken_safety():
    impl = LAB.load_impl(None)
    impl.quorum = lambda n: n // 2  # one short of a majority
    r = run("partition", 1, impl=impl)
    broken = {c.name for c in r.checks if not c.passed}
    assert "a minority side never commits" in broken


@pytest.mark.parametrize("override, words", [
    ({"nodes": "1"}, "nodes must be between"),
    ({"election_timeout_ms": "uniform(20,40)"}, "must exceed heartbeat_ms"),
    ({"latency_ms": "uniform(-2,2)"}, "cannot be negative"),
    ({"loss": "1"}, "probability"),
    ({"loss": "-0.1"}, "probability"),
    ({"heal_at_ms": "1000"}, "nothing to heal"),
    ({"partition_at_ms": "3000", "heal_at_ms": "2000"}, "must come after"),
    ({"failed": "0,9"}, "servers are 0..4"),
    ({"partition_at_ms": "100", "minority": "3"}, "minority must be between"),
    ({"duration_ms": "0"}, "duration_ms"),
    ({"crash_leader_at_ms": "99999"}, "inside the run"),
    ({"election_timeout_ms": "gauss(1,2)"}, "unknown distribution"),
])
def test_impossible_parameters_are_refused_with_a_sentence(override, words):
    with pytest.raises(InputError) as e:
        LAB.make_params("default", override)
    assert words in str(e.value)
    assert str(e.value).endswith(".")
