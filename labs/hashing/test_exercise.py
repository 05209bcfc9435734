"""The checker behind ``dslab check hashing``: your four rules, one behaviour per test.

Each test is named after the rule it checks, and each failure says what your code answered, what
was expected, and why a real cluster cares. The last tests run the lab on your rules: a node joins
a ring you built, and only the newcomer may gain keys.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.check import NOT_YET
from dslab.exercise_support import (
    Calls,
    checker_settings,
    exercise_path,
    learner_rules,
    shown_call,
    shown_path,
    type_name,
)
from dslab.labs.hashing import rules
from dslab.labs.hashing.hashes import RING_SIZE, stable_hash
from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.theory import ring_share_cv

IMPL_PATH = exercise_path(__file__)

# The same examples on every run (dslab.exercise_support.checker_settings says how).
PURE = checker_settings(max_examples=120)
WHOLE = checker_settings(max_examples=25)

# Jump hash answers for (key, buckets) that any faithful implementation of the paper's loop gives.
JUMP_KNOWN = {(42, 57): 43, (0xDEAD10CC, 666): 361, (256, 1024): 520, (1, 10): 6, (1, 1000): 549,
              (3, 100): 8, (123456789, 100): 34, (2**63, 1000): 453, (2**64 - 1, 10): 9,
              (10**18, 1000): 827, (0, 1000): 0, (42, 10**6): 153897, (7, 10**9): 675735628,
              (2**64 - 1, 2**32): 2680453518}
# With 10**15 buckets, (b + 1) * 2**31 no longer fits a float's 53 bits: computing the jump in
# exact integers (//) instead of the paper's floating point lands these keys one bucket away.
JUMP_FLOAT = {(17, 10**15): 729061437149684, (26, 10**15): 994820957602237,
              (29, 10**15): 628216961230254}

#: Each call of a rule may take 1 s, where a right answer takes microseconds: a call that runs this
#: long is a loop that never ends.
CALLS = Calls(1.0, "microseconds")


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (each answer checked as in a run)."""
    return learner_rules(LAB, IMPL_PATH)


def short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + " ...]"


def call(impl, rule: str, *args):
    """``impl.<rule>(*args)``; if it raises (a stub's NotImplementedError aside) or never ends,
    the test fails with a sentence that names the rule and the call, not a bare traceback."""
    hang = " (in jump_hash, j must grow on every step)" if rule == "jump_hash" else ""
    return CALLS(rule, shown_call(rule, args, show=short), getattr(impl, rule), *args,
                 expected="an answer for every input its docstring allows", hang=hang)


def node_of(impl, ring, key_hash) -> str:
    """ring_owner's answer, which must be a node name (a str) before it can be right."""
    got = call(impl, "ring_owner", ring, key_hash)
    assert isinstance(got, str), (
        f"ring_owner(..., {key_hash}) returned a {type_name(got)} ({short(got)}), not a node name: "
        "return the node of the point you found (point[1]), a str"
    )
    return got


def bucket_of(impl, key, buckets) -> int:
    """jump_hash's answer, which must be a whole number (an int) in range(buckets)."""
    got = call(impl, "jump_hash", key, buckets)
    assert isinstance(got, numbers.Integral) and not isinstance(got, bool), (
        f"jump_hash({key}, {buckets}) returned a {type_name(got)} ({got!r}), not an int: a bucket "
        "is an index into the list of nodes, so return the whole number b (int(...) or math.floor "
        "gives one; // on floats gives a float)"
    )
    return got


def moves_of(impl, before, after) -> dict:
    """moved_keys's answer as ``{key: (old, new)}``, once its shape is right."""
    got = call(impl, "moved_keys", before, after)
    assert isinstance(got, Mapping), (
        f"moved_keys({before}, {after}) returned a {type_name(got)} ({short(got)}), not a dict: "
        "return {key: (old owner, new owner)} for each key that moved"
    )
    for k, v in got.items():
        assert isinstance(v, (tuple, list)) and len(v) == 2, (
            f"moved_keys({before}, {after}) gave {k!r}: {v!r}, a {type_name(v)}; each moved key "
            "needs the pair (old owner, new owner)"
        )
    return {k: tuple(v) for k, v in got.items()}


