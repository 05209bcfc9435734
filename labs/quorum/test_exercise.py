"""The checker behind ``dslab check quorum``: your five rules, one behaviour per test.

Each failure says what your code did and what was expected. The expected values are worked out
here independently: strictness and p_s by counting replica sets one by one, the read's answer
and the repair targets from the definition, the sloppy list by walking the preference list. The
last tests run the whole lab on your rules, under generated faults, and ask every safety check
to hold.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import math
import numbers
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.exercise_support import (
    Calls,
    checker_settings,
    described,
    exercise_path,
    fail,
    learner_rules,
)
from dslab.labs.quorum.lab import LAB
from dslab.labs.quorum.rules import Response, Version

IMPL_PATH = exercise_path(__file__)
PURE = checker_settings(max_examples=100)
WHOLE = checker_settings(max_examples=6)
CALLS = Calls(None)


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (what the lab itself will call)."""
    return learner_rules(LAB, IMPL_PATH)


def call(impl, rule: str, *args):
    shown = f"{rule}({', '.join(map(repr, args))})"
    return CALLS(rule, shown, getattr(impl, rule), *args)


def as_bool(what: str, got) -> bool:
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, numbers.Integral) and got in (0, 1)):
        return bool(got)
    fail(f"{what} returned {described(got)}, expected True or False")


def replay(seed: int, over: dict[str, str], scenario: str = "default") -> str:
    sets = " ".join(f"--set {k}={v}" for k, v in over.items())
    flag = "" if scenario == "default" else f" --{scenario}"
    return f"dslab run quorum{flag} {sets} --impl exercise.py --seed {seed}"


# -- is_strict_quorum ------------------------------------------------------------------------------

def overlap_always(n: int, r: int, w: int) -> bool:
    """Does every r-set meet every w-set? Tried set by set (n is small here)."""
    everyone = range(n)
    return all(set(a) & set(b) for a in combinations(everyone, r) for b in combinations(everyone, w))


def test_is_strict_quorum_needs_more_than_n_not_just_n(impl):
    for n, r, w, want in ((3, 2, 2, True), (3, 1, 2, False), (3, 2, 1, False), (4, 2, 2, False),
                          (5, 3, 3, True), (5, 2, 3, False), (1, 1, 1, True)):
        got = as_bool(f"is_strict_quorum({n}, {r}, {w})", call(impl, "is_strict_quorum", n, r, w))
        assert got == want, (
            f"is_strict_quorum({n}, {r}, {w}) returned {got}, expected {want}: with R+W = "
            f"{r + w} against N = {n}, " + (
                "every read set shares a replica with every write set" if want else
                f"a read can pick {r} replicas that the write's {w} missed (R+W = N is not "
                "enough: the overlap needs R+W > N)"))


@PURE
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n),
                                                      st.integers(1, n))))
def test_is_strict_quorum_matches_every_read_meeting_every_write(impl, nrw):
    n, r, w = nrw
    got = as_bool(f"is_strict_quorum({n}, {r}, {w})", call(impl, "is_strict_quorum", n, r, w))
    want = overlap_always(n, r, w)
    assert got == want, (f"is_strict_quorum({n}, {r}, {w}) returned {got}, but trying every read "
                         f"set against every write set says {want}")


# -- stale_probability -----------------------------------------------------------------------------

def missed_share(n: int, r: int, w: int) -> float:
    """The share of r-sets that miss replicas 0 .. w-1, counted set by set."""
    sets = list(combinations(range(n), r))
    return sum(1 for s in sets if min(s) >= w) / len(sets)


def probability(impl, n, r, w) -> float:
    got = call(impl, "stale_probability", n, r, w)
    if isinstance(got, bool) or not isinstance(got, numbers.Real) or not math.isfinite(got):
        fail(f"stale_probability({n}, {r}, {w}) returned {described(got)}, expected a probability")
    return float(got)


