"""The consistent-hashing lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Card, Experiment, Lab, Scenario
from dslab.labs.hashing import experiments, rules
from dslab.labs.hashing.params import CacheParams, PlacementParams, RingParams, VnodesParams
from dslab.labs.hashing.story import cache_story, placement_story, vnodes_story
from dslab.labs.hashing.theory import cache_theory, placement_theory, vnodes_theory
from dslab.later import later
from dslab.run import whole

# the plots import matplotlib: only when a plot is drawn
cache_plot = later("dslab.labs.hashing.plot", "cache_plot")
placement_plot = later("dslab.labs.hashing.plot", "placement_plot")
vnodes_plot = later("dslab.labs.hashing.plot", "vnodes_plot")

PLACEMENT = Experiment(
    name="placement",
    help="keys per node under a placement scheme, and what one membership change moves",
    params=PlacementParams, model=whole(experiments.placement), theory=placement_theory,
    story=placement_story, plot=placement_plot,
)
VNODES = Experiment(
    name="vnodes",
    help="the ring's spread against points per node, beside the Beta-share theory",
    params=VnodesParams, model=whole(experiments.vnodes), theory=vnodes_theory,
    story=vnodes_story, plot=vnodes_plot,
)
CACHE = Experiment(
    name="cache",
    help="a cache cluster under skewed traffic: hit ratio, database load and node load",
    params=CacheParams, model=whole(experiments.cache), theory=cache_theory, story=cache_story,
    plot=cache_plot,
)

SCENARIOS = {
    "default": Scenario("a ring of 5 nodes with 8 points each: how evenly 20,000 keys spread"),
    "vnodes": Scenario("ring spread against points per node, 1 to 256, beside the Beta-share theory",
                       experiment="vnodes"),
    "add-node": Scenario("a sixth node joins: the keys each scheme moves, and between which nodes",
                         {"change": "join"}),
    "cache-join": Scenario(
        "a node joins a cache cluster mid-run: hash-mod-N's cache wipe-out against the ring's dip",
        {"change": "join"}, experiment="cache"),
    "cache-leave": Scenario("a cache node fails mid-run: who loses their cached keys",
                            {"change": "leave"}, experiment="cache"),
    "hot-key": Scenario(
        "a skewed workload whose hottest key overloads one node, and what bounded loads do about it",
        {"scheme": "bounded", "zipf_s": 1.2, "node_capacity_per_s": 600.0}, experiment="cache"),
}

LAB: Lab[RingParams] = Lab(
    name="hashing",
    title="Consistent hashing",
    summary="placement schemes, virtual nodes, what moves on a join, and a cache cluster's hit ratio",
    card=Card(
        title="Partitioning / Sharding (+ consistent hashing)",
        mastery="Choose a placement scheme and a shard key for a growing cluster, say how uneven it "
                "will be and how much data moves when a node joins or fails, and explain why.",
    ),
    rules=rules,
    experiments=(PLACEMENT, VNODES, CACHE),
    scenarios=SCENARIOS,
    gallery="cache-join",
)