def ring_of(impl, nodes, vnodes) -> list[tuple[int, str]]:
    """build_ring's answer as a list of (position, node), once each point's types are right."""
    got = call(impl, "build_ring", nodes, vnodes)
    try:
        ring = [tuple(p) for p in got]
    except TypeError:
        raise AssertionError(f"build_ring({nodes}, {vnodes}) returned a {type_name(got)}, not a "
                             "list of (position, node) pairs") from None
    for p in ring:
        assert len(p) == 2, (
            f"build_ring({nodes}, {vnodes}) gave the point {p!r}; each point is a pair (position, node)"
        )
        pos, node = p
        assert isinstance(pos, int) and not isinstance(pos, bool), (
            f"build_ring({nodes}, {vnodes}) gave a position of type {type_name(pos)} ({pos!r}): "
            "positions are Python ints in [0, 2**64), straight from stable_hash"
        )
        assert isinstance(node, str), (
            f"build_ring({nodes}, {vnodes}) gave the point {p!r}, whose node is a {type_name(node)}: "
            "the second item of each point is the node's name, as given"
        )
    return ring


def shares(ring) -> dict[str, float]:
    """Each node's share of the ring: a point owns the arc from the point before it up to itself."""
    out: dict[str, float] = {}
    prev = ring[-1][0] - RING_SIZE
    for pos, node in ring:
        out[node] = out.get(node, 0.0) + (pos - prev) / RING_SIZE
        prev = pos
    return out


class CountingRing(list):
    """A ring (a list) that counts how many of its points a lookup reads."""

    reads = 0

    def __getitem__(self, i):
        got = super().__getitem__(i)
        CountingRing.reads += len(got) if isinstance(i, slice) else 1
        return got

    def __iter__(self):
        CountingRing.reads += len(self)
        return super().__iter__()


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
        got = node_of(impl, ring, h)
        assert got == want, (
            f"ring_owner({ring}, {h}) = {got!r}: the first point at or after {h} going clockwise "
            f"belongs to {want!r}, so {want!r} owns the key (a ring is not hash-mod-N: a key's owner "
            "depends on where its hash falls between points, not on a remainder)"
        )


def test_ring_owner_counts_a_point_as_its_own(impl):
    ring = small_ring()
    for h, want in [(100, "a"), (200, "b"), (300, "c"), (400, "b")]:
        got = node_of(impl, ring, h)
        assert got == want, (
            f"ring_owner({ring}, {h}) = {got!r}: a key hashing exactly onto a point belongs to that "
            f"point's node, {want!r} (the successor rule is 'at or after')"
        )


def test_ring_owner_wraps_around_past_the_last_point(impl):
    ring = small_ring()
    for h in (401, 10**6, RING_SIZE - 1):
        got = node_of(impl, ring, h)
        assert got == "a", (
            f"ring_owner({ring}, {h}) = {got!r}: no point lies at or after {h}, so the walk goes round "
            "past the top of the ring to the first point, (100, 'a'); the ring is a circle"
        )


def test_ring_owner_with_one_point_owns_everything(impl):
    for h in (0, 5, 2**63, RING_SIZE - 1):
        got = node_of(impl, [(2**62, "solo")], h)
        assert got == "solo", f"ring_owner([(2**62, 'solo')], {h}) = {got!r}: a lone node owns every key"


def test_ring_owner_at_the_ends_of_the_hash_space(impl):
    # Points at position 0 and at 2**64 - 1, the smallest and largest hashes there are.
    ring = [(0, "low"), (2**63, "mid"), (RING_SIZE - 1, "top")]
    for h, want in [(0, "low"), (1, "mid"), (2**63, "mid"), (2**63 + 1, "top"), (RING_SIZE - 1, "top")]:
        got = node_of(impl, ring, h)
        assert got == want, (
            f"ring_owner({ring}, {h}) = {got!r}, expected {want!r}: positions run from 0 to 2**64 - 1 "
            "and both ends are ordinary positions (a point at 0 is a point, even though 0 is falsy; "
            "keep the full 64 bits, no signed or float conversion)"
        )


