"""The hashing lab at size: the reference rules on arrays against a learner's rules key by key.

    python benchmarks/hashing_at_size.py           # add-node at size (about 30 s on 2 cores)
    python benchmarks/hashing_at_size.py --more    # also the vnodes sweep and a cache run at size
    python benchmarks/hashing_at_size.py --quick   # a tenth of the keys and points: a smoke run
    python benchmarks/hashing_at_size.py --against /tmp/before/src   # also an older checkout

``--against`` times the same runs on the lab imported from another source tree, in a fresh
process each, for a before-and-after figure: ``git worktree add /tmp/before 9e0b2f3`` checks out
the commit before the array path.

Each case is ``dslab run hashing --<scenario> --set nodes=200 --set vnodes=1000 --set
keys=200000`` run through ``LAB.run`` in this process (start-up left out), once on the reference
rules (which the lab runs on arrays) and once with the four exercise rules wrapped so that the lab
asks them key by key, as it asks a learner's (``vector.key_by_key``): what a learner's correct
exercise file costs at this size. The two runs alternate, each timed in CPU seconds
(``time.process_time``: a busy machine slows the wall clock, not this), best of the repeats.
Both runs must print the same JSON; the script says so, or exits 1.

Printed, never asserted: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from dslab.labs.hashing import rules, vector
from dslab.labs.hashing.lab import LAB

AT_SIZE = {"nodes": "200", "vnodes": "1000", "keys": "200000"}
QUICK = {"nodes": "20", "vnodes": "100", "keys": "20000"}


@dataclass
class Timing:
    scenario: str
    arrays_s: float  # CPU seconds of the reference run, best of the repeats
    key_by_key_s: float  # CPU seconds with the exercise rules asked key by key
    same_json: bool

    @property
    def speedup(self) -> float:
        return self.key_by_key_s / self.arrays_s


def cpu_seconds(scenario: str, overrides: dict[str, str], impl: Any) -> tuple[float, str]:
    """One run's CPU time and its JSON. The cache of node positions is emptied first, so every
    run hashes its ring labels as a fresh process would."""
    vector._node_positions.cache_clear()
    params = LAB.make_params(scenario, overrides)
    start = time.process_time()
    result = LAB.run(params, 1, impl=impl, scenario=scenario)
    return time.process_time() - start, result.to_json()


def measure(scenario: str, overrides: dict[str, str], repeats: int) -> Timing:
    """The scenario both ways, alternating, best of ``repeats`` each."""
    reference = LAB.load_impl()
    slow = vector.key_by_key(reference, rules.EXERCISE)
    fast_s, slow_s, outputs = [], [], set()
    for _ in range(repeats):
        for impl, times in ((reference, fast_s), (slow, slow_s)):
            seconds, out = cpu_seconds(scenario, overrides, impl)
            times.append(seconds)
            outputs.add(out)
    return Timing(scenario, min(fast_s), min(slow_s), len(outputs) == 1)


ELSEWHERE = """
import json, sys, time
from dslab.labs.hashing.lab import LAB
scenario, overrides, repeats = json.loads(sys.argv[1])
params = LAB.make_params(scenario, overrides)
best = float("inf")
for _ in range(repeats):
    start = time.process_time()
    result = LAB.run(params, 1, scenario=scenario)
    best = min(best, time.process_time() - start)
print(json.dumps([best, result.to_json()]))
"""


def cpu_seconds_elsewhere(src: str, scenario: str, overrides: dict[str, str],
                          repeats: int) -> tuple[float, str]:
    """The reference run's CPU time (best of ``repeats``) and JSON with the lab imported from
    the source tree ``src``, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", ELSEWHERE, json.dumps([scenario, overrides, repeats])],
                         env=env, capture_output=True, text=True, check=True).stdout
    seconds, printed = json.loads(out)
    return seconds, printed


def command(scenario: str, overrides: dict[str, str]) -> str:
    sets = " ".join(f"--set {k}={v}" for k, v in overrides.items())
    return f"dslab run hashing --{scenario} {sets}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the keys and points")
    ap.add_argument("--more", action="store_true", help="also the vnodes sweep and cache-join")
    ap.add_argument("--repeats", type=int, default=3, help="runs each way (best one counts)")
    ap.add_argument("--against", metavar="SRC", help="also time the runs on the lab in this source "
                    "tree (a checkout's src/), in a fresh process")
    args = ap.parse_args(argv)
    overrides = QUICK if args.quick else AT_SIZE
    scenarios = ["add-node", *(["vnodes", "cache-join"] if args.more else [])]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"hashing at size: {os.cpu_count()} CPUs, load average {load:.1f} at the start; "
          f"CPU seconds, best of {args.repeats}")
    ok = True
    for scenario in scenarios:
        t = measure(scenario, overrides, args.repeats)
        ok &= t.same_json
        print(f"- `{command(scenario, overrides)}`: {t.arrays_s:.2f} s on arrays, "
              f"{t.key_by_key_s:.2f} s with the exercise rules key by key ({t.speedup:.1f}x); "
              + ("same JSON" if t.same_json else "THE JSON DIFFERS"))
        if args.against:
            before, printed = cpu_seconds_elsewhere(args.against, scenario, overrides, args.repeats)
            same = printed == cpu_seconds(scenario, overrides, LAB.load_impl())[1]
            ok &= same
            print(f"  the lab in {args.against}: {before:.2f} s ({before / t.arrays_s:.1f}x the "
                  f"time on arrays); " + ("same JSON" if same else "THE JSON DIFFERS"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
