"""The checker behind ``dslab check hashing``: your four rules, one behaviour per test.

Each test is named after the rule it checks, and each failure says what your code answered, what
was expected, and why a real cluster cares. The last tests run the lab on your rules: a node joins
a ring you built, and only the newcomer may gain keys.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from dslab.lab import REPO_ROOT
from dslab.labs.hashing import rules
from dslab.labs.hashing.hashes import RING_SIZE, stable_hash
from dslab.labs.hashing.lab import LAB

IMPL_PATH = Path(os.environ.get("DSLAB_IMPL") or Path(__file__).with_name("exercise.py"))

# Fixed examples (derandomize) and no example database: the same verdicts on every run.
# Shrinking finds the smallest failing example to show you; the project's own tests of this
# checker need only the verdicts and leave it out (DSLAB_CHECK_VERDICT_ONLY).
SHRINK = () if os.environ.get("DSLAB_CHECK_VERDICT_ONLY") else (Phase.shrink,)
PHASES = (Phase.explicit, Phase.generate, *SHRINK)
PURE = settings(database=None, deadline=None, derandomize=True, max_examples=120, phases=PHASES)
WHOLE = settings(database=None, deadline=None, derandomize=True, max_examples=25, phases=PHASES)

# Jump hash answers for (key, buckets) that any faithful implementation of the paper's loop gives.
JUMP_KNOWN = {(42, 57): 43, (0xDEAD10CC, 666): 361, (256, 1024): 520, (1, 10): 6, (1, 1000): 549,
              (3, 100): 8, (123456789, 100): 34, (2**63, 1000): 453, (2**64 - 1, 10): 9,
              (10**18, 1000): 827, (0, 1000): 0}


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (so a test sees exactly what the lab sees)."""
    return LAB.load_impl(IMPL_PATH)


def small_ring() -> list[tuple[int, str]]:
    return [(100, "a"), (200, "b"), (300, "c"), (400, "b")]


def names(n: int, prefix: str = "node") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


positions = st.integers(0, RING_SIZE - 1)
rings = st.lists(st.tuples(positions, st.sampled_from("abcde")), min_size=1, max_size=40,
                 unique_by=lambda p: p[0]).map(sorted)


# -- ring_owner ------------------------------------------------------------------------------

def test_ring_owner_picks_the_next_point_clockwise(impl):
    ring = small_ring()
    for h, want in [(150, "b"), (250, "c"), (350, "b"), (101, "b"), (50, "a"), (0, "a")]:
        got = impl.ring_owner(ring, h)
        assert got == want, (
            f"ring_owner({ring}, {h}) = {got!r}: the first point at or after {h} going clockwise "
            f"belongs to {want!r}, so {want!r} owns the key (a ring is not hash-mod-N: a key's owner "
            "depends on where its hash falls between points, not on a remainder)"
        )


def test_ring_owner_counts_a_point_as_its_own(impl):
    ring = small_ring()
    for h, want in [(100, "a"), (200, "b"), (300, "c"), (400, "b")]:
        got = impl.ring_owner(ring, h)
        assert got == want, (
            f"ring_owner({ring}, {h}) = {got!r}: a key hashing exactly onto a point belongs to that "
            f"point's node, {want!r} (the successor rule is 'at or after')"
        )


def test_ring_owner_wraps_around_past_the_last_point(impl):
    ring = small_ring()
    for h in (401, 10**6, RING_SIZE - 1):
        got = impl.ring_owner(ring, h)
        assert got == "a", (
            f"ring_owner({ring}, {h}) = {got!r}: no point lies at or after {h}, so the walk goes round "
            "past the top of the ring to the first point, (100, 'a'); the ring is a circle"
        )


def test_ring_owner_with_one_point_owns_everything(impl):
    for h in (0, 5, 2**63, RING_SIZE - 1):
        got = impl.ring_owner([(2**62, "solo")], h)
        assert got == "solo", f"ring_owner([(2**62, 'solo')], {h}) = {got!r}: a lone node owns every key"


@PURE
@given(rings, positions)
def test_ring_owner_agrees_with_a_walk_round_the_ring(impl, ring, h):
    later = [node for pos, node in ring if pos >= h]
    want = later[0] if later else ring[0][1]
    got = impl.ring_owner(ring, h)
    assert got == want, (
        f"ring_owner({ring}, {h}) = {got!r}, but walking clockwise from {h} the first point belongs "
        f"to {want!r}" + ("" if later else " (after wrapping round past the last point)")
    )


# -- build_ring ------------------------------------------------------------------------------

def test_build_ring_gives_every_node_vnodes_points(impl):
    for nodes, v in [(["a", "b", "c"], 1), (names(5), 8), (names(2), 100)]:
        ring = list(impl.build_ring(nodes, v))
        per_node = Counter(node for _, node in ring)
        assert per_node == {n: v for n in nodes}, (
            f"build_ring({nodes}, {v}) put {dict(per_node)} points per node; each node needs exactly "
            f"{v} points, or it owns more or less of the ring than its share"
        )


