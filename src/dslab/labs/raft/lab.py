"""The Raft lab: its scenarios and its registration as a Lab."""

from __future__ import annotations

from dslab.lab import Card, Experiment, Lab, Scenario
from dslab.labs.raft import rules
from dslab.labs.raft.cluster import RaftCluster
from dslab.labs.raft.params import RaftParams
from dslab.labs.raft.story import story
from dslab.labs.raft.theory import theory
from dslab.labs.raft.view import timeline
from dslab.later import later

# the plots import matplotlib: only when a plot is drawn
plot = later("dslab.labs.raft.plot", "plot")

ELECTION = Experiment(
    name="election",
    help="a Raft cluster on a simulated network: elections, replication, and the scenario's faults",
    params=RaftParams,
    model=RaftCluster,
    theory=theory,
    story=story,
    plot=plot,
    view=timeline,
)

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
    "rejoin": Scenario(
        "cut one follower off alone; it times out again and again, and at the heal its higher "
        "term deposes a healthy leader (with --set pre_vote=true it does not)",
        {"isolate_at_ms": 1500.0, "rejoin_at_ms": 3500.0, "duration_ms": 5000.0},
    ),
    "split-vote": Scenario(
        "timeouts with little randomness against slow links: rounds split again and again",
        {"election_timeout_ms": "uniform(150,160)", "latency_ms": "uniform(10,20)",
         "duration_ms": 3000.0},
    ),
}

LAB: Lab[RaftParams] = Lab(
    name="raft",
    title="Raft leader election",
    summary="elections, split votes and a leader cut off by a partition",
    card=Card(
        title="Consensus: Paxos, Raft, ZAB (deep dive)",
        mastery="Walk through a Raft election and the commit of a log entry step by step, and "
                "say why a quorum has to be a majority.",
    ),
    rules=rules,
    experiments=(ELECTION,),
    scenarios=SCENARIOS,
    indicators=frozenset({"first_election_contested", "first_election_split"}),
    gallery="partition",
)