def test_stale_probability_of_fixed_quorums(impl):
    for n, r, w, want, why in (
            (3, 1, 1, 2 / 3, "the read picks one of the two replicas the write missed"),
            (3, 2, 2, 0.0, "R+W > N: every read meets the write"),
            (5, 1, 2, 3 / 5, "one read replica out of five, three of them without the write"),
            (5, 2, 1, 6 / 10, "C(4,2) of the C(5,2) read pairs avoid the one written replica"),
            (5, 3, 1, 4 / 10, "C(4,3) of the C(5,3) read triples avoid it"),
            (6, 1, 3, 1 / 2, "one read replica, half of them without the write")):
        got = probability(impl, n, r, w)
        assert math.isclose(got, want, abs_tol=1e-9), (
            f"stale_probability({n}, {r}, {w}) returned {got:.6g}, expected {want:.6g}: {why}. "
            "p_s = C(N-W, R) / C(N, R): read sets inside the N-W replicas without the write, over "
            "all read sets (both counts choose R replicas)")


@PURE
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n),
                                                      st.integers(1, n))))
def test_stale_probability_matches_counting_read_sets(impl, nrw):
    n, r, w = nrw
    got = probability(impl, n, r, w)
    want = missed_share(n, r, w)
    assert math.isclose(got, want, abs_tol=1e-9), (
        f"stale_probability({n}, {r}, {w}) returned {got:.6g}, but counting the read sets that "
        f"miss all {w} written replicas gives {want:.6g}")


# -- resolve ---------------------------------------------------------------------------------------

V_OLD, V_NEW = Version(10.0, 1, 9), Version(20.0, 0, 2)  # the older has the larger writer and value


def answer(impl, responses):
    got = call(impl, "resolve", responses)
    if got is not None and not (isinstance(got, tuple) and len(got) == 3):
        fail(f"resolve({responses!r}) returned {described(got)}, expected a Version or None")
    return None if got is None else Version(*got)


def test_resolve_returns_the_newest_not_the_first(impl):
    responses = [Response(0, V_OLD), Response(1, V_NEW)]
    got = answer(impl, responses)
    assert got == V_NEW, (
        f"resolve({responses!r}) returned {got!r}, expected {V_NEW!r}: the read returns the "
        "newest version among the responses, not the first to arrive")


def test_resolve_breaks_timestamp_ties_by_writer_then_value_not_arrival(impl):
    a, b = Version(5.0, 0, 9), Version(5.0, 1, 3)
    c = Version(5.0, 1, 4)
    for responses, want in (([Response(0, b), Response(1, a)], b),
                            ([Response(0, a), Response(1, b)], b),
                            ([Response(2, c), Response(0, b)], c),
                            ([Response(0, b), Response(2, c)], c)):
        got = answer(impl, responses)
        assert got == want, (
            f"resolve({responses!r}) returned {got!r}, expected {want!r}: on equal timestamps "
            "the larger writer id wins, then the larger value, whichever arrived first -- else "
            "two coordinators could pick different versions of one key")


def test_resolve_returns_none_only_when_no_replica_held_a_version(impl):
    assert answer(impl, [Response(0, None), Response(1, None)]) is None, (
        "resolve of two empty responses should be None: no replica held the key")
    got = answer(impl, [Response(0, None), Response(1, V_OLD)])
    assert got == V_OLD, (f"resolve([Response(0, None), Response(1, {V_OLD!r})]) returned {got!r}, "
                          f"expected {V_OLD!r}: skip the replicas that hold nothing")


versions = st.builds(Version, st.sampled_from([1.0, 2.0, 2.5, 7.0]), st.integers(0, 1),
                     st.integers(1, 5))
responses_st = st.lists(st.one_of(st.none(), versions), min_size=1, max_size=6).map(
    lambda vs: [Response(i, v) for i, v in enumerate(vs)])


@PURE
@given(responses_st, st.randoms(use_true_random=False))
def test_resolve_picks_the_largest_version_in_any_order(impl, responses, rnd):
    held = [tuple(x.version) for x in responses if x.version is not None]
    want = Version(*max(held)) if held else None
    shuffled = list(responses)
    rnd.shuffle(shuffled)
    got = answer(impl, shuffled)
    assert got == want, (f"resolve({shuffled!r}) returned {got!r}, expected {want!r}, the "
                         "newest (latest timestamp, then writer, then value)")


# -- repair_targets --------------------------------------------------------------------------------

def targets(impl, responses, r):
    got = call(impl, "repair_targets", responses, r)
    if not isinstance(got, (list, tuple)) or not all(isinstance(x, numbers.Integral) for x in got):
        fail(f"repair_targets({responses!r}, {r}) returned {described(got)}, expected a list of "
             "replica ids")
    return list(got)


