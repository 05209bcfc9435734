"""The checker behind ``dslab check lsm``: your six rules, one behaviour per test.

Each test is named after the rule it checks, and each failure says what your code answered, what
was expected, and what a real engine would do wrong with it. The last tests run the lab on your
rules: an engine under deletes, and one that falls behind its writers.

It checks ``$DSLAB_IMPL`` (set by ``dslab check``), or ``exercise.py`` beside this file (so
``pytest`` in your workspace checks your file too).
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dslab.exercise_support import (
    Calls,
    checker_settings,
    exercise_path,
    learner_rules,
    shown_call,
    shown_path,
    type_name,
)
from dslab.labs.lsm import rules
from dslab.labs.lsm.lab import LAB
from dslab.labs.lsm.params import LsmParams

IMPL_PATH = exercise_path(__file__)
PURE = checker_settings(max_examples=60)
MERGES = checker_settings(max_examples=40)
CALLS = Calls(2.0, "microseconds")
P = LsmParams()  # triggers 4 / 20 / 36, 2 memtables, 64 / 256 MB pending


@pytest.fixture(scope="module")
def impl():
    """Your rules laid over the reference ones (each answer checked as in a run)."""
    return learner_rules(LAB, IMPL_PATH)


def call(impl, rule: str, *args):
    return CALLS(rule, shown_call(rule, args), getattr(impl, rule), *args,
                 expected="an answer for every input its docstring allows")


def run(keys, seqs, tombs=None):
    tombs = tombs if tombs is not None else [False] * len(keys)
    return (np.array(keys, dtype=np.int64), np.array(seqs, dtype=np.int64), np.array(tombs, bool))


def merged(impl, runs, bottom=False) -> dict[int, tuple[int, bool]]:
    """merge_runs's answer as {key: (seq, tombstone)}, once its shape is right."""
    got = call(impl, "merge_runs", runs, bottom)
    assert isinstance(got, (tuple, list)) and len(got) == 3, (
        f"merge_runs returned a {type_name(got)}, not (keys, seqs, tombstones)")
    keys, seqs, tombs = (list(np.asarray(x).tolist()) for x in got)
    assert len(keys) == len(seqs) == len(tombs), "keys, seqs and tombstones differ in length"
    assert keys == sorted(set(keys)), (
        f"merge_runs returned keys {keys[:10]}: a run's keys are sorted ascending, each once")
    return {k: (s, bool(t)) for k, s, t in zip(keys, seqs, tombs, strict=True)}


def shown(runs) -> str:
    return "[" + ", ".join(f"(keys {np.asarray(r[0]).tolist()}, seqs {np.asarray(r[1]).tolist()}, "
                           f"tombs {np.asarray(r[2]).tolist()})" for r in runs) + "]"


# -- merge_runs ---------------------------------------------------------------------------------

def test_merge_runs_keeps_the_newest_version(impl):
    runs = [run([1, 2], [9, 8]), run([1, 2, 3], [4, 5, 6])]
    got = merged(impl, runs)
    assert got == {1: (9, False), 2: (8, False), 3: (6, False)}, (
        f"merge_runs({shown(runs)}, bottom=False) kept {got}: key 1 was written as version 4 and "
        "then 9, so a reader must see 9. Keeping an older version loses the update.")


def test_merge_runs_keeps_the_highest_sequence_number_whatever_the_order(impl):
    runs = [run([5, 7], [3, 20]), run([5, 7], [11, 2])]
    got = merged(impl, runs)
    assert got == {5: (11, False), 7: (20, False)}, (
        f"merge_runs({shown(runs)}, bottom=False) kept {got}: when two runs hold a key, the "
        "version with the higher sequence number wins, whichever run it came from.")


def test_merge_runs_keeps_tombstones_above_the_bottom(impl):
    runs = [run([1, 4], [10, 11], [True, False]), run([1, 2], [3, 4])]
    got = merged(impl, runs, False)
    assert got.get(1) == (10, True), (
        f"merge_runs({shown(runs)}, bottom=False) gave key 1 as {got.get(1)}: its newest version "
        "is the delete (version 10). Above the bottom an older version of key 1 may still sit in "
        "a level below; drop the tombstone and that old value comes back to life.")


