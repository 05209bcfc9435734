"""Speed figures on this machine: the sim core against bare SimPy, one CLI run, many trials, and
the queueing station against ciw.

    python benchmarks/bench.py            # the full figures (about a minute on 2 cores)
    python benchmarks/bench.py --quick    # smaller N and fewer trials: a smoke run

This is a script, not a test: timings depend on the machine, so they are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import simpy

from dslab.sim.dist import Const
from dslab.sim.network import Network, Node
from dslab.sim.simulation import Simulation

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Figure:
    name: str
    measured: str
    target: str
    ok: bool
    summary: str  # one markdown-ready line


# -- (a) the sim core against bare SimPy ---------------------------------------------------------

class Echo(Node):
    """Sends each message straight back until ``limit`` messages have been delivered."""

    def __init__(self, node_id: int, limit: int) -> None:
        super().__init__(node_id)
        self.limit = limit

    def on_start(self) -> None:
        if self.id == 0:
            self.send(1, 1)

    def on_message(self, src: int, msg: int) -> None:
        if msg < self.limit:
            self.send(src, msg + 1)


def core_seconds(n: int) -> float:
    """Wall time for ``n`` messages through Network.send and _deliver, ping-ponged by two nodes."""
    sim = Simulation(1, event_budget=n + 10)
    net = Network(sim, Const(1.0))
    net.add(Echo(0, n))
    net.add(Echo(1, n))
    start = time.perf_counter()
    net.start()
    sim.run(n + 10)
    elapsed = time.perf_counter() - start
    if net.delivered != n:
        raise RuntimeError(f"expected {n} deliveries, got {net.delivered}")
    return elapsed


def simpy_seconds(n: int) -> float:
    """Wall time for a bare SimPy process that yields ``n`` timeouts."""
    env = simpy.Environment()

    def loop(env: simpy.Environment):
        for _ in range(n):
            yield env.timeout(1.0)

    start = time.perf_counter()
    env.process(loop(env))
    env.run()
    return time.perf_counter() - start


def bench_core(n: int, repeats: int) -> Figure:
    # Interleaved, so a burst of load from elsewhere hits both sides alike; best of each.
    pairs = [(simpy_seconds(n), core_seconds(n)) for _ in range(repeats)]
    bare = min(b for b, _ in pairs)
    core = min(c for _, c in pairs)
    ratio = core / bare
    core_rate, bare_rate = n / core, n / bare
    return Figure(
        "sim core vs bare SimPy",
        f"{core_rate / 1e3:,.0f}k msg/s vs {bare_rate / 1e3:,.0f}k ev/s = {ratio:.2f}x",
        "<= 3x",
        ratio <= 3,
        f"Sim core: {core_rate / 1e3:,.0f}k messages/s through `Network.send` against "
        f"{bare_rate / 1e3:,.0f}k bare SimPy timeouts/s, so a message costs {ratio:.2f}x a bare "
        f"event (target at most 3x; N = {n:,}, best of {repeats}).",
    )


# -- (b) one CLI run, start-up included ----------------------------------------------------------

def dslab_command() -> list[str]:
    script = Path(sys.executable).with_name("dslab")
    if script.exists():
        return [str(script)]
    found = shutil.which("dslab")
    return [found] if found else [sys.executable, "-m", "dslab.cli"]


def cli_seconds(extra: list[str], repeats: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as out:
        cmd = dslab_command() + ["run", "raft", "--partition", "--out", out, *extra]
        for _ in range(repeats):
            start = time.perf_counter()
            p = subprocess.run(cmd, cwd=out, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return statistics.median(times)


def bench_cli(repeats: int) -> list[Figure]:
    figures = []
    for label, extra in (("--no-plot", ["--no-plot"]), ("(plot)", [])):
        t = cli_seconds(extra, repeats)
        command = "dslab run raft --partition" + (" --no-plot" if extra else "")
        figures.append(Figure(
            f"dslab run raft --partition {label}",
            f"{t:.2f} s",
            "< 3 s",
            t < 3,
            f"`{command}`: {t:.2f} s wall time as a fresh process, start-up included "
            f"(target under 3 s; median of {repeats}).",
        ))
    return figures


# -- (c) many trials in parallel -----------------------------------------------------------------

def bench_trials(trials: int, workers: int) -> Figure:
    from dslab.labs import get_lab
    from dslab.trials import run_trials

    lab = get_lab("raft")
    params = lab.make_params("crash-leader")
    start = time.perf_counter()
    tr = run_trials(lab, params, seed=1, trials=trials, scenario="crash-leader", workers=workers)
    t = time.perf_counter() - start
    if tr.trials != trials:
        raise RuntimeError(f"expected {trials} trials, got {tr.trials}")
    target = 20.0 * trials / 1000  # 20 s per 1000 trials
    return Figure(
        f"{trials} crash-leader trials, {workers} workers",
        f"{t:.1f} s ({trials / t:,.0f} trials/s)",
        f"< {target:g} s",
        t < target,
        f"{trials:,} crash-leader trials through `dslab.trials.run_trials` on {workers} "
        f"workers: {t:.1f} s, {trials / t:,.0f} trials/s, pool start-up included "
        f"(target under {target:g} s).",
    )


# -- (d) the queueing station against ciw ----------------------------------------------------------

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
        "faster than ciw",
        ratio > 1,
        f"{n:,} M/M/1 customers at rho = 0.8 through the queueing station in {ours:.1f} s; the "
        f"same in ciw {ciw.__version__} took {theirs:.1f} s, so the station is {ratio:.1f}x "
        f"faster (mean time in system {our_w:.1f} ms against ciw's {their_w:.1f} ms; theory 50).",
    )


# -- report --------------------------------------------------------------------------------------

def print_table(figures: list[Figure]) -> None:
    rows = [("figure", "measured", "target", "")] + [
        (f.name, f.measured, f.target, "ok" if f.ok else "MISSED") for f in figures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller N and fewer trials")
    args = ap.parse_args(argv)

    n = 20_000 if args.quick else 200_000
    repeats = 1 if args.quick else 3
    trials = 100 if args.quick else 1000

    print(f"dslab benchmarks: Python "
          f"{platform.python_version()}, SimPy {simpy.__version__}, {os.cpu_count()} CPUs, "
          f"{platform.machine()} {platform.system()}" + (" (--quick)" if args.quick else ""))
    print()
    figures = [bench_core(n, 2 * repeats - 1), *bench_cli(repeats),
               bench_trials(trials, workers=2)]
    queue = bench_queue(100_000 if args.quick else 1_000_000)
    if queue is not None:
        figures.append(queue)
    print_table(figures)
    print()
    for f in figures:
        print(f"- {f.summary}")
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
