"""The hashing lab behaves as the card says: consistent schemes move only the changed node's keys,
bounded loads respect their cap, hash-mod-N wipes out a cache cluster that the ring barely
notices, and a hot key saturates one node unless bounded loads spread it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.labs.hashing.hashes import stable_hash
from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.rules import load_cap
from dslab.labs.hashing.schemes import SCHEMES, make_scheme

IMPL = LAB.load_impl()
KEYS = [f"key-{i}" for i in range(400)]


def run(scenario: str, seed: int = 1, **overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    return LAB.run(params, seed, scenario=scenario)


# -- invariants over random memberships ----------------------------------------------------------

members = st.lists(st.text("abcdefxyz0123-", min_size=1, max_size=6), min_size=2, max_size=8, unique=True)


@settings(max_examples=40)
@given(members, st.integers(1, 20), st.sampled_from(["ring", "rendezvous", "jump"]), st.data())
def test_consistent_schemes_move_no_key_between_unchanged_nodes(nodes, vnodes, scheme, data):
    s = make_scheme(scheme, nodes[:-1], IMPL, vnodes)
    joining = nodes[-1]
    before = s.place(KEYS)
    s.add(joining)
    after = s.place(KEYS)
    moved = IMPL.moved_keys(before, after)
    assert all(new == joining for _, new in moved.values()), (nodes, scheme, moved)
    # Then someone leaves: any member for the ring and rendezvous, the last bucket for jump.
    leaving = s.members[-1] if scheme == "jump" else data.draw(st.sampled_from(s.members))
    s.remove(leaving)
    again = s.place(KEYS)
    moved = IMPL.moved_keys(after, again)
    assert all(old == leaving for old, _ in moved.values()), (nodes, scheme, leaving, moved)
    assert all(again[k] == after[k] for k in KEYS if after[k] != leaving)


@settings(max_examples=40)
@given(st.integers(1, 12), st.integers(1, 600), st.floats(1.0, 3.0), st.integers(1, 16))
def test_bounded_loads_never_exceed_the_cap(nodes, keys, c, vnodes):
    names = [f"n{i}" for i in range(nodes)]
    s = make_scheme("bounded", names, IMPL, vnodes, c)
    owners = s.place([f"k{i}" for i in range(keys)])
    cap = load_cap(c, keys, nodes)
    assert s.cap == cap and cap >= keys / nodes
    assert max(Counter(owners.values()).values()) <= cap
    assert set(owners.values()) <= set(names)


def test_bounded_loads_fill_to_the_cap_where_the_ring_is_uneven():
    r = run("default", scheme="bounded", vnodes=1)
    cap = r.series["cap"]
    assert max(r.series["loads"]) == cap == load_cap(1.25, 20_000, 5)
    assert r.metrics["load_max_over_mean"] == pytest.approx(r.theory["load_max_over_mean"])
    plain = run("default", vnodes=1)
    assert plain.metrics["load_max_over_mean"] > r.metrics["load_max_over_mean"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_replicas_sit_on_distinct_nodes_owner_first(scheme):
    s = make_scheme(scheme, [f"n{i}" for i in range(6)], IMPL, 8)
    owners = s.place(KEYS)
    for k in KEYS:
        held = s.holders(k, 3)
        assert len(set(held)) == 3 and held[0] == owners[k]
    r = run("add-node", scheme=scheme, replicas=3, keys=2000)
    assert r.ok and "3 distinct holders" in r.checks[0].detail


@settings(max_examples=20)
@given(st.lists(st.text("abc123", min_size=1, max_size=5), min_size=1, max_size=12, unique=True))
def test_rendezvous_scored_as_arrays_agrees_with_the_rule_key_by_key(nodes):
    s = make_scheme("rendezvous", nodes, IMPL)
    assert s.place(KEYS) == {k: s.owner(k) for k in KEYS}


def test_ring_owner_is_the_successor_of_the_key_hash():
    s = make_scheme("ring", ["a", "b", "c"], IMPL, 4)
    for k in KEYS[:50]:
        h = stable_hash(k)
        later = [node for pos, node in s.ring if pos >= h]
        assert s.owner(k) == (later[0] if later else s.ring[0][1])


# -- movement figures ------------------------------------------------------------------------

def test_add_node_moves_one_sixth_on_the_ring_and_five_sixths_under_modulo():
    r = run("add-node", vnodes=256)
    mv = r.series["movement"]
    assert mv["ring"]["moved_fraction"] == pytest.approx(1 / 6, abs=0.03)
    assert mv["modulo"]["moved_fraction"] == pytest.approx(5 / 6, abs=0.01)
    assert mv["modulo"]["moved_between_unchanged"] > 0.6 * 20_000
    for name in ("ring", "rendezvous", "jump"):
        assert mv[name]["moved_between_unchanged"] == 0
        assert mv[name]["moved_with_changed_node"] == mv[name]["moved_keys"]
    assert r.ok and r.metrics["moved_between_unchanged"] == 0


def test_a_leave_moves_only_the_leavers_keys():
    r = run("add-node", change="leave")
    mv = r.series["movement"]
    assert mv["modulo"]["moved_fraction"] == pytest.approx(4 / 5, abs=0.01)
    for name in ("ring", "rendezvous", "jump"):
        assert mv[name]["moved_between_unchanged"] == 0
    assert r.theory["moved_fraction"] == pytest.approx(1 / 5)


# -- the cache cluster -----------------------------------------------------------------------

def test_cache_join_modulo_wipes_out_the_cache_and_the_ring_dips_a_little():
    r = run("cache-join")
    assert r.ok
    ring, modulo = (r.series["runs"][n]["metrics"] for n in ("ring", "modulo"))
    assert modulo["hit_ratio_dip"] < ring["hit_ratio_dip"] - 0.2
    assert ring["hit_ratio_before"] - ring["hit_ratio_dip"] < 0.15
    assert modulo["db_load_peak_per_s"] > 1.5 * ring["db_load_peak_per_s"]
    assert modulo["db_load_peak_per_s"] > 2 * modulo["db_load_before_per_s"]
    # Both recover: by the end the caches hold the new layout.
    assert abs(modulo["hit_ratio_after"] - ring["hit_ratio_after"]) < 0.04
    assert r.metrics == ring


def test_hot_key_saturates_one_ring_node_and_bounded_loads_spread_it():
    r = run("hot-key")
    assert r.ok
    ring, bounded = (r.series["runs"][n]["metrics"] for n in ("ring", "bounded"))
    assert ring["busiest_node_load"] > 1.0 > bounded["busiest_node_load"]
    assert ring["latency_p99_ms"] > 10 * bounded["latency_p99_ms"]
    assert bounded["spilled_fraction"] > 0.05
    assert bounded["hit_ratio"] < ring["hit_ratio"], "spilling trades cache hits for balance"
    assert "saturated" in " ".join(r.story) or "On the same requests" in " ".join(r.story)


def test_a_learner_ring_that_is_modulo_breaks_the_movement_check():
    from pathlib import Path

    mutant = Path(__file__).parent / "mutants" / "modulo_ring.py"
    r = LAB.run(LAB.make_params("cache-join", {"duration_ms": "4000", "change_at_ms": "2000"}), 1,
                impl=LAB.load_impl(mutant))
    broken = [c.name for c in r.checks if not c.passed]
    assert broken == ["consistent schemes move no key between unchanged nodes"]


# -- runs, determinism and the command line ---------------------------------------------------

@pytest.mark.parametrize("scenario", sorted(LAB.scenarios))
def test_every_scenario_runs_its_checks_and_draws(scenario, tmp_path):
    r = run(scenario)
    assert r.ok, [c for c in r.checks if not c.passed]
    assert len(r.checks) == 4 and r.story
    fig = LAB.plot(r)
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_same_seed_same_json_and_another_seed_differs():
    a, b, c = run("add-node", 3), run("add-node", 3), run("add-node", 4)
    assert a.to_json() == b.to_json() and a.to_json() != c.to_json()
    x, y = run("cache-join", 2, duration_ms=4000, change_at_ms=2000), run("cache-join", 2, duration_ms=4000,
                                                                           change_at_ms=2000)
    assert x.to_json() == y.to_json()


def dslab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dslab.cli", *args], capture_output=True, text=True,
                          env=dict(os.environ, COLUMNS="200"), timeout=300)


def test_cli_add_node_json_is_stable_across_processes():
    a, b = dslab("run", "hashing", "--add-node", "--json"), dslab("run", "hashing", "--add-node", "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["scenario"] == "add-node" and data["params"]["change"] == "join"
    assert data["metrics"]["moved_between_unchanged"] == 0
    assert data["theory"]["moved_fraction"] == pytest.approx(1 / 6, abs=1e-6)
    assert all(c["passed"] for c in data["checks"].values())


@pytest.mark.parametrize("args, words", [
    (["--set", "nodes=0"], "nodes must be between 1"),
    (["--set", "scheme=ringg"], "scheme must be one of"),
    (["--set", "c=0.5"], "c must be between 1 and 10"),
    (["--set", "replicas=9"], "replicas must be between 1 and 5"),
    (["--set", "change=leave", "--set", "nodes=1"], "change=leave needs at least 2 nodes"),
    (["--cache-join", "--set", "change_at_ms=30000"], "change_at_ms must fall inside the run"),
    (["--set", "vnode=3"], "Did you mean 'vnodes'?"),
    (["--cache-join", "--set", "change_at_ms=19900"], "must leave a window of window_ms"),
])
def test_bad_input_gets_one_sentence_and_exit_code_2(args, words):
    p = dslab("run", "hashing", *args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert words in p.stderr.replace("\n", " ")
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_cli_run_shows_story_metrics_theory_checks_and_saves_the_plot(tmp_path):
    p = dslab("run", "hashing", "--cache-join", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    for words in ("What happened", "hit_ratio_dip", "theory", "every key has exactly one owner",
                  "✔ held", "Replay this run: dslab run hashing --cache-join --seed 1"):
        assert words in p.stdout, words
    assert (tmp_path / "hashing-cache-join-seed1.png").stat().st_size > 10_000
