"""Every speed figure on this machine, section by section: what the sim core adds to a SimPy event
(against a bare heapq loop and SimPy's own timeout with a callback), the queueing station (against
a minimal SimPy M/M/1 and the Lindley recursion), hashing at size, every scenario as a learner runs
it, trials per second per lab, and the queueing station against ciw.

    python benchmarks/bench.py            # the full figures (a few minutes on 2 cores)
    python benchmarks/bench.py --quick    # smaller N and fewer trials: a smoke run

Each section is also a script of its own (benchmarks/<section>.py). This is not a test: timings
depend on the machine and its load (printed with them), so they are printed, never asserted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import simpy

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    name: str
    measured: str
    target: str
    ok: bool
    summary: str  # one markdown-ready line


# -- the queueing station against ciw ----------------------------------------------------------

def station_seconds(n: int) -> tuple[float, float]:
    """Wall time and mean time in system for ``n`` M/M/1 customers at rho = 0.8 through the lab's
    QueueModel (the station, the arrival stream and per-request records)."""
    from dslab.labs.queueing.lab import LAB
    from dslab.labs.queueing.model import QueueModel

    params = LAB.make_params("default", {"customers": str(n), "warmup_ms": "0"})
    start = time.perf_counter()
    model = QueueModel(params, seed=1, record_path=False)
    model.finish()
    elapsed = time.perf_counter() - start
    rec = model.station.records()
    return elapsed, float(rec.sojourn.mean())


def ciw_seconds(n: int) -> tuple[float, float]:
    """The same M/M/1 (rates per ms: arrivals 0.08, service 0.1) in ciw, until ``n`` finish."""
    import ciw

    net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=0.08)],
                             service_distributions=[ciw.dists.Exponential(rate=0.1)],
                             number_of_servers=[1])
    ciw.seed(1)
    sim = ciw.Simulation(net)
    start = time.perf_counter()
    sim.simulate_until_max_customers(n, method="Finish")
    elapsed = time.perf_counter() - start
    recs = sim.get_all_records()
    return elapsed, statistics.fmean(r.exit_date - r.arrival_date for r in recs)


def bench_queue(n: int) -> Figure | None:
    try:
        import ciw  # noqa: F401
    except ImportError:
        print("ciw is not installed (pip install -e '.[bench]'): skipping the queueing comparison")
        return None
    ours, our_w = station_seconds(n)
    theirs, their_w = ciw_seconds(n)
    ratio = theirs / ours
    return Figure(
        f"{n:,} M/M/1 customers vs ciw",
        f"{ours:.1f} s vs {theirs:.1f} s = {ratio:.1f}x faster",
        "at least 5x faster than ciw",
        ratio >= 5,
        f"{n:,} M/M/1 customers at rho = 0.8 through the queueing station in {ours:.1f} s; the "
        f"same in ciw {ciw.__version__} took {theirs:.1f} s, so the station is {ratio:.1f}x "
        f"faster (mean time in system {our_w:.1f} ms against ciw's {their_w:.1f} ms; theory 50).",
    )


# -- the driver ---------------------------------------------------------------------------------

#: each section's script (benchmarks/<name>.py), in the order printed: what the core adds to
#: SimPy, the queueing station, hashing at size, and what a learner waits for (every scenario,
#: trials per second), and memory per million events
SECTIONS = ("core_overhead", "queueing_speed", "hashing_at_size", "lsm_at_size", "scenarios",
            "memory")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller N and fewer trials")
    args = ap.parse_args(argv)
    began = time.perf_counter()
    one, five, _ = os.getloadavg()
    print(f"dslab benchmarks: Python {platform.python_version()}, SimPy {simpy.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}; load average "
          f"{one:.2f} (1 min), {five:.2f} (5 min)" + (" (--quick)" if args.quick else ""))
    sys.path.insert(0, str(Path(__file__).parent))
    missed = []
    for name in SECTIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue  # a section not in this checkout
        print(f"\n## {name} (python benchmarks/{name}.py{' --quick' if args.quick else ''})\n")
        if module.main(["--quick"] if args.quick else []):
            missed.append(name)
    queue = bench_queue(100_000 if args.quick else 1_000_000)
    if queue is not None:
        print(f"\n## ciw\n\n- {queue.summary}")
        if not queue.ok:
            missed.append("ciw")
    print(f"\nbench.py took {time.perf_counter() - began:.0f} s in all"
          + (f"; targets missed in: {', '.join(missed)}" if missed else "; every target met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
