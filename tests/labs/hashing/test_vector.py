"""The array forms of the hashing rules (``vector.py``) give exactly what the reference rules give
key by key, and the lab takes the array path only for the reference's own rules: a learner's
rules are still called for every key, and a run on rules that behave like the reference but are
not its functions prints the same JSON and draws the same series as the reference run."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.labs.hashing import rules, vector
from dslab.labs.hashing.analysis import movement, ring_shares
from dslab.labs.hashing.checks import PlacementMonitor
from dslab.labs.hashing.hashes import RING_SIZE, stable_hash
from dslab.labs.hashing.lab import LAB
from dslab.labs.hashing.placement import KeySet, Placement, moves
from dslab.labs.hashing.schemes import SCHEMES, make_scheme

IMPL = LAB.load_impl()
TOP = RING_SIZE - 1

hashes_64 = st.integers(0, TOP)
names = st.text("abcxyz019#-é", min_size=0, max_size=5)


def rings(min_size: int = 1) -> st.SearchStrategy[list[tuple[int, str]]]:
    """Rings as the rules take them: distinct positions (the ends of the hash space likely),
    sorted, each on one of a few nodes."""
    positions = st.one_of(hashes_64, st.sampled_from([0, 1, TOP - 1, TOP, 1 << 63]))
    return st.lists(st.tuples(positions, st.sampled_from(["a", "b", "c", "n1", "n11"])),
                    min_size=min_size, max_size=30, unique_by=lambda p: p[0]).map(sorted)


def near(ring: list[tuple[int, str]]) -> st.SearchStrategy[int]:
    """Hashes on the ring's points, just either side of them, past the last one, and anywhere."""
    spots = [p for pos, _ in ring for p in (pos - 1, pos, pos + 1) if 0 <= p <= TOP]
    return st.one_of(st.sampled_from(spots or [0]), hashes_64, st.just(TOP), st.just(0))


def as_uint64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


# -- each rule, array against scalar ----------------------------------------------------------------

@given(st.lists(st.text(max_size=12), max_size=30))
def test_hash_texts_is_stable_hash_of_each(texts):
    assert vector.hash_texts(texts).tolist() == [stable_hash(t) for t in texts]


@settings(max_examples=60)
@given(st.lists(names, max_size=6), st.integers(-1, 40))
def test_build_ring_arrays_is_build_ring(nodes, vnodes):
    # Repeated names put two points on one position: the tie is kept in the rule's order.
    assert vector.build_ring_arrays(nodes, vnodes).points() == rules.build_ring(nodes, vnodes)


def test_build_ring_arrays_orders_shared_positions_by_node_name(monkeypatch):
    # Real positions never collide; with a 2-bit hash most points share one, and the ring must
    # still list them as sorting the rule's (position, node) tuples does.
    def tiny(text: str) -> int:
        return stable_hash(text) % 4

    def tiny_positions(node: str, vnodes: int) -> np.ndarray:
        return as_uint64([tiny(f"{node}#{i}") for i in range(vnodes)])

    monkeypatch.setattr(rules, "stable_hash", tiny)
    monkeypatch.setattr(vector, "_node_positions", tiny_positions)
    nodes = ["zed", "b", "a", "n11", "n1"]
    ring = rules.build_ring(nodes, 6)
    assert len({pos for pos, _ in ring}) < len(ring)
    assert vector.build_ring_arrays(nodes, 6).points() == ring


@given(rings())
def test_ring_arrays_reads_a_well_formed_ring_back(ring):
    arrays = vector.ring_arrays(ring)
    assert arrays is not None and arrays.points() == ring


@pytest.mark.parametrize("ring", [
    [], [(2, "a"), (1, "b")], [(-1, "a")], [(RING_SIZE, "a")], [(1.0, "a")], [(1, 2)],
    [(1, "a", "x")], [[1, "a"]], [(True, "a")],
], ids=["empty", "unsorted", "negative", "too-big", "float", "int-node", "triple", "list", "bool"])
def test_ring_arrays_refuses_what_bisect_might_read_differently(ring):
    # A learner's build_ring can return any of these: the lab then asks the rules point by point.
    assert vector.ring_arrays(ring) is None