def test_repair_targets_include_replicas_that_answered_late(impl):
    responses = [Response(0, V_NEW), Response(1, V_NEW), Response(2, V_OLD)]
    got = targets(impl, responses, 2)
    assert got == [2], (
        f"repair_targets({responses!r}, 2) returned {got!r}, expected [2]: replica 2 answered "
        "after the read had its two responses, but it holds an old version all the same, and a "
        "repair that skips it leaves it stale")
    late_newer = [Response(3, V_OLD), Response(1, None), Response(4, V_NEW)]
    got = targets(impl, late_newer, 2)
    assert got == [1, 3], (
        f"repair_targets({late_newer!r}, 2) returned {got!r}, expected [1, 3]: the newest version "
        "came late, from replica 4, and the first two hold older versions (or none)")


def test_repair_targets_are_sorted_and_skip_up_to_date_replicas(impl):
    responses = [Response(4, V_OLD), Response(0, V_NEW), Response(2, None), Response(1, V_NEW)]
    got = targets(impl, responses, 3)
    assert got == [2, 4], (f"repair_targets({responses!r}, 3) returned {got!r}, expected [2, 4]: "
                           "the replicas with an older version or none, in increasing order")
    assert targets(impl, [Response(0, None), Response(1, None)], 1) == [], (
        "with no version anywhere there is nothing to write back: expected []")


@PURE
@given(responses_st, st.integers(1, 6))
def test_repair_targets_match_the_definition(impl, responses, r):
    r = min(r, len(responses))
    held = [tuple(x.version) for x in responses if x.version is not None]
    want = [] if not held else sorted(x.replica for x in responses
                                      if x.version is None or tuple(x.version) < max(held))
    got = targets(impl, responses, r)
    assert got == want, (f"repair_targets({responses!r}, {r}) returned {got!r}, expected {want!r}: "
                         "every replica, early or late, whose version is older than the newest")


# -- sloppy_targets --------------------------------------------------------------------------------

def sloppy(impl, preference, down, n):
    got = call(impl, "sloppy_targets", list(preference), list(down), n)
    if not isinstance(got, (list, tuple)) or not all(isinstance(x, numbers.Integral) for x in got):
        fail(f"sloppy_targets({preference!r}, {down!r}, {n}) returned {described(got)}, expected "
             "a list of node ids")
    return list(got)


def test_sloppy_targets_skip_down_stand_ins_too(impl):
    for pref, down, n, want in (([0, 1, 2, 3, 4], [1], 3, [0, 2, 3]),
                                ([0, 1, 2, 3, 4], [1, 3], 3, [0, 2, 4]),
                                ([0, 1, 2, 3, 4], [0, 1, 2], 3, [3, 4]),
                                ([0, 1, 2, 3, 4], [], 3, [0, 1, 2]),
                                ([2, 0, 1], [0], 2, [2, 1])):
        got = sloppy(impl, pref, down, n)
        assert got == want, (
            f"sloppy_targets({pref!r}, {down!r}, {n}) returned {got!r}, expected {want!r}: walk "
            "the preference list in order and take the first n nodes that are up; a stand-in "
            "that is itself down is skipped too, and when too few are up, return fewer")


def test_sloppy_targets_stop_at_n_in_a_cluster_of_hundreds(impl):
    pref = list(range(1000))
    got = sloppy(impl, pref, [5, 400], 300)
    want = [x for x in pref if x not in (5, 400)][:300]
    assert got == want, (
        f"sloppy_targets(list(range(1000)), [5, 400], 300) returned {len(got)} nodes, expected the "
        "first 300 healthy ones: compare counts with ==, not with is (Python reuses only small "
        "int objects, so `len(out) is n` is False for n = 300)")


@PURE
@given(st.permutations(list(range(7))), st.sets(st.integers(0, 6)), st.integers(1, 5))
def test_sloppy_targets_match_walking_the_list(impl, pref, down, n):
    want = [x for x in pref if x not in down][:n]
    got = sloppy(impl, pref, sorted(down), n)
    assert got == want, (f"sloppy_targets({pref!r}, {sorted(down)!r}, {n}) returned {got!r}, "
                         f"expected {want!r}")