def test_build_ring_is_sorted_by_position(impl):
    ring = list(impl.build_ring(names(6), 20))
    assert all(isinstance(pos, int) and 0 <= pos < RING_SIZE for pos, _ in ring), (
        "positions must be integers in [0, 2**64): hash each label with stable_hash"
    )
    assert [pos for pos, _ in ring] == sorted(pos for pos, _ in ring), (
        "build_ring must return the points sorted by position, or a binary search in ring_owner "
        "finds the wrong successor"
    )


def test_build_ring_labels_never_collide(impl):
    for nodes, v in [(["n1", "n11"], 12), (["a", "a1", "a11"], 20), (["node-1", "node-10"], 11)]:
        ring = list(impl.build_ring(nodes, v))
        spots = Counter(pos for pos, _ in ring)
        shared = sorted(pos for pos, k in spots.items() if k > 1)
        assert not shared, (
            f"build_ring({nodes}, {v}) put {len(shared)} points on positions already taken: two virtual "
            "nodes got the same label (e.g. 'n1' + '11' and 'n11' + '1' are both 'n111'). Put a "
            "separator between the node and the number, such as f'{node}#{i}'"
        )


@PURE
@given(st.lists(st.text("ab1", min_size=1, max_size=4), min_size=1, max_size=5, unique=True),
       st.integers(1, 15))
def test_build_ring_labels_never_collide_for_any_names(impl, nodes, v):
    ring = list(impl.build_ring(nodes, v))
    assert len({pos for pos, _ in ring}) == len(nodes) * v, (
        f"build_ring({nodes}, {v}): {len(nodes) * v} virtual nodes but only "
        f"{len({pos for pos, _ in ring})} distinct positions; every (node, i) pair needs a label "
        "of its own"
    )


def test_build_ring_does_not_depend_on_the_order_of_nodes(impl):
    a = list(impl.build_ring(["c", "a", "b"], 10))
    b = list(impl.build_ring(["a", "b", "c"], 10))
    assert a == b, (
        "build_ring(['c', 'a', 'b'], 10) differs from build_ring(['a', 'b', 'c'], 10): clients that "
        "learned of the members in another order would route keys to different nodes"
    )