@settings(max_examples=200)
@given(rings().flatmap(lambda r: st.tuples(st.just(r), st.lists(near(r), min_size=1, max_size=20))))
def test_ring_owner_index_is_ring_owner(case):
    ring, hashes = case
    arrays = vector.ring_arrays(ring)
    assert arrays is not None
    got = [arrays.names[i] for i in vector.ring_owner_index(arrays, as_uint64(hashes)).tolist()]
    assert got == [rules.ring_owner(ring, h) for h in hashes]


@given(st.lists(hashes_64, max_size=10), st.text("ab", min_size=1, max_size=3), hashes_64)
def test_a_one_point_ring_owns_every_key(hashes, node, position):
    ring = [(position, node)]
    arrays = vector.ring_arrays(ring)
    assert arrays is not None
    got = vector.ring_owner_index(arrays, as_uint64(hashes)).tolist()
    assert got == [0] * len(hashes) and all(rules.ring_owner(ring, h) == node for h in hashes)


def test_an_empty_ring_has_no_owner_either_way():
    with pytest.raises(ZeroDivisionError):
        rules.ring_owner([], 5)
    with pytest.raises(ValueError, match="empty ring"):
        vector.ring_owner_index(vector.build_ring_arrays(["a"], 0), as_uint64([5]))


@settings(max_examples=200)
@given(st.lists(hashes_64, min_size=1, max_size=40),
       st.one_of(st.integers(-2, 300), st.integers(300, vector.MAX_JUMP_BUCKETS)))
def test_jump_hash_array_is_jump_hash(keys, buckets):
    # Every step must match bit for bit: the LCG wraps at 2**64, the jump is a float product.
    got = vector.jump_hash_array(as_uint64(keys), buckets)
    assert got.dtype == np.int64
    assert got.tolist() == [rules.jump_hash(k, buckets) for k in keys]


def test_jump_hash_array_agrees_on_many_keys_and_cluster_sizes():
    keys = vector.hash_texts([f"user:{i}" for i in range(3000)])
    for buckets in (1, 2, 5, 6, 199, 200, 201, 1000):
        assert vector.jump_hash_array(keys, buckets).tolist() == [rules.jump_hash(k, buckets)
                                                                  for k in keys.tolist()]


def test_jump_hash_array_stops_on_a_jump_landing_exactly_on_buckets():
    # The jump is compared with buckets as a float: one landing exactly on it must stop the loop.
    # The key is chosen so that its first LCG step gives (state >> 33) + 1 = 2**20, a jump of
    # 2**31 / 2**20 = 2048 from bucket 0.
    state = ((1 << 20) - 1) << 33
    key = (state - 1) * pow(rules.JUMP_MULTIPLIER, -1, RING_SIZE) % RING_SIZE
    assert rules.jump_hash(key, 2048) == 0 and rules.jump_hash(key, 2049) == 2048
    assert vector.jump_hash_array(as_uint64([key]), 2048).tolist() == [0]
    assert vector.jump_hash_array(as_uint64([key]), 2049).tolist() == [2048]


def test_jump_hash_array_refuses_more_buckets_than_floats_count_exactly():
    with pytest.raises(ValueError, match="2\\*\\*53"):
        vector.jump_hash_array(as_uint64([1]), vector.MAX_JUMP_BUCKETS + 1)


@given(st.lists(hashes_64, max_size=30), st.integers(1, 500))
def test_modulo_index_is_modulo_owner(hashes, n):
    nodes = [f"n{i}" for i in range(n)]
    got = vector.modulo_index(as_uint64(hashes), n).tolist()
    assert [nodes[i] for i in got] == [rules.modulo_owner(nodes, h) for h in hashes]


@settings(max_examples=150)
@given(rings().flatmap(lambda r: st.tuples(st.just(r), st.lists(near(r), max_size=20))),
       st.integers(1, 7))
def test_ring_walk_index_is_ring_walk(case, count):
    # Rings of up to five nodes asked for up to seven: short rows where the ring runs out.
    ring, hashes = case
    arrays = vector.ring_arrays(ring)
    assert arrays is not None
    rows = vector.ring_walk_index(arrays, as_uint64(hashes), count).tolist()
    got = [[arrays.names[j] for j in row if j >= 0] for row in rows]
    assert got == [rules.ring_walk(ring, h, count) for h in hashes]


