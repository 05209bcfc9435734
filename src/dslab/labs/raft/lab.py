"""The Raft lab: scenarios, one deterministic run, and its registration as a Lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dslab import params as params_mod
from dslab.impl import overlay
from dslab.lab import Card, Lab, Scenario
from dslab.labs.raft import rules
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.measure import leader_loss, metrics, series
from dslab.labs.raft.params import RaftParams
from dslab.labs.raft.plot import plot
from dslab.labs.raft.story import story
from dslab.labs.raft.theory import theory
from dslab.labs.raft.view import timeline
from dslab.result import Result

SCENARIOS = {
    "default": Scenario("elect a leader, replicate client commands, stay steady", {}),
    "partition": Scenario(
        "cut the leader off with one follower, elect a new leader on the majority side, heal",
        {"partition_at_ms": 2000.0, "heal_at_ms": 5000.0, "duration_ms": 7000.0},
    ),
    "crash-leader": Scenario(
        "crash the leader and time the survivors' election (the Raft paper's experiment)",
        {"crash_leader_at_ms": 2000.0, "duration_ms": 4000.0},
    ),
    "split-vote": Scenario(
        "timeouts with little randomness against slow links: rounds split again and again",
        {"election_timeout_ms": "uniform(150,160)", "latency_ms": "uniform(10,20)",
         "duration_ms": 3000.0},
    ),
}


def load_impl(path: str | Path | None = None):
    """The reference rules, with the exercise's rules taken from ``path`` if given."""
    return overlay(rules, rules.EXERCISE, path)


def run(params: RaftParams, seed: int = 1, impl: Any = None, scenario: str = "custom") -> Result:
    """One run of ``params`` with ``seed``; ``impl`` supplies the rules (the reference if None)."""
    cluster = RaftCluster(params, seed, impl)
    cluster.finish()
    return result_of(cluster, scenario)


def result_of(cluster: RaftCluster, scenario: str = "custom") -> Result:
    """The Result of a cluster that has run (to its end, or as far as a notebook stepped it)."""
    mt = metrics(cluster)
    return Result(
        lab="raft",
        scenario=scenario,
        seed=cluster.seed,
        params=params_mod.to_dict(cluster.params),
        metrics=mt,
        theory=theory(cluster.params),
        checks=cluster.monitor.verdicts(),
        series=series(cluster),
        story=story(cluster, mt, leader_loss(cluster)),
    )


LAB = Lab(
    name="raft",
    title="Raft leader election",
    summary="elections, split votes and a leader cut off by a partition",
    card=Card(
        title="Consensus: Paxos, Raft, ZAB (deep dive)",
        mastery="Walk through a Raft election and the commit of a log entry step by step, and "
                "say why a quorum has to be a majority.",
    ),
    params=RaftParams,
    scenarios=SCENARIOS,
    run=run,
    theory=theory,
    plot=plot,
    rules="dslab.labs.raft.rules",
    exercise_rules=rules.EXERCISE,
    load_impl=load_impl,
    view=timeline,
    indicators=frozenset({"first_election_contested", "first_election_split"}),
    gallery="partition",
)
