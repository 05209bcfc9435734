"""The cache stampede lab: its experiments, scenarios and registration as a Lab."""

from __future__ import annotations

from dslab.lab import Card, Experiment, Lab, Scenario
from dslab.labs.stampede import experiments, rules, theory
from dslab.labs.stampede.params import CacheParams, PolicyParams, XFetchParams
from dslab.labs.stampede.story import policies_story, xfetch_story
from dslab.later import later

# the plots import matplotlib: only when a plot is drawn
policies_plot = later("dslab.labs.stampede.plot", "policies_plot")
xfetch_plot = later("dslab.labs.stampede.plot", "xfetch_plot")

POLICIES = Experiment(
    name="policies",
    help="clients reading through a cache in front of a database; every cache policy on the same "
         "requests",
    params=PolicyParams, model=experiments.policies, theory=theory.policies,
    story=policies_story, plot=policies_plot,
)
XFETCH = Experiment(
    name="xfetch",
    help="XFetch's probabilistic early refresh once per beta, on the same requests",
    params=XFetchParams, model=experiments.xfetch, theory=theory.xfetch,
    story=xfetch_story, plot=xfetch_plot,
)

SCENARIOS = {
    "default": Scenario(
        "one hot key asked 10 times a second whose recomputation takes 3 s, for three simulated "
        "hours (long, so each policy's recomputations per expiry land within about 5% of "
        "theory): no protection recomputes about 31 times per expiry, a lock once, XFetch about "
        "e times",
        {"duration_ms": 10_800_000.0}),
    "herd": Scenario(
        "no protection on a hot key asked 100 times a second, in front of a database already 80% "
        "busy with other queries: each herd queues, the queue outlives the next expiry, the next "
        "herd waits longer and so grows, until the database is swamped; a lock stays at one",
        {"policy": "none,lock", "rate_per_s": 100.0, "ttl_ms": 2000.0,
         "recompute_ms": "const(200)", "db_servers": 10, "db_background_per_s": 40.0,
         "duration_ms": 30_000.0}),
    "xfetch": Scenario(
        "XFetch with beta from 0.5 to 4 on a key asked 20 times a second (a recomputation takes "
        "0.5 s): a larger beta refreshes earlier and more rarely twice",
        {"rate_per_s": 20.0, "recompute_ms": "const(500)", "ttl_ms": 20_000.0,
         "duration_ms": 2_400_000.0},
        experiment="xfetch"),
    "mass-expiry": Scenario(
        "10,000 keys filled at one instant with the same 10 s TTL expire together: the "
        "database's load spikes past its capacity; the same with TTLs jittered by 50% stays under",
        {"policy": "none,ttl-jitter", "keys": 10_000, "rate_per_s": 2500.0, "ttl_ms": 10_000.0,
         "ttl_jitter": 0.5, "recompute_ms": "const(20)", "db_servers": 30,
         "duration_ms": 20_000.0}),
    "hot-key": Scenario(
        "1,000 keys of zipf popularity filled as they are first asked for, the first asked about "
        "80 times a second: a lock cuts its recomputations to one per expiry but its readers "
        "still wait out each one; XFetch refreshes early, so fewer wait (the hot_key_ metrics)",
        {"policy": "none,lock,xfetch", "keys": 1000, "key_distribution": "zipf", "warm_at_ms": "none",
         "rate_per_s": 1000.0, "ttl_ms": 10_000.0, "recompute_ms": "lognormal(100,50)",
         "db_servers": 50, "duration_ms": 60_000.0}),
}

LAB: Lab[CacheParams] = Lab(
    name="stampede",
    title="Cache stampedes",
    summary="a hot key's expiry sending a herd to the database; locks, XFetch and jittered TTLs",
    card=Card(
        title="Caching (deep dive)",
        mastery="Put a cache in front of a read-heavy database and defend it against stampedes "
                "and hot keys: say how many recomputations one expiry of a hot key causes with no "
                "protection, why a lock caps it at one but makes readers wait, how XFetch's "
                "probabilistic early refresh gets close to one without coordination, and why "
                "keys cached at one moment with one TTL expire together (also the cross-cutting "
                "lesson on thundering herds in cascading failures).",
    ),
    rules=rules,
    experiments=(POLICIES, XFETCH),
    scenarios=SCENARIOS,
)
