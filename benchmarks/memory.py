"""Memory per million events: the peak a run holds (tracemalloc), over the events its simulations
processed, for each lab that steps events, at two lengths so that the fixed costs drop out.

    python benchmarks/memory.py           # raft 5 and 10 simulated minutes, and the others
    python benchmarks/memory.py --quick   # a quarter of the lengths

A run's peak includes its result (records, series for the plot, checks), as a learner's run holds
it. The marginal figure, (peak at 2L - peak at L) / (events at 2L - events at L), is what each
further million events costs: a run whose memory grows with its length shows it there. Hashing is
left out: it computes on arrays and steps no events. Nothing is asserted; no target is set by
issue 13 beyond the queueing station's 90 bytes per request (benchmarks/queueing_speed.py).
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenarios import load  # noqa: E402

from dslab.labs import get_lab  # noqa: E402
from dslab.sim.simulation import Simulation  # noqa: E402


@dataclass(frozen=True)
class Case:
    lab: str
    scenario: str
    length: str  # the parameter that sets the run's length
    value: float  # its value at length L
    stepped: bool = False  # step the run (the queueing lab solves a run finished in one go)

    def command(self, value: float) -> str:
        flag = "" if self.scenario == "default" else f" --{self.scenario}"
        stepped = " (stepped)" if self.stepped else ""
        return f"dslab run {self.lab}{flag} --set {self.length}={value:g}{stepped}"


CASES = (
    Case("raft", "default", "duration_ms", 300_000),
    Case("queueing", "default", "customers", 200_000, stepped=True),
    Case("retries", "default", "duration_ms", 30_000),
)


def measured(case: Case, value: float) -> tuple[int, int]:
    """Events processed and peak traced bytes of one run of ``case`` at ``value``."""
    lab = get_lab(case.lab)
    params = lab.make_params(case.scenario, {case.length: f"{value:g}"})
    sims: list[Simulation] = []
    init: Callable[..., None] = Simulation.__init__

    def counted(self: Simulation, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        sims.append(self)

    Simulation.__init__ = counted  # type: ignore[method-assign]
    tracemalloc.start()
    try:
        run = lab.start(params, 1, scenario=case.scenario)
        if case.stepped:
            run.run_until(1.0)
        run.finish()
        run.result()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        Simulation.__init__ = init  # type: ignore[method-assign]
    return sum(s.events_processed for s in sims), peak


def figures(scale: float) -> list[dict[str, object]]:
    """Each case at L and 2L: events, peak, bytes per event, and the marginal per million."""
    out = []
    for case in CASES:
        small, large = case.value * scale, 2 * case.value * scale
        measured(case, small)  # imports and caches, once
        (e1, m1), (e2, m2) = measured(case, small), measured(case, large)
        out.append({"case": case, "events": e2, "peak_mb": m2 / 1e6,
                    "mb_per_million": m2 / e2 if e2 else float("nan"),
                    "marginal_mb_per_million": (m2 - m1) / (e2 - e1) if e2 > e1 else float("nan"),
                    "command": case.command(large)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a quarter of the lengths")
    args = ap.parse_args(argv)
    print(f"memory per 10^6 events ({load()})")
    print(f"{'run (at 2L)':<58} {'events':>10} {'peak':>9} {'per 10^6':>10} {'marginal':>10}")
    for f in figures(0.25 if args.quick else 1.0):
        print(f"{f['command']:<58} {f['events']:>10,} {f['peak_mb']:>6.1f} MB "
              f"{f['mb_per_million']:>7.1f} MB {f['marginal_mb_per_million']:>7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