def test_merge_runs_drops_tombstones_at_the_bottom(impl):
    runs = [run([1, 4], [10, 11], [True, False]), run([1, 2], [3, 4])]
    got = merged(impl, runs, True)
    assert got == {2: (4, False), 4: (11, False)}, (
        f"merge_runs({shown(runs)}, bottom=True) kept {got}: at the bottom nothing older lies "
        "below, so a key whose newest version is a delete goes, tombstone and all.")


def test_merge_runs_of_one_run_keeps_it(impl):
    runs = [run([2, 3, 8], [1, 2, 3], [False, True, False])]
    got = merged(impl, runs, False)
    assert got == {2: (1, False), 3: (2, True), 8: (3, False)}, (
        f"merge_runs({shown(runs)}, bottom=False) gave {got}: one run merged alone is itself")


@st.composite
def run_sets(draw):
    n = draw(st.integers(1, 4))
    seqs = iter(draw(st.permutations(range(1, 200)))[:n * 12])
    out = []
    for _ in range(n):
        keys = sorted(draw(st.sets(st.integers(0, 15), max_size=12)))
        out.append(run(keys, [next(seqs) for _ in keys],
                       [draw(st.booleans()) for _ in keys]))
    return out


@MERGES
@given(runs=run_sets(), bottom=st.booleans())
def test_merge_runs_agrees_with_newest_wins(impl, runs, bottom):
    got = merged(impl, runs, bottom)
    keys, seqs, tombs = rules.merge_runs(runs, bottom)
    want = {int(k): (int(s), bool(t)) for k, s, t in zip(keys, seqs, tombs, strict=True)}
    assert got == want, (
        f"merge_runs({shown(runs)}, bottom={bottom}) gave {got}, expected {want}: for each key "
        "the highest sequence number wins; a tombstone stays unless bottom is True.")


# -- bloom filters ------------------------------------------------------------------------------

def test_bloom_hashes_at_10_bits_is_7(impl):
    got = call(impl, "bloom_hashes", 10)
    assert got == 7, f"bloom_hashes(10) returned {got!r}: 10 · ln 2 = 6.93, which rounds to 7"


def test_bloom_hashes_is_a_whole_number_at_least_1(impl):
    for b in (0, 0.5, 1, 3, 16, 23):
        got = call(impl, "bloom_hashes", b)
        assert isinstance(got, numbers.Integral) and not isinstance(got, bool) and got >= 1, (
            f"bloom_hashes({b}) returned {got!r}: a filter uses a whole number of hash "
            "functions, at least one")


def test_bloom_hashes_rounds_b_ln2(impl):
    for b in range(1, 33):
        want = max(1, round(b * math.log(2)))
        got = call(impl, "bloom_hashes", b)
        assert got == want, f"bloom_hashes({b}) returned {got!r}, expected {want} (round(b · ln 2))"


def test_bloom_fpr_at_10_bits(impl):
    got = call(impl, "bloom_fpr", 10)
    assert isinstance(got, numbers.Real) and abs(got - 0.008193722) < 1e-6, (
        f"bloom_fpr(10) returned {got!r}, expected about 0.00819: k = 7, (1 - e^(-7/10))^7")


def test_bloom_fpr_without_a_filter_is_1(impl):
    got = call(impl, "bloom_fpr", 0)
    assert got == 1.0, f"bloom_fpr(0) returned {got!r}: no filter means every run is read, 1.0"


def test_bloom_fpr_matches_the_formula(impl):
    for b in (1, 2, 3, 5, 8, 12, 16, 20):
        k = rules.bloom_hashes(b)
        want = (1 - math.exp(-k / b)) ** k
        got = call(impl, "bloom_fpr", b)
        assert isinstance(got, numbers.Real) and abs(got - want) <= 1e-9 + 1e-6 * want, (
            f"bloom_fpr({b}) returned {got!r}, expected {want:.6g}: with k = {k} hashes, "
            "(1 - e^(-k/b))^k")