@settings(max_examples=80)
@given(st.lists(hashes_64, min_size=1, max_size=8, unique=True), st.lists(hashes_64, max_size=20),
       st.integers(1, 10))
def test_rendezvous_index_is_rendezvous_rank(node_hashes, hashes, count):
    names = [f"n{i}" for i in range(len(node_hashes))]
    by_name = dict(zip(names, node_hashes, strict=True))
    order = sorted(names)
    rows = vector.rendezvous_index(as_uint64([by_name[n] for n in order]), as_uint64(hashes), count)
    got = [[order[j] for j in row if j >= 0] for row in rows.tolist()]
    assert got == [rules.rendezvous_rank(by_name, h, count) for h in hashes]


def test_rendezvous_index_breaks_equal_weights_by_name():
    # Nodes sharing a hash weigh every key alike: the rule puts them in name order (forty of
    # them, more than a sort keeps in order by chance).
    by_name = {f"n{i:02d}": 7 if i % 3 else 9 for i in range(40)}
    order = sorted(by_name)
    rows = vector.rendezvous_index(as_uint64([by_name[n] for n in order]), as_uint64([1, 2, 3]), 40)
    for h, row in zip([1, 2, 3], rows.tolist(), strict=True):
        assert [order[j] for j in row] == rules.rendezvous_rank(by_name, h, 40)


def scalar_bounded(ring, hashes, cap):
    loads: dict[str, int] = {}
    out = []
    for h in hashes:
        node = rules.bounded_pick(ring, h, loads, cap)
        loads[node] = loads.get(node, 0) + 1
        out.append(node)
    return out


@settings(max_examples=150)
@given(rings().flatmap(lambda r: st.tuples(st.just(r), st.lists(near(r), max_size=40))),
       st.integers(0, 12))
def test_bounded_picks_is_bounded_pick_key_after_key(case, cap):
    ring, hashes = case
    arrays = vector.ring_arrays(ring)
    assert arrays is not None
    try:
        want = scalar_bounded(ring, hashes, cap)
    except ValueError as e:  # the cap is too low: both give up at the same key
        with pytest.raises(ValueError, match=str(e)):
            vector.bounded_picks(arrays, as_uint64(hashes), cap)
        return
    got = vector.bounded_picks(arrays, as_uint64(hashes), cap).tolist()
    assert [arrays.names[i] for i in got] == want


@given(rings().flatmap(lambda r: st.tuples(st.just(r), near(r))),
       st.dictionaries(st.sampled_from(["a", "b", "c", "n1", "n11"]), st.integers(0, 3)),
       st.integers(0, 3))
def test_bounded_pick_from_is_bounded_pick(case, loads, cap):
    ring, h = case
    start = vector.first_at_or_after(vector.ring_arrays(ring).positions, as_uint64([h]))[0]
    try:
        want = rules.bounded_pick(ring, h, loads, cap)
    except ValueError as e:
        with pytest.raises(ValueError, match=str(e)):
            vector.bounded_pick_from(ring, int(start), loads, cap)
        return
    assert vector.bounded_pick_from(ring, int(start), loads, cap) == want


@settings(max_examples=100)
@given(rings(), st.lists(st.sampled_from(["off-ring", "n2"]), max_size=2, unique=True), st.randoms())
def test_ring_shares_array_is_ring_shares(ring, others, rnd):
    # One point owns the whole circle: an arc of 2**64, one more than uint64 holds.
    nodes = list({n for _, n in ring}) + others
    rnd.shuffle(nodes)
    arrays = vector.ring_arrays(ring)
    assert arrays is not None
    assert vector.ring_shares_array(arrays, nodes).tolist() == ring_shares(ring, nodes).tolist()


def test_ring_shares_refuse_a_node_they_were_not_given_either_way():
    ring = [(5, "a"), (9, "b")]
    with pytest.raises(KeyError):
        ring_shares(ring, ["a"])
    with pytest.raises(KeyError):
        vector.ring_shares_array(vector.ring_arrays(ring), ["a"])


def test_ring_shares_array_gives_one_node_the_whole_circle():
    for position in (0, 1, TOP):
        arrays = vector.ring_arrays([(position, "a")])
        assert arrays is not None
        assert vector.ring_shares_array(arrays, ["a", "b"]).tolist() == [1.0, 0.0]