@pytest.fixture(scope="module")
def own_reads():
    """Your rules alone, unwatched: a test that counts the ring's reads counts only yours (a run's
    check of each answer reads the ring too)."""
    return LAB.load_impl(IMPL_PATH)


def test_ring_owner_uses_a_binary_search(own_reads):
    impl = own_reads
    ring = CountingRing(rules.build_ring(names(64), 64))  # 4,096 points
    budget = 3 * math.ceil(math.log2(len(ring))) + 10
    for k in range(40):
        h = stable_hash(f"lookup{k}")
        CountingRing.reads = 0
        got = node_of(impl, ring, h)
        reads = CountingRing.reads
        assert reads <= budget, (
            f"ring_owner read {reads} points of a {len(ring)}-point ring to answer one lookup, where "
            f"a binary search reads about {math.ceil(math.log2(len(ring)))}: the lab asks millions of "
            "times, so bisect the ring itself, e.g. bisect_left(ring, key_hash, key=lambda p: p[0]) "
            "(building a list of every position on each call is a scan too)"
        )
        want = rules.ring_owner(ring, h)
        assert got == want, f"ring_owner(<{len(ring)} points>, {h}) = {got!r}, expected {want!r}"


@PURE
@given(rings, positions)
def test_ring_owner_agrees_with_a_walk_round_the_ring(impl, ring, h):
    later = [node for pos, node in ring if pos >= h]
    want = later[0] if later else ring[0][1]
    got = node_of(impl, ring, h)
    assert got == want, (
        f"ring_owner({ring}, {h}) = {got!r}, but walking clockwise from {h} the first point belongs "
        f"to {want!r}" + ("" if later else " (after wrapping round past the last point)")
    )


# -- build_ring ------------------------------------------------------------------------------

def test_build_ring_gives_integer_positions_and_node_names(impl):
    ring = ring_of(impl, names(6), 20)
    outside = [pos for pos, _ in ring if not 0 <= pos < RING_SIZE]
    assert not outside, (
        f"build_ring(..., 20) gave the position {outside[0]}, outside [0, 2**64): hash each label "
        "with stable_hash and use its value as it is"
    )


def test_build_ring_gives_every_node_vnodes_points(impl):
    for nodes, v in [(["a", "b", "c"], 1), (names(5), 8), (names(2), 100), (["solo"], 1)]:
        ring = ring_of(impl, nodes, v)
        per_node = Counter(node for _, node in ring)
        assert per_node == {n: v for n in nodes}, (
            f"build_ring({nodes}, {v}) put {dict(per_node)} points per node; each node needs exactly "
            f"{v} points, or it owns more or less of the ring than its share"
        )


def test_build_ring_is_sorted_by_position(impl):
    ring = ring_of(impl, names(6), 20)
    assert [pos for pos, _ in ring] == sorted(pos for pos, _ in ring), (
        "build_ring must return the points sorted by position, or a binary search in ring_owner "
        "finds the wrong successor"
    )


def points(k: int) -> str:
    return f"{k} point" + ("" if k == 1 else "s")


def _collisions(impl, nodes, v) -> list[int]:
    spots = Counter(pos for pos, _ in ring_of(impl, nodes, v))
    return sorted(pos for pos, k in spots.items() if k > 1)


def test_build_ring_labels_never_collide(impl):
    for nodes, v in [(["n1", "n11"], 12), (["a", "a1", "a11"], 20), (["node-1", "node-10"], 11)]:
        shared = _collisions(impl, nodes, v)
        assert not shared, (
            f"build_ring({nodes}, {v}) put {points(len(shared))} on positions already taken: two virtual "
            "nodes got the same label (e.g. 'n1' + '11' and 'n11' + '1' are both 'n111'). Put a "
            "separator between the node and the number, such as f'{node}#{i}'"
        )