def filter_of(keys, bits_per_key=10):
    k = rules.bloom_hashes(bits_per_key)
    m = max(8, bits_per_key * len(keys))
    bits = np.zeros(m, dtype=bool)
    for key in keys:
        for i in rules.bloom_positions(rules.mix64(key), k, m):
            bits[i] = True
    return bits, k


def test_may_contain_never_says_no_for_an_added_key(impl):
    keys = list(range(0, 400, 2))
    bits, k = filter_of(keys)
    for key in keys:
        got = call(impl, "may_contain", bits, rules.mix64(key), k)
        assert got is True or got == 1 and not isinstance(got, float), (
            f"may_contain said {got!r} for key {key}, which the filter holds: a false 'no' makes "
            "the lookup skip the run and miss data that is there. Check exactly the positions "
            "bloom_positions(key_hash, k, len(bits)) gives.")


def test_may_contain_says_no_when_a_bit_is_clear(impl):
    bits, k = filter_of(list(range(0, 400, 2)))
    wrong = []
    for key in range(1, 4001, 2):
        h = rules.mix64(key)
        want = all(bits[i] for i in rules.bloom_positions(h, k, len(bits)))
        if bool(call(impl, "may_contain", bits, h, k)) != want:
            wrong.append(key)
    assert not wrong, (
        f"may_contain answered wrongly for {len(wrong)} of 2000 keys the filter does not hold "
        f"(key {wrong[0]} first): say True only when every one of the k positions is set")


@PURE
@given(keys=st.sets(st.integers(0, 10**6), min_size=1, max_size=40), b=st.integers(1, 16),
       probe=st.integers(0, 10**6))
def test_may_contain_agrees_with_the_filter(impl, keys, b, probe):
    bits, k = filter_of(sorted(keys), b)
    h = rules.mix64(probe)
    want = all(bits[i] for i in rules.bloom_positions(h, k, len(bits)))
    got = call(impl, "may_contain", bits, h, k)
    assert bool(got) == want, (
        f"may_contain for key {probe} in a filter of {len(keys)} keys ({b} bits per key, k = {k}) "
        f"said {got!r}, expected {want}")


# -- pick_level ---------------------------------------------------------------------------------

TARGETS = [0.0, 1.0, 10.0, 100.0, 1000.0]


def pick(impl, l0, level_bytes, busy=(), trigger=4, targets=TARGETS):
    return call(impl, "pick_level", l0, list(level_bytes), list(targets), trigger, frozenset(busy))


def test_pick_level_scores_l0_by_files_over_the_trigger(impl):
    got = pick(impl, 3, [0.75, 0.5, 5.0, 0.0, 0.0])
    assert got is None, (
        f"pick_level(3 L0 files, trigger 4, every level under target) returned {got!r}: L0 scores "
        "3 / 4 = 0.75, below 1, so nothing is due yet. A raw file count scores it 3.")
    got = pick(impl, 4, [1.0, 0.5, 5.0, 0.0, 0.0])
    assert got == 0, f"pick_level with L0 at its trigger (4 files of 4) returned {got!r}, expected 0"


def test_pick_level_picks_the_highest_score(impl):
    got = pick(impl, 5, [1.2, 1.1, 30.0, 120.0, 0.0])  # scores 1.25, 1.1, 3.0, 1.2
    assert got == 2, (f"pick_level(L0 5/4 = 1.25, L1 1.1/1 = 1.1, L2 30/10 = 3.0, L3 120/100 = 1.2) "
                      f"returned {got!r}, expected 2: the highest score goes first")
    got = pick(impl, 9, [2.0, 1.5, 12.0, 0.0, 0.0])  # 2.25, 1.5, 1.2
    assert got == 0, f"pick_level(L0 9/4 = 2.25 against 1.5 and 1.2) returned {got!r}, expected 0"


