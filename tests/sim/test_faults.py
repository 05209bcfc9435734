"""Faults as data: a schedule fires each fault at its time, resolves role names when it fires,
refuses impossible schedules up front; and the whole core is deterministic by seed."""

from __future__ import annotations

import pytest

from dslab.errors import InputError
from dslab.sim.dist import Const, Exp
from dslab.sim.faults import Crash, Heal, Loss, Partition, Restart, Slow, schedule, validate
from dslab.sim.network import Network, Node
from dslab.sim.simulation import Simulation


def make(n: int = 5, seed: int = 1, loss: float = 0.0):
    sim = Simulation(seed)
    net = Network(sim, Const(10), loss)
    for i in range(n):
        net.add(Node(i))
    return sim, net


def records(sim: Simulation) -> list[tuple]:
    return [(r.t_ms, r.kind, r.node, r.data) for r in sim.trace]


def first_free(name: str, taken: set[int], n: int = 5) -> int | None:
    return next((i for i in range(n) if i not in taken), None)


# -- schedule ------------------------------------------------------------------------------------

def test_each_fault_is_applied_at_its_time():
    sim, net = make(3)
    schedule(net, [
        Partition(100, ((0, 1), (2,)), until_ms=300),
        Crash(150, 2),
        Restart(250, 2),
        Loss(120, 0.25, until_ms=200),
        Slow(130, 1, 2.0, until_ms=230),
        Heal(400),
    ])
    seen: list[tuple] = []
    for t in (99, 101, 201, 301):
        sim.call_at(t, lambda: seen.append((sim.now, net.groups, net.loss, net.nodes[2].up)))
    sim.run(500)
    assert records(sim) == [
        (100, "partition", None, {"groups": [[0, 1], [2]]}),
        (120, "loss", None, {"p": 0.25}),
        (130, "slow", 1, {"factor": 2.0}),
        (150, "crash", 2, {}),
        (200, "loss", None, {"p": 0.0}),
        (230, "slow", 1, {"factor": 1.0}),
        (250, "restart", 2, {}),
        (300, "heal", None, {}),
        (400, "heal", None, {}),
    ]
    assert seen == [
        (99, None, 0.0, True),
        (101, [[0, 1], [2]], 0.0, True),
        (201, [[0, 1], [2]], 0.0, False),
        (301, None, 0.0, True),
    ]


def test_a_partition_with_until_heals_and_messages_flow_again():
    sim, net = make(2)
    got: list[float] = []
    net.nodes[1].on_message = lambda src, msg: got.append(sim.now)
    schedule(net, [Partition(50, ((0,), (1,)), until_ms=100)])
    for t in (40, 60, 110):
        sim.call_at(t, net.nodes[0].send, 1, "m")
    sim.run(200)
    # sent at 40, due at 50: the cut, armed earlier for 50, fires first and drops it;
    # sent at 60: cut at once; sent at 110: healed, so it arrives at 120
    assert got == [120]
    assert net.dropped["partition"] == 2


def test_role_names_are_resolved_when_the_fault_fires():
    sim, net = make()
    leader = {"now": 0}
    calls: list[tuple[float, str, set[int]]] = []

    def resolve(name, taken):
        calls.append((sim.now, name, set(taken)))
        return leader["now"]

    schedule(net, [Crash(100, "leader"), Slow(200, "leader", 4.0)], resolve)
    assert calls == [], "nothing is resolved while the schedule is only armed"
    sim.call_at(50, leader.__setitem__, "now", 3)
    sim.call_at(150, leader.__setitem__, "now", 1)
    sim.run(300)
    assert [c[:2] for c in calls] == [(100, "leader"), (200, "leader")]
    assert not net.nodes[3].up and net.nodes[0].up
    assert net.slow == {1: 4.0}