def test_build_ring_labels_never_collide_for_names_starting_with_digits(impl):
    for nodes, v in [(["1", "11"], 12), (["a", "1a", "11a"], 12), (["7", "17", "717"], 20)]:
        shared = _collisions(impl, nodes, v)
        assert not shared, (
            f"build_ring({nodes}, {v}) put {points(len(shared))} on positions already taken: with node "
            "names that start with digits, a label of the number then the name is ambiguous "
            "(point 1 of '11a' and point 11 of '1a' are both '111a'). Put a separator that no number "
            "contains between the two, such as f'{node}#{i}'"
        )


def test_build_ring_labels_never_collide_from_100_vnodes_up(impl):
    for nodes, v in [(["n1", "n11"], 120), (["a", "a1"], 150)]:
        shared = _collisions(impl, nodes, v)
        assert not shared, (
            f"build_ring({nodes}, {v}) put {points(len(shared))} on positions already taken: from point "
            "100 on, a number padded to two digits has three, so 'n1' + '101' and 'n11' + '01' are "
            "both 'n1101'. Put a separator between the node and the number, such as f'{node}#{i}'"
        )


@PURE
@given(st.lists(st.text("ab1", min_size=1, max_size=4), min_size=1, max_size=5, unique=True),
       st.integers(1, 15))
def test_build_ring_labels_never_collide_for_any_names(impl, nodes, v):
    ring = ring_of(impl, nodes, v)
    assert len({pos for pos, _ in ring}) == len(nodes) * v, (
        f"build_ring({nodes}, {v}): {len(nodes) * v} virtual nodes but only "
        f"{len({pos for pos, _ in ring})} distinct positions; every (node, i) pair needs a label "
        "of its own"
    )


def test_build_ring_does_not_depend_on_the_order_of_nodes(impl):
    a = ring_of(impl, ["c", "a", "b"], 10)
    b = ring_of(impl, ["a", "b", "c"], 10)
    assert a == b, (
        "build_ring(['c', 'a', 'b'], 10) differs from build_ring(['a', 'b', 'c'], 10): clients that "
        "learned of the members in another order would route keys to different nodes"
    )


#: Run in a fresh process: build the ring and write it (not print it: your prints stay yours) to
#: the file named by the second argument.
_CHILD = """\
import json, sys
from dslab.impl import load_module
try:
    ring = load_module(sys.argv[1]).build_ring(['alpha', 'beta', 'gamma'], 4)
    answer = {'ring': [[int(p), str(n)] for p, n in ring]}
except NotImplementedError:
    answer = {'not_implemented': True}
except Exception as e:
    answer = {'error': f'{type(e).__name__}: {e}'}
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    json.dump(answer, f)
"""


def _rings_in_fresh_processes(hash_seeds: tuple[str, ...], tmp: Path) -> list[list]:
    """build_ring(['alpha', 'beta', 'gamma'], 4) in one new Python process per hash seed, at once."""
    outs = [tmp / f"ring-{seed}.json" for seed in hash_seeds]
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(IMPL_PATH.resolve()), str(out)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed))
             for seed, out in zip(hash_seeds, outs, strict=True)]
    try:
        errs = [p.communicate(timeout=120)[1] for p in procs]
    finally:  # stopped by a time limit, say: no process is left behind
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    rings = []
    for out, err in zip(outs, errs, strict=True):
        assert out.is_file(), (
            f"build_ring(['alpha', 'beta', 'gamma'], 4) could not run in a fresh Python process: "
            f"{err.strip().splitlines()[-1] if err.strip() else 'it stopped without a word'}"
        )
        answer = json.loads(out.read_text(encoding="utf-8"))
        if answer.get("not_implemented"):
            raise NotImplementedError(NOT_YET)
        assert "error" not in answer, (
            f"build_ring(['alpha', 'beta', 'gamma'], 4) raised {answer.get('error')} in a fresh "
            "Python process"
        )
        rings.append(answer["ring"])
    return rings


def test_build_ring_is_the_same_in_every_process(impl, tmp_path):
    here = [list(p) for p in ring_of(impl, ["alpha", "beta", "gamma"], 4)]  # here first: it is timed
    first, second = _rings_in_fresh_processes(("1", "2"), tmp_path)
    assert first == second == here, (
        "build_ring(['alpha', 'beta', 'gamma'], 4) gave different positions in two Python processes: "
        "Python's hash() of a string is salted per process (PYTHONHASHSEED), so two clients would "
        "build two different rings. Hash labels with stable_hash"
    )