def test_pick_level_compares_fractional_scores(impl):
    got = pick(impl, 6, [1.5, 1.2, 0.0, 0.0, 0.0])  # L0 6/4 = 1.5 against L1 1.2
    assert got == 0, (f"pick_level(L0 6 files of trigger 4, L1 1.2 of 1) returned {got!r}, "
                      "expected 0: L0 scores 1.5, not 1 (divide, do not floor-divide)")
    got = pick(impl, 0, [0.0, 1.5, 19.0, 0.0, 0.0])  # L1 1.5 against L2 1.9
    assert got == 2, (f"pick_level(L1 1.5 of 1, L2 19 of 10) returned {got!r}, expected 2: L2 "
                      "scores 1.9, more than L1's 1.5")


def test_pick_level_scores_levels_by_bytes_over_their_target(impl):
    got = pick(impl, 0, [0.0, 0.9, 25.0, 150.0, 0.0])  # L2 2.5 > L3 1.5
    assert got == 2, (f"pick_level(L1 0.9 of 1, L2 25 of 10, L3 150 of 100) returned {got!r}, "
                      "expected 2: a level's score is its bytes over its own target")


def test_pick_level_at_a_score_of_exactly_1(impl):
    got = pick(impl, 0, [0.0, 1.0, 0.0, 0.0, 0.0])
    assert got == 1, f"pick_level(L1 at exactly its target) returned {got!r}: a score of 1 is due"


def test_pick_level_skips_busy_levels(impl):
    got = pick(impl, 8, [2.0, 1.5, 30.0, 0.0, 0.0], busy={1})
    assert got == 2, (f"pick_level with L1 busy returned {got!r}: L0 (merging into L1) and L1 "
                      "cannot start; L2 (score 3) can")
    got = pick(impl, 8, [2.0, 1.5, 30.0, 0.0, 0.0], busy={3})
    assert got == 0, f"pick_level with L3 busy returned {got!r}: L2 cannot merge into L3; L0 can"


def test_pick_level_never_picks_the_last_level(impl):
    got = pick(impl, 0, [0.0, 0.0, 0.0, 0.0, 9000.0])
    assert got is None, (f"pick_level with only the last level over target returned {got!r}: the "
                         "last level has nothing below it to merge into")


def test_pick_level_works_for_any_number_of_levels(impl):
    for n in (3, 4, 6, 7):
        targets = [0.0] + [10.0 ** i for i in range(n - 1)]
        sizes = [0.0] * (n - 1) + [1e9]
        got = pick(impl, 0, sizes, targets=targets)
        assert got is None, (f"pick_level with {n} levels and only the last one over its target "
                             f"returned {got!r}: the last level (index {n - 1}) never compacts")
        sizes = [0.0] * (n - 2) + [1e6, 0.0]
        got = pick(impl, 0, sizes, targets=targets)
        assert got == n - 2, (f"pick_level with {n} levels and level {n - 2} over its target "
                              f"returned {got!r}, expected {n - 2}")


def test_pick_level_ties_go_to_the_upper_level(impl):
    got = pick(impl, 8, [2.0, 2.0, 20.0, 0.0, 0.0])
    assert got == 0, f"pick_level with L0, L1 and L2 all scoring 2 returned {got!r}, expected 0"


@PURE
@given(l0=st.integers(0, 50), sizes=st.lists(st.floats(0, 3000, allow_nan=False), min_size=5,
                                             max_size=5),
       busy=st.sets(st.integers(0, 4), max_size=2), trigger=st.integers(1, 8))
def test_pick_level_agrees_with_the_scores(impl, l0, sizes, busy, trigger):
    got = pick(impl, l0, sizes, busy, trigger)
    want = rules.pick_level(l0, sizes, TARGETS, trigger, frozenset(busy))
    assert got == want, (f"pick_level({l0}, {sizes}, {TARGETS}, {trigger}, busy={sorted(busy)}) "
                         f"returned {got!r}, expected {want!r}")


# -- write_stall --------------------------------------------------------------------------------