def test_partition_roles_avoid_taken_nodes_and_rest_takes_the_others():
    sim, net = make()
    seen: list[set[int]] = []

    def resolve(name, taken):
        seen.append(set(taken))
        return 2 if name == "leader" else first_free(name, taken)

    schedule(net, [Partition(10, (("leader", "follower"), ("rest",)), until_ms=20),
                   Partition(30, (("rest",), (4, "leader")))], resolve)
    sim.run(50)
    parts = [r.data["groups"] for r in sim.trace.of("partition")]
    assert parts == [[[0, 2], [1, 3, 4]], [[0, 1, 3], [2, 4]]]
    assert seen[:2] == [set(), {2}]
    assert seen[2] == {4}, "numbered nodes are taken before any role is resolved"


def test_a_fault_whose_role_cannot_be_filled_is_skipped_and_traced():
    sim, net = make()
    schedule(net, [Crash(10, "leader"), Restart(20, "leader"), Slow(30, "leader", 2.0)],
             lambda name, taken: None)
    sim.run(50)
    assert [r.to_dict() for r in sim.trace] == [
        {"t_ms": 10, "kind": "fault-skipped", "fault": "Crash", "node": "leader"},
        {"t_ms": 20, "kind": "fault-skipped", "fault": "Restart", "node": "leader"},
        {"t_ms": 30, "kind": "fault-skipped", "fault": "Slow", "node": "leader"},
    ]
    assert all(node.up for node in net.nodes.values()) and net.slow == {}


def test_a_role_name_without_a_resolver_is_an_input_error():
    sim, net = make()
    schedule(net, [Crash(10, "leader")])
    with pytest.raises(InputError, match="'leader'"):
        sim.run(50)


# -- validate ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, fragment", [
    (Crash(10, 9), "node 9"),
    (Restart(10, 7), "node 7"),
    (Slow(10, 5, 2.0), "node 5"),
    (Partition(10, ((0, 1), (2, 8))), "node 8"),
    (Partition(100, ((0,), (1,)), until_ms=50), "not after it starts"),
    (Partition(100, ((0,), (1,)), until_ms=100), "not after it starts"),
    (Loss(100, 0.1, until_ms=20), "not after it starts"),
    (Slow(100, 1, 2.0, until_ms=99), "not after it starts"),
    (Loss(10, 1.0), "[0, 1)"),
    (Loss(10, -0.2), "[0, 1)"),
    (Slow(10, 1, 0.0), "positive"),
    (Crash(-5, 1), ">= 0"),
])
def test_validate_refuses_impossible_faults(fault, fragment):
    with pytest.raises(InputError) as e:
        validate([fault], [0, 1, 2, 3, 4])
    assert fragment in str(e.value)


def test_schedule_validates_before_arming_anything():
    sim, net = make()
    with pytest.raises(InputError):
        schedule(net, [Crash(10, 1), Crash(20, 99)])
    sim.run(100)
    assert len(sim.trace) == 0 and all(node.up for node in net.nodes.values())


def test_validate_accepts_a_sensible_schedule():
    validate([Partition(0, ((0, "leader"), ("rest",)), until_ms=10), Heal(5), Crash(1, "leader"),
              Restart(2, 3), Loss(0, 0.0, until_ms=1), Slow(3, 4, 0.5)], [0, 1, 2, 3, 4])


def test_validate_refuses_a_node_in_two_groups():
    with pytest.raises(InputError, match="two groups"):
        validate([Partition(10, ((0, 1), (1, 2)))], [0, 1, 2])


def test_a_loss_fault_ends_by_restoring_the_previous_loss():
    sim, net = make(loss=0.2)
    schedule(net, [Loss(10, 0.5, until_ms=20)])
    sim.run(30)
    assert net.loss == 0.2


def knob_over_time(sim, read, times):
    out = []
    for t in times:
        sim.run(t)
        out.append(read())
    return out