def test_build_ring_spreads_the_points(impl):
    ring = ring_of(impl, names(10), 100)
    gaps = [(b[0] - a[0]) for a, b in zip(ring, ring[1:], strict=False)]
    largest = max(gaps + [ring[0][0] + RING_SIZE - ring[-1][0]]) / RING_SIZE
    assert largest < 0.02, (
        f"with 1,000 points the largest gap between neighbours is {largest:.1%} of the ring, where "
        "random positions leave well under 1%: the positions are not spread like a hash's"
    )


def test_build_ring_balances_the_load(impl):
    n, v = 20, 100
    share = shares(ring_of(impl, names(n), v))
    mean = 1 / n
    cv = statistics.pstdev(share.values()) / mean
    theory = ring_share_cv(n, v)
    top = max(share.values()) / mean
    assert cv < 2.5 * theory and top < 2.0, (
        f"with {n} nodes of {v} points each, the nodes' shares of the ring vary by {cv:.0%} where "
        f"hashed points give about {theory:.0%} (the busiest owns {top:.1f}x the average): hash "
        "every label on its own; points placed by a formula (node hash + i * RING_SIZE // vnodes) "
        "are shifted copies, so virtual nodes stop evening out the load"
    )


# -- jump_hash -------------------------------------------------------------------------------

def test_jump_hash_returns_an_integer(impl):
    for key, buckets in [(42, 57), (1, 10), (2**64 - 1, 1000)]:
        bucket_of(impl, key, buckets)


def test_jump_hash_matches_the_published_algorithm(impl):
    for (key, buckets), want in JUMP_KNOWN.items():
        got = bucket_of(impl, key, buckets)
        assert got == want, (
            f"jump_hash({key}, {buckets}) = {got!r}, but the algorithm of Lamping and Veach gives {want}: "
            "check the multiplier 2862933555777941757, the +1, the mod 2**64 and the jump formula; "
            "a client that differs in any of them sends keys where no other client looks"
        )


def test_jump_hash_with_one_bucket_is_always_0(impl):
    for key in (0, 1, 42, 2**63, 2**64 - 1, *(stable_hash(f"k{i}") for i in range(20))):
        got = bucket_of(impl, key, 1)
        assert got == 0, (
            f"jump_hash({key}, 1) = {got!r}: with one bucket every key is in bucket 0. The loop runs "
            "while j < buckets (strictly): a jump that lands exactly on buckets is already past the end"
        )


def test_jump_hash_computes_the_jump_in_floating_point(impl):
    for (key, buckets), want in JUMP_FLOAT.items():
        got = bucket_of(impl, key, buckets)
        assert got == want, (
            f"jump_hash({key}, {buckets}) = {got!r}, but the paper's loop gives {want}: compute the "
            "jump in floating point, (b + 1) * (float(1 << 31) / float((key >> 33) + 1)); exact "
            "integer division (//) rounds differently once (b + 1) * 2**31 passes 2**53"
        )


@PURE
@given(st.integers(0, RING_SIZE - 1), st.integers(1, 5000))
def test_jump_hash_stays_in_range(impl, key, buckets):
    got = bucket_of(impl, key, buckets)
    assert 0 <= got < buckets, (
        f"jump_hash({key}, {buckets}) = {got!r}: buckets are numbered 0 to {buckets - 1}"
    )


@PURE
@given(st.integers(0, RING_SIZE - 1), st.integers(1, 300))
def test_jump_hash_moves_keys_only_to_the_new_bucket(impl, key, buckets):
    before, after = bucket_of(impl, key, buckets), bucket_of(impl, key, buckets + 1)
    assert after in (before, buckets), (
        f"jump_hash({key}, {buckets}) = {before} but jump_hash({key}, {buckets + 1}) = {after}: adding "
        f"bucket {buckets} may only move a key into it, never between old buckets"
    )


