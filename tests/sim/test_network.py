"""The network between nodes: latency and order, partitions, loss, crashes and restarts, timers,
slow nodes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslab.errors import InputError
from dslab.sim.dist import Const, Uniform
from dslab.sim.network import Network, Node
from dslab.sim.simulation import Simulation


class Recorder(Node):
    """Remembers every delivery as (time, src, msg)."""

    def __init__(self, node_id: int) -> None:
        super().__init__(node_id)
        self.got: list[tuple[float, int, object]] = []

    def on_message(self, src, msg):
        self.got.append((self.now, src, msg))


def make(n: int = 2, latency=None, loss: float = 0.0, seed: int = 1, cls=Recorder):
    sim = Simulation(seed)
    net = Network(sim, latency if latency is not None else Const(10), loss)
    nodes = [net.add(cls(i)) for i in range(n)]
    return sim, net, nodes


# -- latency and order ---------------------------------------------------------------------------

def test_const_latency_delivers_in_send_order_at_send_time_plus_latency():
    sim, net, (a, b) = make()
    for i in range(5):
        a.send(1, i)
    sim.call_at(2, lambda: [a.send(1, i) for i in (5, 6, 7)])
    sim.run(100)
    assert b.got == [(10, 0, i) for i in range(5)] + [(12, 0, i) for i in (5, 6, 7)]
    assert (net.sent, net.delivered) == (8, 8)


def test_random_latency_stays_within_the_distribution_bounds():
    sim, net, (a, b) = make(latency=Uniform(5, 15))
    for i in range(200):
        sim.call_at(i, a.send, 1, i)
    sim.run(1000)
    delays = [t - msg for t, _, msg in b.got]
    assert len(delays) == 200
    assert min(delays) >= 5 and max(delays) <= 15
    assert max(delays) - min(delays) > 5, "latency should vary, not be a constant"


def test_nodes_start_in_sorted_order_and_peers_are_sorted():
    order: list[int] = []

    class Starter(Node):
        def on_start(self):
            order.append(self.id)

    sim = Simulation(1)
    net = Network(sim, Const(1))
    for i in (2, 0, 3, 1):
        net.add(Starter(i))
    net.nodes[3].up = False
    net.start()
    assert order == [0, 1, 2]
    assert net.nodes[2].peers() == [0, 1, 3]


def test_a_node_id_can_be_added_only_once():
    sim, net, _ = make(2)
    with pytest.raises(ValueError, match="already"):
        net.add(Recorder(1))


# -- partitions ----------------------------------------------------------------------------------

@settings(database=None, deadline=None, max_examples=60)
@given(st.integers(2, 7).flatmap(
    lambda n: st.tuples(st.lists(st.integers(0, 3), min_size=n, max_size=n), st.booleans())))
def test_a_partition_drops_exactly_the_cross_group_messages(case):
    assignment, name_every_group = case
    n = len(assignment)
    sim, net, nodes = make(n)
    labels = sorted(set(assignment))
    groups = [[i for i in range(n) if assignment[i] == g] for g in labels]
    # Nodes left out of the call form one more group of their own.
    net.partition(groups if name_every_group else groups[:-1])
    assert net.groups == sorted(groups)
    for src in nodes:
        for dst in range(n):
            if dst != src.id:
                src.send(dst, "hi")
    sim.run(100)
    delivered = {(src, node.id) for node in nodes for _, src, _ in node.got}
    same_group = {(i, j) for i in range(n) for j in range(n)
                  if i != j and assignment[i] == assignment[j]}
    assert delivered == same_group
    assert net.dropped["partition"] == n * (n - 1) - len(same_group)


def test_messages_in_flight_when_a_partition_starts_are_dropped():
    sim, net, (a, b, c) = make(3)
    a.send(1, "cut")
    a.send(2, "same side")
    sim.call_at(5, net.partition, [[0, 2], [1]])
    sim.run(50)
    assert b.got == [] and [m for _, _, m in c.got] == ["same side"]
    assert net.dropped["partition"] == 1


def test_heal_restores_delivery():
    sim, net, (a, b) = make()
    net.partition([[0], [1]])
    a.send(1, "during")
    sim.call_at(20, net.heal)
    sim.call_at(30, a.send, 1, "after")
    sim.run(100)
    assert net.groups is None
    assert b.got == [(40, 0, "after")]
    assert [(r.t_ms, r.kind) for r in sim.trace] == [(0, "partition"), (20, "heal")]


def test_partition_refuses_unknown_nodes_and_a_node_in_two_groups():
    _, net, _ = make(3)
    with pytest.raises(InputError, match="node 5"):
        net.partition([[0], [5]])
    with pytest.raises(InputError, match="node 1 in two groups"):
        net.partition([[0, 1], [1, 2]])


# -- loss ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.05, 0.3, 0.7])
def test_loss_rate_is_close_to_p(p):
    n = 20_000
    sim, net, (a, b) = make(loss=p, seed=99)
    for i in range(n):
        a.send(1, i)
    sim.run(100)
    lost = net.dropped["loss"]
    assert lost + len(b.got) == n == net.sent
    assert abs(lost / n - p) <= 5 * math.sqrt(p * (1 - p) / n), lost / n


def test_no_loss_means_every_message_arrives():
    sim, net, (a, b) = make(loss=0.0)
    for i in range(1000):
        a.send(1, i)
    sim.run(100)
    assert len(b.got) == 1000 and net.dropped == {"partition": 0, "loss": 0, "down": 0}


def _fates(latency, loss: float) -> tuple[list[float], list[int]]:
    """Delays of the messages delivered and the numbers of those lost, for 300 messages sent one
    per ms."""
    sim, net, (a, b) = make(latency=latency, loss=loss, seed=4)
    for i in range(300):
        sim.call_at(i, a.send, 1, i)
    sim.run(1000)
    got = {msg: t - msg for t, _, msg in b.got}
    return [got[i] for i in sorted(got)], [i for i in range(300) if i not in got]


def test_the_loss_coin_and_the_latencies_draw_from_streams_of_their_own():
    # Tossing the coin (here with a loss so small that no message is lost) leaves every
    # message's latency as it was without loss...
    assert _fates(Uniform(2, 8), 1e-12) == (_fates(Uniform(2, 8), 0.0)[0], [])
    # ...and which messages are lost does not depend on how latencies are drawn.
    lost = _fates(Const(5), 0.3)[1]
    assert lost and lost == _fates(Uniform(2, 8), 0.3)[1] == _fates(Uniform(50, 80), 0.3)[1]


def test_a_new_latency_distribution_applies_from_the_next_message():
    sim, net, (a, b) = make(latency=Const(10))
    a.send(1, "before")
    net.latency_ms = Const(3)
    a.send(1, "after")
    sim.run(100)
    assert b.got == [(3, 0, "after"), (10, 0, "before")] and net.latency_ms == Const(3)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_set_loss_refuses_impossible_probabilities(p):
    _, net, _ = make()
    with pytest.raises(InputError, match="loss"):
        net.set_loss(p)


# -- crash and restart ---------------------------------------------------------------------------

class Server(Recorder):
    """Has a persistent ``term`` (kept across a crash) and a volatile ``cache`` (lost in one)."""

    def __init__(self, node_id):
        super().__init__(node_id)
        self.term = 0
        self.cache: list[str] = []
        self.log: list[tuple[float, str]] = []

    def on_start(self):
        self.log.append((self.now, "start"))
        self.set_timer("tick", 50, lambda: self.log.append((self.now, "tick")))

    def on_crash(self):
        self.log.append((self.now, "crash"))
        self.cache = []


def test_crash_drops_deliveries_cancels_timers_and_keeps_persistent_state():
    sim, net, (a, b) = make(cls=Server)
    net.start()
    b.term, b.cache = 5, ["volatile"]
    armed: list[bool] = []
    sim.call_at(19, lambda: armed.append(b.timer_armed("tick")))
    sim.call_at(20, net.crash, 1)
    sim.call_at(21, lambda: armed.append(b.timer_armed("tick")))
    sim.call_at(25, a.send, 1, "to the dead")
    sim.call_at(40, net.restart, 1)
    sim.call_at(45, a.send, 1, "to the living")
    sim.run(200)
    assert armed == [True, False]
    # the timer armed at 0 (due at 50) never fires; the one armed by the restart fires at 90
    assert b.log == [(0, "start"), (20, "crash"), (40, "start"), (90, "tick")]
    assert b.term == 5 and b.cache == []
    assert b.got == [(55, 0, "to the living")]
    assert net.dropped["down"] == 1
    assert [(r.t_ms, r.kind, r.node) for r in sim.trace] == [(20, "crash", 1), (40, "restart", 1)]


def test_crashing_a_down_node_or_restarting_an_up_one_does_nothing():
    sim, net, (a, b) = make(cls=Server)
    net.start()
    net.crash(1)
    net.crash(1)
    net.restart(0)
    assert [k for _, k in b.log] == ["start", "crash"]
    assert [k for _, k in a.log] == ["start"]
    assert len(sim.trace) == 1


def test_restart_calls_on_restart():
    class Custom(Server):
        def on_restart(self):
            self.log.append((self.now, "restart"))

    sim, net, (_, b) = make(cls=Custom)
    net.start()
    sim.call_at(10, net.crash, 1)
    sim.call_at(30, net.restart, 1)
    sim.run(100)
    assert b.log == [(0, "start"), (10, "crash"), (30, "restart")]


def test_a_down_node_sends_nothing():
    sim, net, (a, b) = make()
    net.crash(0)
    a.send(1, "ghost")
    sim.run(100)
    assert net.sent == 0 and b.got == []


# -- timers --------------------------------------------------------------------------------------

def test_resetting_a_timer_replaces_it():
    sim, _, (a, _) = make()
    fired: list[tuple[float, str]] = []
    a.set_timer("t", 10, lambda: fired.append((sim.now, "first")))
    sim.call_at(5, a.set_timer, "t", 10, lambda: fired.append((sim.now, "second")))
    sim.run(100)
    assert fired == [(15, "second")]


def test_cancel_prevents_firing_and_timer_armed_tracks_state():
    sim, _, (a, _) = make()
    fired: list[str] = []
    a.set_timer("t", 10, lambda: fired.append("t"))
    a.set_timer("u", 10, lambda: fired.append("u"))
    assert a.timer_armed("t") and a.timer_armed("u")
    a.cancel_timer("t")
    a.cancel_timer("never-set")
    assert not a.timer_armed("t") and a.timer_armed("u")
    sim.run(100)
    assert fired == ["u"]
    assert not a.timer_armed("u")


def test_a_timer_can_rearm_itself():
    sim, _, (a, _) = make()
    ticks: list[float] = []

    def tick():
        ticks.append(sim.now)
        a.set_timer("tick", 10, tick)

    a.set_timer("tick", 10, tick)
    sim.run(45)
    assert ticks == [10, 20, 30, 40] and a.timer_armed("tick")


# -- slow nodes ----------------------------------------------------------------------------------

def test_slow_factor_multiplies_latency_to_and_from_the_node():
    sim, net, (a, b, c) = make(3)
    net.set_slow(1, 3.0)
    net.set_slow(0, 2.0)
    a.send(1, "0->1")  # max(2, 3) x 10
    b.send(2, "1->2")  # 3 x 10
    a.send(2, "0->2")  # 2 x 10
    c.send(2, "2->2")  # untouched
    sim.call_at(100, net.set_slow, 1, 1.0)
    sim.call_at(100, net.set_slow, 0, 1.0)
    sim.call_at(100, a.send, 1, "0->1 again")
    sim.run(200)
    assert b.got == [(30, 0, "0->1"), (110, 0, "0->1 again")]
    assert sorted(c.got) == [(10, 2, "2->2"), (20, 0, "0->2"), (30, 1, "1->2")]
    assert net.slow == {}


# -- keeping messages ----------------------------------------------------------------------------

def test_settled_keeps_each_message_once_where_its_fate_is_settled():
    sim, net, (a, b, c) = make(n=3)
    net.keep = lambda msg: (msg.upper(),)
    a.send(1, "on time")                       # delivered at 10
    sim.call_at(5, net.partition, [[0, 1], [2]])
    sim.call_at(6, a.send, 2, "across the cut")  # dropped when sent
    sim.call_at(20, net.heal)
    sim.call_at(25, a.send, 2, "to the dead")
    sim.call_at(30, net.crash, 2)              # dropped on arrival at 35
    sim.run(100)
    # (when, from, to, sent when, fate, trace records before it: partition, heal, crash) + keep(msg)
    assert net.settled == [(6, 0, 2, 6, "partition", 1, "ACROSS THE CUT"),
                           (10, 0, 1, 0, "delivered", 1, "ON TIME"),
                           (35, 0, 2, 25, "down", 3, "TO THE DEAD")]


def test_messages_are_not_kept_unless_asked():
    sim, net, (a, b) = make()
    a.send(1, "hello")
    sim.run(100)
    assert b.got == [(10, 0, "hello")] and net.settled == [] and len(sim.trace) == 0