def _rings_in_fresh_processes(hash_seeds: tuple[str, ...]) -> list[list]:
    """build_ring(['alpha', 'beta', 'gamma'], 4) in one new Python process per hash seed, at once."""
    code = ("import json, sys\nfrom dslab.impl import load_module\n"
            "m = load_module(sys.argv[1])\n"
            "print(json.dumps([list(p) for p in m.build_ring(['alpha', 'beta', 'gamma'], 4)]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(IMPL_PATH.resolve())], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, PYTHONHASHSEED=seed)) for seed in hash_seeds]
    outs = [p.communicate(timeout=120) for p in procs]
    rings = []
    for p, (out, err) in zip(procs, outs, strict=True):
        if "NotImplementedError" in err:
            raise NotImplementedError("not implemented yet")
        assert p.returncode == 0, f"build_ring failed in a fresh process:\n{err[-800:]}"
        rings.append(json.loads(out))
    return rings


def test_build_ring_is_the_same_in_every_process(impl):
    first, second = _rings_in_fresh_processes(("1", "2"))
    here = [list(p) for p in impl.build_ring(["alpha", "beta", "gamma"], 4)]
    assert first == second == here, (
        "build_ring(['alpha', 'beta', 'gamma'], 4) gave different positions in two Python processes: "
        "Python's hash() of a string is salted per process (PYTHONHASHSEED), so two clients would "
        "build two different rings. Hash labels with stable_hash"
    )


def test_build_ring_spreads_the_points(impl):
    ring = list(impl.build_ring(names(10), 100))
    gaps = [(b[0] - a[0]) for a, b in zip(ring, ring[1:], strict=False)]
    largest = max(gaps + [ring[0][0] + RING_SIZE - ring[-1][0]]) / RING_SIZE
    assert largest < 0.02, (
        f"with 1,000 points the largest gap between neighbours is {largest:.1%} of the ring, where "
        "random positions leave well under 1%: the positions are not spread like a hash's"
    )


# -- jump_hash -------------------------------------------------------------------------------

def test_jump_hash_matches_the_published_algorithm(impl):
    for (key, buckets), want in JUMP_KNOWN.items():
        got = impl.jump_hash(key, buckets)
        assert got == want, (
            f"jump_hash({key}, {buckets}) = {got!r}, but the algorithm of Lamping and Veach gives {want}: "
            "check the multiplier 2862933555777941757, the +1, the mod 2**64 and the jump formula; "
            "a client that differs in any of them sends keys where no other client looks"
        )


@PURE
@given(st.integers(0, RING_SIZE - 1), st.integers(1, 5000))
def test_jump_hash_stays_in_range(impl, key, buckets):
    got = impl.jump_hash(key, buckets)
    assert isinstance(got, int) and 0 <= got < buckets, (
        f"jump_hash({key}, {buckets}) = {got!r}: buckets are numbered 0 to {buckets - 1}"
    )


@PURE
@given(st.integers(0, RING_SIZE - 1), st.integers(1, 300))
def test_jump_hash_moves_keys_only_to_the_new_bucket(impl, key, buckets):
    before, after = impl.jump_hash(key, buckets), impl.jump_hash(key, buckets + 1)
    assert after in (before, buckets), (
        f"jump_hash({key}, {buckets}) = {before} but jump_hash({key}, {buckets + 1}) = {after}: adding "
        f"bucket {buckets} may only move a key into it, never between old buckets"
    )


def test_jump_hash_spreads_keys_evenly(impl):
    counts = Counter(impl.jump_hash(stable_hash(f"k{i}"), 10) for i in range(20_000))
    assert set(counts) == set(range(10)) and max(counts.values()) < 2300 and min(counts.values()) > 1700, (
        f"20,000 keys in 10 buckets landed {dict(sorted(counts.items()))}; each bucket should get "
        "about 2,000"
    )


# -- moved_keys ------------------------------------------------------------------------------

def test_moved_keys_lists_each_key_whose_owner_changed(impl):
    before = {"k1": "a", "k2": "b", "k3": "c", "k4": "a"}
    after = {"k1": "a", "k2": "d", "k3": "a", "k4": "a"}
    got = dict(impl.moved_keys(before, after))
    want = {"k2": ("b", "d"), "k3": ("c", "a")}
    assert {k: tuple(v) for k, v in got.items()} == want, (
        f"moved_keys({before}, {after}) = {got}, expected {want}: every key whose owner differs, "
        "with (old owner, new owner), and no key that stayed"
    )


def test_moved_keys_is_empty_when_nothing_moved(impl):
    same = {"k1": "a", "k2": "b"}
    got = impl.moved_keys(same, dict(same))
    assert not got, f"moved_keys({same}, {same}) = {got}: nothing changed owner"
    assert not impl.moved_keys({}, {}), "moved_keys({}, {}) should be empty"


def test_moved_keys_leaves_its_inputs_alone(impl):
    before = {"k1": "a", "k2": "b"}
    after = {"k1": "c", "k2": "b"}
    impl.moved_keys(before, after)
    assert before == {"k1": "a", "k2": "b"} and after == {"k1": "c", "k2": "b"}, (
        "moved_keys changed the mappings it was given; the lab reuses them afterwards"
    )


@PURE
@given(st.dictionaries(st.text("xyz", min_size=1, max_size=3), st.tuples(
    st.sampled_from("abc"), st.sampled_from("abcd"))))
def test_moved_keys_agrees_with_comparing_owners(impl, pairs):
    before = {k: old for k, (old, _) in pairs.items()}
    after = {k: new for k, (_, new) in pairs.items()}
    want = {k: (o, n) for k, (o, n) in pairs.items() if o != n}
    got = {k: tuple(v) for k, v in impl.moved_keys(before, after).items()}
    assert got == want, f"moved_keys({before}, {after}) = {got}, expected {want}"


# -- all four rules in the lab ----------------------------------------------------------------

def shown_impl_path() -> str:
    try:
        return str(IMPL_PATH.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(IMPL_PATH)


memberships = st.tuples(st.lists(st.text("abcdefgh123", min_size=1, max_size=5), min_size=1,
                                 max_size=7, unique=True),
                        st.text("xyz9", min_size=1, max_size=5), st.integers(1, 12))


@WHOLE
@given(memberships)
def test_all_rules_let_a_joining_node_take_keys_only_for_itself(impl, m):
    nodes, newcomer, v = m
    if newcomer in nodes:
        return
    keys = [f"key{i}" for i in range(300)]
    before_ring = list(impl.build_ring(nodes, v))
    after_ring = list(impl.build_ring([*nodes, newcomer], v))
    before = {k: impl.ring_owner(before_ring, stable_hash(k)) for k in keys}
    after = {k: impl.ring_owner(after_ring, stable_hash(k)) for k in keys}
    moved = impl.moved_keys(before, after)
    wrong = {k: tuple(ab) for k, ab in moved.items() if tuple(ab)[1] != newcomer}
    assert not wrong, (
        f"{newcomer!r} joined a ring of {nodes} with {v} points each, and {len(wrong)} keys moved "
        f"between old nodes, e.g. {next(iter(wrong.items()))}: on a ring only the newcomer takes keys"
    )
    truly = rules.moved_keys(before, after)
    assert {k: tuple(ab) for k, ab in moved.items()} == truly, "moved_keys missed or invented a move"


def test_all_rules_run_the_add_node_scenario_safely(impl):
    for seed in (1,):
        result = LAB.run(LAB.make_params("add-node"), seed, impl=impl, scenario="add-node")
        broken = [c for c in result.checks if not c.passed]
        replay = LAB.replay_command("add-node", seed, None, shown_impl_path())
        assert not broken, (
            f"seed {seed} broke '{broken[0].name}': {broken[0].detail}. Replay it with: {replay}"
        )