# -- placements, movements and checks on arrays ----------------------------------------------------

def scalar_rules() -> SimpleNamespace:
    """Rules that answer as the reference does but are not its functions: the lab must take them
    key by key, as it takes a learner's."""
    return vector.key_by_key(IMPL)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("change", ["join", "leave"])
def test_every_scheme_places_and_moves_keys_the_same_on_arrays(scheme, change):
    nodes = ["n0-aa", "n1-bb", "n10-cc", "n2-dd", "n3-ee", "n4-ff"]
    keys = KeySet([f"user:{i}" for i in range(3000)])
    fast, slow = (make_scheme(scheme, nodes, impl, 7, 1.1) for impl in (IMPL, scalar_rules()))
    before = fast.placement(keys)
    assert before.index is not None, "the reference rules place a key set as arrays"
    slow_before = slow.placement(keys)
    assert slow_before.index is None, "other rules are asked key by key"
    assert before.owners() == slow_before.owners()
    assert before.loads(nodes) == slow_before.loads(nodes)
    for s in (fast, slow):
        if change == "join":
            s.add("n9-new")
        else:
            s.remove(s.members[-1])
    changed = "n9-new" if change == "join" else nodes[-1]
    after, slow_after = fast.placement(keys), slow.placement(keys)
    assert after.owners() == slow_after.owners()
    assert moves(IMPL, before, after, changed) == moves(scalar_rules(), slow_before, slow_after, changed)
    assert moves(IMPL, before, after, changed) == movement(
        rules.moved_keys(before.owners(), after.owners()), len(keys), changed)


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abce")), min_size=1, max_size=30),
       st.sampled_from("abcde"))
def test_moves_on_arrays_is_movement_of_moved_keys(pairs, changed):
    # Any two placements of one key set, whichever node is called the changed one.
    keys = KeySet([f"k{i}" for i in range(len(pairs))])

    def placed(owners):
        labels = sorted(set(owners), reverse=True)
        return Placement(keys, labels, np.array([labels.index(o) for o in owners], dtype=np.intp))

    before, after = placed([b for b, _ in pairs]), placed([a for _, a in pairs])
    assert moves(IMPL, before, after, changed) == movement(
        rules.moved_keys(before.owners(), after.owners()), len(keys), changed)


memberships = st.lists(st.text("abxy01-", min_size=1, max_size=4), min_size=1, max_size=6, unique=True)


@settings(max_examples=60)
@given(memberships, st.sampled_from(SCHEMES), st.integers(1, 8), st.integers(1, 9), st.booleans())
def test_holders_of_is_holders_for_every_key(nodes, scheme, count, vnodes, placed):
    keys = KeySet([f"user:{i}" for i in range(200)])
    s = make_scheme(scheme, nodes, IMPL, vnodes, 1.2)
    if placed:  # bounded loads hold the placed node first, else the ring owner
        s.placement(keys)
    held = s.holders_of(keys, count)
    assert held is not None
    names, rows = held
    got = [[names[j] for j in row if j >= 0] for row in rows.tolist()]
    assert got == [s.holders(k, count) for k in keys.names]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("replicas", [2, 3, 5])
def test_the_replica_check_on_arrays_reports_what_the_dict_check_reports(scheme, replicas):
    # Three nodes cannot hold five distinct copies: every key breaks the rule, the first three
    # are named; with two or three copies no key does.
    keys = KeySet([f"k{i}" for i in range(300)])
    s = make_scheme(scheme, ["a", "b", "c"], IMPL, 4, 1.25)
    placed = s.placement(keys)
    on_arrays, on_dict = PlacementMonitor(replicas), PlacementMonitor(replicas)
    on_arrays.owners(s, placed, "now")
    on_dict.owners(s, placed.owners(), "now")
    assert on_arrays.verdicts() == on_dict.verdicts()
    assert on_arrays.verdicts()[0].passed == (replicas <= 3)


