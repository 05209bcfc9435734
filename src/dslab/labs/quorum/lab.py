"""The quorum lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Boundary, Card, Experiment, Lab, Scenario
from dslab.labs.quorum import experiments, rules, theory
from dslab.labs.quorum.cluster import QuorumCluster
from dslab.labs.quorum.params import QuorumParams, RepairParams, SweepParams
from dslab.labs.quorum.story import pairs_story, repair_story, sweep_story
from dslab.later import later
from dslab.run import whole

# the plots import matplotlib: only when a plot is drawn
pairs_plot = later("dslab.labs.quorum.plot", "pairs_plot")
sweep_plot = later("dslab.labs.quorum.plot", "sweep_plot")
repair_plot = later("dslab.labs.quorum.plot", "repair_plot")

PAIRS = Experiment(
    name="pairs",
    help="N replicas and two clients: each write is followed by a read once it commits",
    params=QuorumParams, model=QuorumCluster, theory=theory.theory, story=pairs_story,
    plot=pairs_plot, boundary=Boundary("R + W > N: quorums overlap", theory.overlap_margin),
)
SWEEP = Experiment(
    name="sweep",
    help="every (R, W) for each N, read off one simulation per N",
    params=SweepParams, model=whole(experiments.sweep), theory=theory.sweep_theory,
    story=sweep_story, plot=sweep_plot,
)
REPAIR = Experiment(
    name="repair",
    help="writes that reach only W replicas, under each repair mechanism on the same seed",
    params=RepairParams, model=whole(experiments.repair), theory=theory.repair_theory,
    story=repair_story, plot=repair_plot,
)

SCENARIOS = {
    "default": Scenario(
        "N=3, R=W=2 on a quiet network: every read after a commit is fresh, and each request "
        "waits for the second-fastest replica"),
    "partial": Scenario(
        "R=W=1 on LinkedIn's disk latencies: how often a read right after commit is fresh, and "
        "how that grows with the read's delay (the t-visibility curve)",
        {"r": 1, "w": 1, "latency_profile": "lnkd-disk", "writes": 10_000,
         "duration_ms": 30_000.0}),
    "tradeoff": Scenario(
        "every (R, W) for N=3 and N=5 on LinkedIn's disk latencies: p99.9 latency against the "
        "chance of a stale read, the frontier a designer picks from",
        {"latency_profile": "lnkd-disk", "writes": 3000, "duration_ms": 15_000.0},
        experiment="sweep"),
    "sloppy": Scenario(
        "nodes 1 and 2 cut off for 3 s: a sloppy quorum keeps accepting writes on stand-ins 3 "
        "and 4, and reads miss acknowledged writes though R+W>N, until the hints come home",
        {"sloppy": True, "partition_at_ms": 3000.0, "heal_at_ms": 6000.0, "hint_ms": 500.0}),
    "clock-skew": Scenario(
        "two clients write one key, one with its clock 100 ms behind: last-writer-wins throws "
        "away acknowledged writes without a word",
        {"clock_skew_ms": 100.0, "keys": 1, "writes": 60, "duration_ms": 3000.0}),
    "crash": Scenario(
        "nodes 0 and 1 down: which (R, W) still serve reads and writes with N=3 and N=5",
        {"down": "0,1", "writes": 300}, experiment="sweep"),
    "repair": Scenario(
        "writes sent to only W=2 of 3 replicas: no repair, read repair, and anti-entropy every "
        "200 ms, and how long until every replica holds each write",
        {"propagation": "quorum-only", "anti_entropy_ms": 200.0, "writes": 500,
         "read_delay_ms": 20.0}, experiment="repair"),
}

LAB: Lab[QuorumParams] = Lab(
    name="quorum",
    title="Quorums: R+W>N, sloppy quorums and stale reads",
    summary="strict and partial quorums, t-visibility, sloppy quorums, LWW under skew, repair",
    card=Card(
        title="Replication",
        mastery="Say what a leaderless store's quorum reads and writes really guarantee and at "
                "what latency: when R+W>N makes a read fresh, when it silently does not (sloppy "
                "quorums, last-writer-wins under clock skew), and how stale R+W<=N reads are, "
                "in numbers.",
    ),
    rules=rules,
    experiments=(PAIRS, SWEEP, REPAIR),
    scenarios=SCENARIOS,
    gallery="partial",
)