# -- the whole lab on your rules -------------------------------------------------------------------

faults = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "nrw": st.sampled_from([(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3), (5, 2, 4)]),
    "loss": st.sampled_from(["0", "0", "0.05"]),
    "down": st.sampled_from(["none", "none", "0", "2"]),
    "partition": st.booleans(),
    "propagation": st.sampled_from(["all", "quorum-only"]),
    "read_repair": st.booleans(),
    "anti_entropy_ms": st.sampled_from(["none", "50"]),
    "keys": st.sampled_from(["none", "5"]),
    "latency_profile": st.sampled_from(["lan", "lnkd-disk"]),
})


def fault_overrides(f: dict) -> dict[str, str]:
    n, r, w = f["nrw"]
    over = {"n": str(n), "r": str(r), "w": str(w), "nodes": str(n + 2), "writes": "150",
            "duration_ms": "1500", "timeout_ms": "300", "loss": f["loss"], "down": f["down"],
            "propagation": f["propagation"], "read_repair": str(f["read_repair"]).lower(),
            "anti_entropy_ms": f["anti_entropy_ms"], "keys": f["keys"],
            "latency_profile": f["latency_profile"]}
    if f["partition"]:
        over.update(partitioned="1", partition_at_ms="400", heal_at_ms="900")
    return over


def whole_run(impl, seed: int, over: dict[str, str], scenario: str = "default"):
    params = LAB.make_params(scenario, over)
    try:
        return LAB.run(params, seed, impl=impl)
    except NotImplementedError:
        raise
    except Exception as e:  # noqa: BLE001 - the learner's crash is the verdict
        fail(f"seed {seed}: your rules raised {type(e).__name__}: {e}. Replay it with: "
             f"{replay(seed, over, scenario)}")


@WHOLE
@given(faults)
def test_all_rules_keep_strict_quorums_fresh_under_faults(impl, f):
    seed, over = f["seed"], fault_overrides(f)
    result = whole_run(impl, seed, over)
    broken = [c for c in result.checks if not c.passed]
    assert not broken, (f"seed {seed} broke '{broken[0].name}': {broken[0].detail}. Replay it "
                        f"with: {replay(seed, over)}")
    assert result.metrics["stale_read_fraction"] in (0, None) or not math.isfinite(
        result.metrics["stale_read_fraction"]), (
        f"seed {seed}: a strict quorum read stale; replay it with: {replay(seed, over)}")


def test_all_rules_bring_hints_home_after_a_partition(impl):
    over = {"writes": "300", "duration_ms": "3000", "partition_at_ms": "500", "heal_at_ms": "1500",
            "hint_ms": "100"}
    result = whole_run(impl, 3, over, "sloppy")
    broken = [c for c in result.checks if not c.passed]
    assert not broken, f"'{broken[0].name}': {broken[0].detail}. Replay: {replay(3, over, 'sloppy')}"
    assert result.metrics["write_availability"] == 1.0, (
        "with a sloppy quorum every write should find w nodes while two of five are cut off; "
        f"{result.metrics['write_availability']:.1%} did. Replay: {replay(3, over, 'sloppy')} "
        "(sloppy_targets picks them)")
    assert result.metrics["converged_fraction"] == 1.0, (
        "after the partition healed, some acknowledged writes never reached every home replica: "
        f"replay {replay(3, over, 'sloppy')} (the stand-ins hand back what sloppy_targets sent "
        "them; resolve decides what each replica keeps)")


def test_all_rules_let_read_repair_bring_every_replica_up_to_date(impl):
    over = {"writes": "200", "propagation": "quorum-only", "read_repair": "true", "r": "1",
            "w": "1"}
    result = whole_run(impl, 5, over)
    broken = [c for c in result.checks if not c.passed]
    assert not broken, f"'{broken[0].name}': {broken[0].detail}. Replay: {replay(5, over)}"
    assert result.metrics["converged_fraction"] == 1.0, (
        f"read repair left {1 - result.metrics['converged_fraction']:.1%} of writes missing from "
        f"some replica: each read asks all three, so repair_targets should name every replica "
        f"that lacks the newest version, including those that answered late. Replay: "
        f"{replay(5, over)}")