def stall(impl, l0, mem=0, pending=0.0, p=P):
    return call(impl, "write_stall", l0, mem, pending, p)


def test_write_stall_thresholds_are_inclusive(impl):
    for l0, want in ((19, "ok"), (20, "slowdown"), (35, "slowdown"), (36, "stop"), (50, "stop")):
        got = stall(impl, l0)
        assert got == want, (
            f"write_stall({l0} L0 files) returned {got!r}, expected {want!r}: RocksDB slows writes "
            "at 20 L0 files or more and stops them at 36 or more (>=, not >)")


def test_write_stall_stops_when_every_memtable_is_full(impl):
    got = stall(impl, 0, 2)
    assert got == "stop", (f"write_stall(0 L0 files, 2 full memtables of max 2) returned {got!r}: "
                           "with every memtable full there is nowhere to write")
    got = stall(impl, 0, 1)
    assert got == "ok", f"write_stall(one full memtable of 2) returned {got!r}: one is flushing"


def test_write_stall_slows_one_memtable_short_when_more_than_three(impl):
    p = dataclasses.replace(P, max_memtables=5)
    for mem, want in ((3, "ok"), (4, "slowdown"), (5, "stop")):
        got = stall(impl, 0, mem, 0.0, p)
        assert got == want, (f"write_stall({mem} full memtables of max 5) returned {got!r}, "
                             f"expected {want!r}")


def test_write_stall_slows_on_memtables_only_when_more_than_three_are_allowed(impl):
    for most, mem, want in ((3, 2, "ok"), (4, 3, "slowdown"), (4, 2, "ok"), (3, 3, "stop")):
        got = stall(impl, 0, mem, 0.0, dataclasses.replace(P, max_memtables=most))
        assert got == want, (f"write_stall({mem} full memtables of max {most}) returned {got!r}, "
                             f"expected {want!r}: the memtable slowdown applies only when more "
                             "than three memtables are allowed")


def test_write_stall_on_pending_compaction_bytes(impl):
    for pending, want in ((63.9, "ok"), (64.0, "slowdown"), (255.0, "slowdown"), (256.0, "stop")):
        got = stall(impl, 0, 0, pending)
        assert got == want, (f"write_stall(pending {pending} MB, soft 64, hard 256) returned "
                             f"{got!r}, expected {want!r}")


@PURE
@given(l0=st.integers(0, 60), mem=st.integers(0, 8), pending=st.floats(0, 400),
       most=st.integers(2, 8))
def test_write_stall_agrees_with_rocksdb(impl, l0, mem, pending, most):
    p = dataclasses.replace(P, max_memtables=most)
    got = stall(impl, l0, mem, pending, p)
    want = rules.write_stall(l0, mem, pending, p)
    assert got == want, (f"write_stall({l0} L0 files, {mem} full memtables of max {most}, pending "
                         f"{pending:g} MB) returned {got!r}, expected {want!r}")


# -- the whole lab on your rules ----------------------------------------------------------------

def _run_safely(impl, scenario: str, **overrides):
    replay = LAB.replay_command(scenario, 1, {k: str(v) for k, v in overrides.items()},
                                shown_path(IMPL_PATH))
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    result = LAB.run(params, 1, impl=impl, scenario=scenario)
    broken = [c for c in result.checks if not c.passed]
    assert not broken, f"'{broken[0].name}' broke: {broken[0].detail}. Replay it with: {replay}"


def test_all_rules_keep_deleted_keys_deleted(impl):
    call(impl, "merge_runs", [run([1], [1])], True)
    call(impl, "may_contain", np.ones(8, bool), 1, 1)
    _run_safely(impl, "deletes", written_mb=3, keys=5000, lookups=2000, memtable_mb=0.05,
                level1_mb=0.2, file_mb=0.05)


def test_all_rules_run_the_write_stall_scenario_safely(impl):
    call(impl, "write_stall", 0, 0, 0.0, P)
    _run_safely(impl, "write-stall", written_mb=4, keys=20000, lookups=2000)