def test_jump_hash_spreads_keys_evenly(impl):
    keys = [stable_hash(f"k{i}") for i in range(20_000)]
    counts = Counter(bucket_of(impl, k, 10) for k in keys)
    assert set(counts) == set(range(10)) and max(counts.values()) < 2300 and min(counts.values()) > 1700, (
        f"20,000 keys in 10 buckets landed {dict(sorted(counts.items()))}; each bucket should get "
        "about 2,000"
    )


# -- moved_keys ------------------------------------------------------------------------------

def test_moved_keys_lists_each_key_whose_owner_changed(impl):
    before = {"k1": "a", "k2": "b", "k3": "c", "k4": "a"}
    after = {"k1": "a", "k2": "d", "k3": "a", "k4": "a"}
    got = moves_of(impl, before, after)
    want = {"k2": ("b", "d"), "k3": ("c", "a")}
    assert got == want, (
        f"moved_keys({before}, {after}) = {got}, expected {want}: every key whose owner differs, "
        "with (old owner, new owner), and no key that stayed"
    )


def test_moved_keys_is_empty_when_nothing_moved(impl):
    same = {"k1": "a", "k2": "b"}
    got = moves_of(impl, same, dict(same))
    assert not got, f"moved_keys({same}, {same}) = {got}: nothing changed owner"
    assert not moves_of(impl, {}, {}), "moved_keys({}, {}) should be empty"


def test_moved_keys_compares_owners_by_value(impl):
    # Equal names built separately are equal strings but not the same object.
    before = {"k1": "".join(["node", "-17"]), "k2": "".join(["node", "-3"])}
    after = {"k1": "node-" + str(17), "k2": "node-" + str(4)}
    assert before["k1"] == after["k1"] and before["k1"] is not after["k1"]
    got = moves_of(impl, before, after)
    want = {"k2": ("node-3", "node-4")}
    assert got == want, (
        "moved_keys counted an owner named 'node-17' before and after as a move: equal names built "
        "separately are the same owner, so compare owners with != (equality), not 'is not' "
        f"(identity). moved_keys({before}, {after}) = {got}, expected {want}"
    )


def test_moved_keys_leaves_its_inputs_alone(impl):
    before = {"k1": "a", "k2": "b"}
    after = {"k1": "c", "k2": "b"}
    moves_of(impl, before, after)
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
    got = moves_of(impl, before, after)
    assert got == want, f"moved_keys({before}, {after}) = {got}, expected {want}"


# -- all four rules in the lab ----------------------------------------------------------------

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
    before_ring = ring_of(impl, nodes, v)
    after_ring = ring_of(impl, [*nodes, newcomer], v)
    before = {k: node_of(impl, before_ring, stable_hash(k)) for k in keys}
    after = {k: node_of(impl, after_ring, stable_hash(k)) for k in keys}
    moved = moves_of(impl, before, after)
    wrong = {k: ab for k, ab in moved.items() if ab[1] != newcomer}
    assert not wrong, (
        f"{newcomer!r} joined a ring of {nodes} with {v} points each, and {len(wrong)} keys moved "
        f"between old nodes, e.g. {next(iter(wrong.items()))}: on a ring only the newcomer takes keys"
    )
    truly = rules.moved_keys(before, after)
    assert moved == truly, "moved_keys missed or invented a move"


def test_all_rules_run_the_add_node_scenario_safely(impl):
    for seed in (1,):
        replay = LAB.replay_command("add-node", seed, None, shown_path(IMPL_PATH))
        # One small call of each rule first: a rule that never ends shows here in a second.
        ring = ring_of(impl, ["a", "b"], 2)
        node_of(impl, ring, 1 << 63)
        bucket_of(impl, 42, 57)
        moves_of(impl, {"k": "a"}, {"k": "b"})
        try:
            result = LAB.run(LAB.make_params("add-node"), seed, impl=impl, scenario="add-node")
        except NotImplementedError:
            raise
        except Exception as e:
            raise AssertionError(f"seed {seed}: your rules raised {type(e).__name__}: {e}. Replay it "
                                 f"with: {replay}") from None
        broken = [c for c in result.checks if not c.passed]
        assert not broken, (
            f"seed {seed} broke '{broken[0].name}': {broken[0].detail}. Replay it with: {replay}"
        )