def test_the_owner_check_on_arrays_reports_what_the_dict_check_reports():
    # Owners outside the membership (a learner's ring can name any node): the first three are named.
    keys = KeySet([f"k{i}" for i in range(8)])
    labels = ["a", "ghost", "b", "other"]
    index = np.array([0, 1, 2, 1, 3, 0, 1, 3], dtype=np.intp)
    scheme = make_scheme("ring", ["a", "b"], IMPL, 2)
    on_arrays, on_dict = PlacementMonitor(1), PlacementMonitor(1)
    on_arrays.owners(scheme, Placement(keys, labels, index), "at the start")
    on_dict.owners(scheme, Placement(keys, labels, index).owners(), "at the start")
    assert on_arrays.verdicts() == on_dict.verdicts()
    assert not on_arrays.verdicts()[0].passed and "ghost" in on_arrays.verdicts()[0].detail


@pytest.mark.parametrize("nodes,vnodes,expect", [
    (["a", "b", "c"], 4, 4), (["a", "b", "c"], 4, 5), (["a", "b"], 3, 3), (["a", "a", "b"], 2, 2),
], ids=["right", "wrong-count", "a-node-missing", "shared-labels"])
def test_the_ring_check_on_arrays_reports_what_the_list_check_reports(nodes, vnodes, expect):
    members = ["a", "b", "c"]
    ring = rules.build_ring(nodes, vnodes)
    on_arrays, on_list = PlacementMonitor(1), PlacementMonitor(1)
    on_arrays.ring(vector.build_ring_arrays(nodes, vnodes), members, expect, "now")
    on_list.ring(ring, members, expect, "now")
    assert on_arrays.verdicts() == on_list.verdicts()


# -- the lab: the same run either way, and a learner's rules still asked -------------------------

CASES = [
    ("default", {}), ("add-node", {}), ("vnodes", {"nodes": 4}),
    ("add-node", {"scheme": "bounded", "c": 1.0, "keys": 3000, "nodes": 9, "replicas": 2}),
    ("add-node", {"scheme": "jump", "change": "leave", "keys": 3000, "nodes": 9}),
    ("cache-leave", {"duration_ms": 3000, "change_at_ms": 1500}),
    ("hot-key", {"duration_ms": 3000, "change": "join", "change_at_ms": 1500}),
]


@pytest.mark.parametrize("scenario,overrides", CASES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(CASES)])
def test_a_run_on_arrays_is_the_run_key_by_key(scenario, overrides):
    params = LAB.make_params(scenario, {k: str(v) for k, v in overrides.items()})
    fast = LAB.run(params, 5, scenario=scenario)
    slow = LAB.run(params, 5, impl=scalar_rules(), scenario=scenario)
    assert fast.to_json() == slow.to_json()
    assert plain(fast.series) == plain(slow.series)
    assert fast.story == slow.story


def plain(value):
    """The series as plain values, arrays included element by element."""
    if isinstance(value, np.ndarray):
        return [value.dtype.str, value.tolist()]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def test_a_learners_rules_are_asked_for_every_key():
    calls = {"ring_owner": 0, "jump_hash": 0, "moved_keys": 0}

    def counted(name):
        rule = getattr(rules, name)

        def call(*args):
            calls[name] += 1
            return rule(*args)
        return call

    impl = SimpleNamespace(**{**vars(IMPL), **{n: counted(n) for n in calls}})
    params = LAB.make_params("add-node", {"keys": "500"})
    LAB.run(params, 1, impl=impl, scenario="add-node")
    # ring and bounded (whose owner check asks the ring) before and after, jump before and after
    assert calls["ring_owner"] >= 2 * 500 and calls["jump_hash"] == 2 * 500
    assert calls["moved_keys"] == len(SCHEMES)


def test_a_wrong_learner_rule_still_shows_in_a_large_run():
    # Hash-mod-N posing as a ring: at size too, a join reshuffles keys between old nodes.
    wrong = SimpleNamespace(**{**vars(IMPL), "ring_owner": lambda ring, h: ring[h % len(ring)][1]})
    params = LAB.make_params("add-node", {"nodes": "40", "vnodes": "50", "keys": "20000"})
    result = LAB.run(params, 1, impl=wrong, scenario="add-node")
    broken = {c.name for c in result.checks if not c.passed}
    assert broken == {"consistent schemes move no key between unchanged nodes"}
    assert result.series["movement"]["ring"]["moved_between_unchanged"] > 10_000