def test_overlapping_loss_windows_nest_and_end_where_they_began():
    sim, net = make(loss=0.1)
    # 0.3 from 100 to 300, and 0.6 from 200 to 500 overlapping it: when the first ends the
    # second is still in force; when the second ends the base loss returns.
    schedule(net, [Loss(100, 0.3, until_ms=300), Loss(200, 0.6, until_ms=500)])
    assert knob_over_time(sim, lambda: net.loss, [150, 250, 350, 600]) == [0.3, 0.6, 0.6, 0.1]


def test_a_loss_without_an_end_ends_the_open_windows():
    sim, net = make(loss=0.0)
    schedule(net, [Loss(100, 0.5, until_ms=300), Loss(200, 0.2)])
    assert knob_over_time(sim, lambda: net.loss, [150, 250, 400]) == [0.5, 0.2, 0.2]


def test_overlapping_slow_windows_on_one_node_nest():
    sim, net = make(3)
    schedule(net, [Slow(100, 1, 4.0, until_ms=400), Slow(200, 1, 10.0, until_ms=300)])
    factor = knob_over_time(sim, lambda: net.slow.get(1, 1.0), [150, 250, 350, 450])
    assert factor == [4.0, 10.0, 4.0, 1.0]


def test_a_partition_inside_another_gives_the_outer_one_back_when_it_ends():
    sim, net = make(4)
    schedule(net, [Partition(100, ((0, 1), (2, 3)), until_ms=500),
                   Partition(200, ((0,), (1, 2, 3)), until_ms=300)])
    seen = knob_over_time(sim, lambda: net.groups, [150, 250, 350, 600])
    assert seen == [[[0, 1], [2, 3]], [[0], [1, 2, 3]], [[0, 1], [2, 3]], None]


def test_a_heal_ends_every_partition_window_still_open():
    sim, net = make(3)
    schedule(net, [Partition(100, ((0,), (1, 2)), until_ms=400),
                   Partition(150, ((0, 1), (2,)), until_ms=300), Heal(200)])
    assert knob_over_time(sim, lambda: net.groups, [175, 250, 350]) == [[[0, 1], [2]], None, None]
    assert [r.kind for r in sim.trace] == ["partition", "partition", "heal"]  # no heal twice


# -- whole-core determinism ----------------------------------------------------------------------

class Gossip(Node):
    """Every so often, tell a random peer the biggest number heard; crash keeps nothing."""

    def on_start(self):
        self.value = self.id
        self._arm()

    def _arm(self):
        rng = self.sim.rng(f"gossip-{self.id}")
        self.set_timer("gossip", float(rng.uniform(5, 25)), self._tick)

    def _tick(self):
        rng = self.sim.rng(f"gossip-{self.id}")
        peer = self.peers()[int(rng.integers(len(self.peers())))]
        self.value += 1
        self.send(peer, {"value": self.value, "ping": True})
        self._arm()

    def on_message(self, src, msg):
        self.sim.trace.emit(self.now, "recv", self.id, src=src, value=msg["value"])
        self.value = max(self.value, msg["value"])
        if msg["ping"]:
            self.send(src, {"value": self.value, "ping": False})


def gossip_trace(seed: int) -> str:
    sim = Simulation(seed)
    net = Network(sim, Exp(4), loss=0.1)
    for i in range(5):
        net.add(Gossip(i))
    schedule(net, [Partition(200, ((0, "leader"), ("rest",)), until_ms=500), Crash(300, 3),
                   Restart(420, 3), Slow(350, 1, 3.0, until_ms=600), Loss(650, 0.3)],
             lambda name, taken: first_free(name, taken))
    net.start()
    sim.run(1000)
    return sim.trace.to_jsonl()


def test_same_seed_gives_a_byte_identical_trace_and_another_seed_does_not():
    first = gossip_trace(2024)
    assert first.count("\n") > 200, "the run should have done plenty"
    assert '"kind": "crash"' in first and '"kind": "heal"' in first
    assert gossip_trace(2024) == first
    assert gossip_trace(2025) != first
