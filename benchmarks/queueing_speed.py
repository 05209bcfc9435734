"""The queueing station's figures: its cost per customer against a minimal SimPy M/M/1, its
memory per customer, the Lindley recursion against the event simulation, and the hockey stick.

    python benchmarks/queueing_speed.py            # the full figures (about a minute on 2 cores)
    python benchmarks/queueing_speed.py --quick    # smaller N, fewer repeats: a smoke run

Times are CPU seconds (time.process_time), each the best of several runs taken back to back in
one process, so that a shared machine's load moves them less; the load is printed. Nothing here
is asserted: a figure that misses its target is marked and the script exits 1. Each function
returns its figures, so benchmarks/bench.py can import and print them too.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterator
from itertools import chain

import numpy as np
import simpy
from scenarios import dslab_command, load  # benchmarks/scenarios.py, beside this script

from dslab.labs.queueing import experiments
from dslab.labs.queueing.lab import LAB
from dslab.labs.queueing.model import QueueModel, finished

BLOCK = 4096  # draws per numpy call, as the station's own Draws


def best_cpu(fn: Callable[[], object], repeats: int) -> float:
    """The least CPU time of ``repeats`` calls of ``fn``."""
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


# -- the baseline: a minimal M/M/1 in SimPy ----------------------------------------------------

def simpy_mm1(n: int, seed: int = 1, rate_per_ms: float = 0.08, service_ms: float = 10.0) -> float:
    """``n`` customers through the plainest fast M/M/1 one would write in SimPy: bare timeouts
    with callbacks (no process per customer), a deque of waiting customers' arrival times, and
    exponential gaps and services drawn from numpy ``BLOCK`` at a time and read back through a
    C iterator (``itertools.chain``, as the station's Draws do). Returns the mean time in
    system; it keeps no per-customer record, where the station keeps three times for each."""
    env = simpy.Environment()
    timeout = env.timeout

    def blocks(rng: np.random.Generator, mean: float) -> Iterator[list[float]]:
        while True:
            yield rng.exponential(mean, BLOCK).tolist()

    gap = chain.from_iterable(blocks(np.random.default_rng([seed, 0]), 1.0 / rate_per_ms)).__next__
    service = chain.from_iterable(blocks(np.random.default_rng([seed, 1]), service_ms)).__next__
    waiting: deque[float] = deque()
    busy = False
    sent = 0
    total = 0.0

    def arrive(_ev: simpy.Event) -> None:
        nonlocal busy, sent
        now = env.now
        sent += 1
        if busy:
            waiting.append(now)
        else:
            busy = True
            timeout(service(), now).callbacks.append(depart)
        if sent < n:
            timeout(gap()).callbacks.append(arrive)

    def depart(ev: simpy.Event) -> None:
        nonlocal busy, total
        total += env.now - ev.value
        if waiting:
            timeout(service(), waiting.popleft()).callbacks.append(depart)
        else:
            busy = False

    timeout(gap()).callbacks.append(arrive)
    env.run()
    return total / n


# -- the station ---------------------------------------------------------------------------------

def mm1_model(n: int, seed: int = 1) -> QueueModel:
    """The queueing lab's M/M/1 at rho = 0.8 (80 per second, 10 ms each) for ``n`` customers:
    station, arrival stream, per-customer records and the window's integral, no path."""
    params = LAB.make_params("default", {"customers": str(n), "warmup_ms": "0"})
    return QueueModel(params, seed, record_path=False)


def station_by_the_lab(n: int) -> None:
    """The station as the lab runs it: QueueModel.finish(), through dslab's Simulation.run."""
    mm1_model(n).finish()


def station_by_simpy(n: int) -> None:
    """The same model stepped by SimPy's own ``env.run()``: the station's cost without dslab's
    event loop (its budget check and peek/step), which another part of the core owns."""
    mm1_model(n).sim.env.run()


def station_figures(n: int, repeats: int) -> dict[str, float]:
    """Microseconds of CPU per customer, best of ``repeats`` taken in turn."""
    ours, own, base = math.inf, math.inf, math.inf
    for _ in range(repeats):
        base = min(base, best_cpu(lambda: simpy_mm1(n), 1))
        ours = min(ours, best_cpu(lambda: station_by_the_lab(n), 1))
        own = min(own, best_cpu(lambda: station_by_simpy(n), 1))
    return {"simpy_us": 1e6 * base / n, "station_us": 1e6 * ours / n,
            "station_simpy_loop_us": 1e6 * own / n, "ratio": ours / base,
            "ratio_simpy_loop": own / base}


# -- memory ------------------------------------------------------------------------------------

def peak_bytes(customers: int) -> int:
    """Peak traced memory of one default single run (the path kept, as for its plot) and its
    outcome: measurement, picture and checks."""
    params = LAB.make_params("default", {"customers": str(customers), "warmup_ms": "100"})
    tracemalloc.start()
    try:
        run = experiments.QueueRun(params, 1)
        run.finish()
        run.outcome()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_per_customer(n: int) -> dict[str, float]:
    """Bytes per customer at the peak: the whole peak over ``n``, and what each extra customer
    adds between n / 2 and n (fixed costs left out)."""
    peak_bytes(1000)  # imports and caches, once
    half, whole = peak_bytes(n // 2), peak_bytes(n)
    return {"bytes_per_customer": whole / n, "marginal": (whole - half) / (n - n // 2)}


# -- the Lindley recursion ---------------------------------------------------------------------

def numpy_lindley(arrival: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Waits by the Lindley recursion in numpy, W[k] = max(0, W[k-1] + S[k-1] - (a[k] - a[k-1])),
    as a running sum minus its running minimum: the limit for a FIFO queue in Python, but it
    adds in another order than the event simulation, so its waits differ in the last bits."""
    steps = np.empty(len(arrival))
    steps[0] = 0.0
    steps[1:] = service[:-1] - np.diff(arrival)
    total = np.cumsum(steps)
    return total - np.minimum.accumulate(np.minimum(total, 0.0))


def lindley_figures(n: int, repeats: int, utilization: float = 0.95) -> dict[str, float]:
    """One FIFO server at ``utilization`` for ``n`` customers: microseconds per customer by
    events (QueueModel.finish), by the exact recursion (finished(): QueueModel.solve), and by
    numpy_lindley on the same draws, with the largest gap between its waits and the exact ones."""
    params = LAB.make_params("hockey-stick", {"customers": str(n), "warmup_ms": "0",
                                              "utilizations": str(utilization)})
    rate = utilization * 100.0

    def by_events() -> QueueModel:
        model = QueueModel(params, 1, rate_per_s=rate, record_path=False)
        model.finish()
        return model

    def solved() -> QueueModel:
        return finished(params, 1, rate_per_s=rate, record_path=False)

    events = min(best_cpu(by_events, 1) for _ in range(repeats))
    exact = min(best_cpu(solved, 1) for _ in range(repeats))
    rec = solved().station.records()
    service = rec.finish - rec.start
    fast = best_cpu(lambda: numpy_lindley(rec.arrival, service), 3 * repeats)
    off = float(np.abs(numpy_lindley(rec.arrival, service) - rec.wait).max())
    same = bool(np.array_equal(by_events().station.records().wait, rec.wait))
    return {"events_us": 1e6 * events / n, "exact_us": 1e6 * exact / n,
            "numpy_us": 1e6 * fast / n, "exact_speedup": events / exact,
            "numpy_speedup": events / fast, "numpy_max_error_ms": off, "identical": float(same)}


# -- the hockey stick --------------------------------------------------------------------------

def hockey_stick_seconds(repeats: int, extra: tuple[str, ...] = ()) -> float:
    """Median wall time of ``dslab run queueing --hockey-stick`` as a fresh process, start-up
    and (unless ``--no-plot``) the saved plot included."""
    times = []
    with tempfile.TemporaryDirectory() as out:
        cmd = [*dslab_command(), "run", "queueing", "--hockey-stick", "--out", out, *extra]
        for _ in range(repeats):
            start = time.perf_counter()
            p = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return statistics.median(times)


def sweep_cpu(repeats: int) -> float:
    """CPU seconds of the hockey stick's 13 runs and their measurement, in this process."""
    params = LAB.make_params("hockey-stick")
    return best_cpu(lambda: experiments.sweep(params, 1), repeats)


# -- the report ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller N, fewer repeats")
    args = ap.parse_args(argv)
    n = 50_000 if args.quick else 300_000
    repeats = 2 if args.quick else 5
    began = time.perf_counter()
    print(f"queueing speed, Python {sys.version.split()[0]}, SimPy {simpy.__version__}; {load()}")
    rows: list[tuple[str, str, str, bool]] = []

    s = station_figures(n, repeats)
    rows.append((f"station, {n:,} M/M/1 customers", f"{s['station_us']:.2f} us/customer, "
                 f"{s['ratio']:.2f}x SimPy's {s['simpy_us']:.2f}", "<= 1.5x", s["ratio"] <= 1.5))
    rows.append(("  the same stepped by env.run()", f"{s['station_simpy_loop_us']:.2f} "
                 f"us/customer, {s['ratio_simpy_loop']:.2f}x", "(the station alone)", True))

    m = memory_per_customer(100_000 if args.quick else 400_000)
    rows.append(("memory, one default run", f"{m['bytes_per_customer']:.0f} B/customer at the "
                 f"peak ({m['marginal']:.0f} per extra customer)", "<= 90 B",
                 m["marginal"] <= 90))

    lin = lindley_figures(n, repeats)
    rows.append((f"FIFO server at rho 0.95, {n:,}", f"events {lin['events_us']:.2f} us, exact "
                 f"recursion {lin['exact_us']:.3f} us ({lin['exact_speedup']:.0f}x), numpy "
                 f"{lin['numpy_us']:.3f} us ({lin['numpy_speedup']:.0f}x)",
                 "identical waits", bool(lin["identical"])))
    rows.append(("  numpy Lindley's largest error", f"{lin['numpy_max_error_ms']:.1e} ms", "",
                 True))

    cpu = sweep_cpu(repeats)
    wall = hockey_stick_seconds(1 if args.quick else 3)
    bare = hockey_stick_seconds(1 if args.quick else 3, ("--no-plot",))
    rows.append(("dslab run queueing --hockey-stick", f"{wall:.2f} s wall with the plot, "
                 f"{bare:.2f} s --no-plot; the sweep {cpu:.2f} s CPU", "< 3 s", wall < 3))

    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for name, got, target, ok in rows:
        print(f"{name.ljust(width[0])}  {got.ljust(width[1])}  {target.ljust(width[2])}  "
              f"{'' if ok else 'MISSED'}".rstrip())
    print(f"(this script took {time.perf_counter() - began:.0f} s; {load()})")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
