"""What a learner waits for: every scenario of every lab as a fresh ``dslab run`` (start-up and
plot included), and trials per second for each lab's default scenario.

    python benchmarks/scenarios.py            # every scenario once, and the trials (a few minutes)
    python benchmarks/scenarios.py --quick    # fewer trials: a smoke run

Each scenario is run as a learner runs it, in a fresh process, and timed two ways: wall time (what
the learner waits) and the CPU time of the process (what the machine did, less moved by other
load). The load average is printed before and after. Nothing is asserted: a scenario over its
target is marked and the script exits 1. ``scenario_times`` and ``trials_per_second`` return their
figures, so benchmarks/bench.py prints them too.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SCENARIO_TARGET_S = 3.0
#: trials per second each lab's default scenario should reach on an idle 2-core machine (issue 13)
TRIALS_TARGET = {"raft": 300.0, "queueing": 20.0, "retries": 5.0, "hashing": 100.0,
                 "quorum": 5.0, "lsm": 2.0, "stampede": 1.0}
#: the scenario whose trials are timed: raft's crash-leader is the paper's experiment
TRIALS_SCENARIO = {"raft": "crash-leader"}


@dataclass(frozen=True)
class Timed:
    command: str
    wall_s: float
    cpu_s: float

    @property
    def ok(self) -> bool:
        return self.wall_s < SCENARIO_TARGET_S


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def dslab_command() -> list[str]:
    script = Path(sys.executable).with_name("dslab")
    if script.exists():
        return [str(script)]
    found = shutil.which("dslab")
    return [found] if found else [sys.executable, "-m", "dslab.cli"]


def timed(args: list[str], cwd: str) -> tuple[float, float]:
    """Wall time and the child's CPU time (user + system) of one ``dslab`` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(dslab_command() + args, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):  # 1: a safety check broke, which some scenarios show
        raise RuntimeError(f"dslab {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def scenario_times() -> list[Timed]:
    """Every scenario of every lab, once each, with its plot, as a fresh process."""
    from dslab.labs import all_labs

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        timed(["list"], tmp)  # warm the file cache once, as any second command finds it
        for lab in all_labs():
            for name in lab.scenarios:
                args = ["run", lab.name] + ([] if name == "default" else [f"--{name}"])
                wall, cpu = timed([*args, "--out", tmp], tmp)
                out.append(Timed("dslab " + " ".join(args), wall, cpu))
        for args in (["list"], ["run", "raft", "--no-plot"], ["run", "raft", "--json"]):
            wall, cpu = timed(args, tmp)
            out.append(Timed("dslab " + " ".join(args), wall, cpu))
    return out


def trials_per_second(trials: dict[str, int], workers: int = 2) -> dict[str, tuple[float, str]]:
    """Trials per second of each lab's default (or timed) scenario through ``run_trials`` on
    ``workers`` processes, pool start-up included, with the command that reproduces it."""
    from dslab.labs import get_lab
    from dslab.trials import run_trials

    out = {}
    for name, n in trials.items():
        lab = get_lab(name)
        scenario = TRIALS_SCENARIO.get(name, "default")
        params = lab.make_params(scenario)
        start = time.perf_counter()
        run_trials(lab, params, seed=1, trials=n, scenario=scenario, workers=workers)
        rate = n / (time.perf_counter() - start)
        flag = "" if scenario == "default" else f" --{scenario}"
        out[name] = (rate, f"dslab run {name}{flag} --trials {n} --workers {workers} --json")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer trials")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    print(load())
    rows = scenario_times()
    width = max(len(r.command) for r in rows)
    print(f"\n{'command':<{width}}  {'wall s':>6}  {'CPU s':>6}")
    for r in rows:
        print(f"{r.command:<{width}}  {r.wall_s:6.2f}  {r.cpu_s:6.2f}"
              + ("" if r.ok else f"  over {SCENARIO_TARGET_S:g} s"))
    scale = 0.2 if args.quick else 1.0
    counts = {"raft": 1000, "queueing": 100, "retries": 40, "hashing": 300, "quorum": 40, "lsm": 12,
              "stampede": 10}
    rates = trials_per_second({k: max(4, int(v * scale)) for k, v in counts.items()})
    print("\nlab       trials/s  target  command")
    for name, (rate, command) in rates.items():
        mark = "" if rate >= TRIALS_TARGET[name] else "  (below target)"
        print(f"{name:<9} {rate:8.1f}  {TRIALS_TARGET[name]:6g}  {command}{mark}")
    print(f"\n{load()}; this script took {time.perf_counter() - started:.0f} s")
    ok = all(r.ok for r in rows) and all(r >= TRIALS_TARGET[n] for n, (r, _) in rates.items())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
