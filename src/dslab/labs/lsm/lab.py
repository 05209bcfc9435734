"""The LSM compaction lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Card, Experiment, Lab, Scenario
from dslab.labs.lsm import experiments, rules
from dslab.labs.lsm.params import BloomParams, CompareParams, LsmParams
from dslab.labs.lsm.story import bloom_story, compare_story, story
from dslab.labs.lsm.theory import bloom_theory, compare_theory, theory
from dslab.later import later
from dslab.run import whole

# the plots import matplotlib: only when a plot is drawn
engine_plot = later("dslab.labs.lsm.plot", "engine_plot")
compare_plot = later("dslab.labs.lsm.plot", "compare_plot")
bloom_plot = later("dslab.labs.lsm.plot", "bloom_plot")

ENGINE = Experiment(
    name="engine",
    help="one LSM engine under a write load: memtables, flushes, compactions, stalls and lookups",
    params=LsmParams, model=experiments.EngineRun, theory=theory, story=story, plot=engine_plot,
)
COMPARE = Experiment(
    name="compare",
    help="leveled, tiered and leveled-full on the same writes and seed: the three amplifications",
    params=CompareParams, model=whole(experiments.compare), theory=compare_theory,
    story=compare_story, plot=compare_plot,
)
BLOOM = Experiment(
    name="bloom",
    help="an engine's runs probed with missing keys under filters of 0 to 16 bits per key",
    params=BloomParams, model=whole(experiments.bloom), theory=bloom_theory, story=bloom_story,
    plot=bloom_plot,
)

SCENARIOS = {
    "default": Scenario("leveled compaction under a steady 4 MB/s of writes it keeps up with"),
    "compare": Scenario("leveled, tiered and leveled-full on the same writes: who writes, stores "
                        "and reads more", experiment="compare"),
    "write-stall": Scenario(
        "writes at 20 MB/s against 24 MB/s of compaction: L0 climbs to the slowdown and stop "
        "triggers and writers wait",
        {"write_rate_mb_per_s": 20.0, "compaction_mb_per_s": 24.0, "written_mb": 20.0,
         "delayed_write_rate_mb_per_s": 8.0}),
    "bloom": Scenario("bits per key from 0 to 16: false-positive rate and runs read per lookup of "
                      "a missing key, 100,000 lookups per point", {"written_mb": 10.0},
                      experiment="bloom"),
    "updates": Scenario(
        "90% updates to a hot zipf(1.1) key set: the space obsolete versions hold per strategy",
        {"update_fraction": 0.9, "key_distribution": "zipf(1.1)"}, experiment="compare"),
    "deletes": Scenario(
        "30% deletes: tombstones and the data they shadow hold space until they reach the bottom",
        {"delete_fraction": 0.3, "update_fraction": 0.2, "keys": 20_000, "written_mb": 20.0},
        experiment="compare"),
}

LAB: Lab[LsmParams] = Lab(
    name="lsm",
    title="LSM compaction",
    summary="leveled against tiered: write, read and space amplification, bloom filters, stalls",
    card=Card(
        title="Storage Engines: B-Tree vs LSM-Tree (deep dive)",
        mastery="Explain with measured numbers why an LSM-tree takes writes fast yet rewrites "
                "each byte many times, when leveled or tiered compaction fits a workload, what a "
                "bloom filter saves a lookup, and why an engine that cannot compact as fast as it "
                "ingests first slows and then stops its writers.",
    ),
    rules=rules,
    experiments=(ENGINE, COMPARE, BLOOM),
    scenarios=SCENARIOS,
    gallery="write-stall",
)
