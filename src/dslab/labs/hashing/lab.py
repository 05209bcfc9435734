"""The consistent-hashing lab: scenarios, one deterministic run, and its registration as a Lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dslab import params as params_mod
from dslab.impl import overlay
from dslab.lab import Card, Lab, Scenario
from dslab.labs.hashing import rules, studies
from dslab.labs.hashing.params import HashingParams
from dslab.labs.hashing.plot import plot
from dslab.labs.hashing.story import story
from dslab.labs.hashing.theory import theory
from dslab.result import Result

SCENARIOS = {
    "default": Scenario("a ring of 5 nodes with 8 points each: how evenly 20,000 keys spread", {}),
    "vnodes": Scenario("ring spread against points per node, 1 to 256, beside the Beta-share theory",
                       {"study": "vnodes"}),
    "add-node": Scenario("a sixth node joins: the keys each scheme moves, and between which nodes",
                         {"change": "join"}),
    "cache-join": Scenario(
        "a node joins a cache cluster mid-run: hash-mod-N's cache wipe-out against the ring's dip",
        {"study": "cache", "change": "join"}),
    "cache-leave": Scenario("a cache node fails mid-run: who loses their cached keys",
                            {"study": "cache", "change": "leave"}),
    "hot-key": Scenario(
        "a skewed workload whose hottest key overloads one node, and what bounded loads do about it",
        {"study": "cache", "scheme": "bounded", "zipf_s": 1.2, "node_capacity_per_s": 600.0}),
}


def load_impl(path: str | Path | None = None):
    """The reference rules, with the exercise's rules taken from ``path`` if given."""
    return overlay(rules, rules.EXERCISE, path)


def run(params: HashingParams, seed: int = 1, impl: Any = None, scenario: str = "custom") -> Result:
    """One run of ``params`` with ``seed``; ``impl`` supplies the rules (the reference if None)."""
    impl = impl if impl is not None else load_impl()
    study = {"placement": studies.placement, "vnodes": studies.vnodes,
             "cache": studies.cache}[params.study](params, seed, impl)
    th = theory(params)
    return Result(
        lab="hashing",
        scenario=scenario,
        seed=seed,
        params=params_mod.to_dict(params),
        metrics=study.metrics,
        theory=th,
        checks=study.monitor.verdicts(),
        series=study.series,
        story=story(params, study),
    )


LAB = Lab(
    name="hashing",
    title="Consistent hashing",
    summary="placement schemes, virtual nodes, what moves on a join, and a cache cluster's hit ratio",
    card=Card(
        title="Partitioning / Sharding (+ consistent hashing)",
        mastery="Choose a placement scheme and a shard key for a growing cluster, say how uneven it "
                "will be and how much data moves when a node joins or fails, and explain why.",
    ),
    params=HashingParams,
    scenarios=SCENARIOS,
    run=run,
    theory=theory,
    plot=plot,
    rules="dslab.labs.hashing.rules",
    exercise_rules=rules.EXERCISE,
    load_impl=load_impl,
    gallery="cache-join",
)
