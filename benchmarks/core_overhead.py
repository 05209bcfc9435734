"""What the sim core adds to a bare SimPy event: the event loop, and a message on the network.

    python benchmarks/core_overhead.py            # N = 200,000, best of 7
    python benchmarks/core_overhead.py --quick    # N = 50,000, best of 3

The baseline is the like-for-like one: a SimPy ``env.timeout`` with a callback appended, run by
SimPy's own ``env.run()`` (a process resumed per event would flatter the core). Each side keeps
``CHAINS`` chains going, so the heap holds several events, as in a real run. Every figure is CPU
time (``time.process_time``), the two sides measured back to back in one process and repeated,
best of N, so a busy machine slows both alike. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import heapq
import os
import time
from collections.abc import Callable

import numpy as np
import simpy

from dslab.sim.dist import Const, Dist, Uniform
from dslab.sim.network import Network, Node
from dslab.sim.simulation import Simulation

CHAINS = 8


def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def simpy_callbacks(n: int, delays: list[float]) -> None:
    """``n`` SimPy timeouts, each one's callback scheduling the next of its chain; ``delays``
    are drawn beforehand, so the baseline pays nothing for randomness."""
    env = simpy.Environment()
    timeout = env.timeout
    left = [n]
    it = iter(delays)

    def fire(_ev: simpy.Event) -> None:
        if left[0] > 0:
            left[0] -= 1
            timeout(next(it)).callbacks.append(fire)

    for _ in range(CHAINS):
        timeout(next(it)).callbacks.append(fire)
    env.run()


def heapq_callbacks(n: int, delays: list[float]) -> None:
    """The pure-Python limit: ``n`` events on a bare ``heapq`` of (time, sequence, callback),
    the least any event loop written in Python can do per event."""
    heap: list[tuple[float, int, Callable[[float], None]]] = []
    push, pop = heapq.heappush, heapq.heappop
    left = [n]
    it = iter(delays)
    seq = [0]

    def fire(now: float) -> None:
        if left[0] > 0:
            left[0] -= 1
            seq[0] += 1
            push(heap, (now + next(it), seq[0], fire))

    for i in range(CHAINS):
        push(heap, (next(it), -i - 1, fire))
    while heap:
        now, _, fn = pop(heap)
        fn(now)


def core_callbacks(n: int, simpy_loop: bool = False) -> None:
    """``n`` calls through ``Simulation.call_later`` and ``Simulation.run`` (or SimPy's own
    ``env.run``, to see what the loop costs beside the calls), one time unit apart."""
    sim = Simulation(1, event_budget=n + 100)
    left = [n]

    def fire() -> None:
        if left[0] > 0:
            left[0] -= 1
            sim.call_later(1.0, fire)

    for _ in range(CHAINS):
        sim.call_later(1.0, fire)
    if simpy_loop:
        sim.env.run(until=float(n + 100))
    else:
        sim.run(float(n + 100))


class Echo(Node):
    """Sends each message straight back until ``limit`` messages have gone out in all."""

    def __init__(self, node_id: int, left: list[int]) -> None:
        super().__init__(node_id)
        self.left = left

    def on_start(self) -> None:
        if self.id % 2 == 0:
            self.send(self.id + 1, 0)

    def on_message(self, src: int, msg: int) -> None:
        if self.left[0] > 0:
            self.left[0] -= 1
            self.send(src, msg + 1)


def core_messages(n: int, latency: Dist) -> None:
    """``n`` messages ping-ponged by ``CHAINS`` pairs of nodes through ``Network.send``."""
    sim = Simulation(1, event_budget=n + 100)
    net = Network(sim, latency)
    left = [n]
    for i in range(2 * CHAINS):
        net.add(Echo(i, left))
    net.start()
    sim.run(float("inf"))


def measure(n: int, repeats: int) -> dict[str, float]:
    """Microseconds per event (per message) for each figure, best of ``repeats``, interleaved."""
    const = [1.0] * (n + CHAINS)
    uniform = np.random.default_rng(1).uniform(2, 8, n + CHAINS).tolist()
    cases: dict[str, Callable[[], object]] = {
        "heapq loop (pure-Python limit), const(1)": lambda: heapq_callbacks(n, const),
        "simpy timeout+callback, const(1)": lambda: simpy_callbacks(n, const),
        "simpy timeout+callback, uniform(2,8)": lambda: simpy_callbacks(n, uniform),
        "Simulation.call_later + run": lambda: core_callbacks(n),
        "Simulation.call_later + env.run": lambda: core_callbacks(n, simpy_loop=True),
        "message, const(1)": lambda: core_messages(n, Const(1.0)),
        "message, uniform(2,8)": lambda: core_messages(n, Uniform(2.0, 8.0)),
    }
    best = {name: float("inf") for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            best[name] = min(best[name], _cpu(fn))
    return {name: 1e6 * t / n for name, t in best.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n, repeats = (50_000, 3) if args.quick else (200_000, 7)
    us = measure(n, repeats)
    print(f"CPU time per event, best of {repeats}, N = {n:,}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, v in us.items():
        print(f"  {name:40s} {v:6.2f} us")
    const, uni = us["simpy timeout+callback, const(1)"], us["simpy timeout+callback, uniform(2,8)"]
    print(f"  call_later + run / SimPy            {us['Simulation.call_later + run'] / const:5.2f}x")
    loop = us["Simulation.call_later + run"] / us["Simulation.call_later + env.run"]
    print(f"  Simulation.run / SimPy's env.run    {loop:5.2f}x")
    print(f"  message const(1) / SimPy            {us['message, const(1)'] / const:5.2f}x")
    ratio = us["message, uniform(2,8)"] / uni
    print(f"  message uniform(2,8) / SimPy        {ratio:5.2f}x  (target at most 2x)")
    heap = us["heapq loop (pure-Python limit), const(1)"]
    print(f"  SimPy / a bare heapq loop           {const / heap:5.2f}x  (what SimPy itself adds)")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
